import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { type Admin, type Consumer, Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KafkaClient } from '../../src/client/kafka-client.js';
import { ConsumerGroupHeartbeatApi } from '../../src/protocol/generated/apis.js';
import { createConsumerGroupHeartbeatRequest } from '../../src/protocol/generated/clients/consumer-group-heartbeat-request.js';
import { type EmbeddedBroker, startEmbeddedBroker } from '../e2e/support/embedded-broker.js';
import { closedPort, runCli } from './run-cli.js';

const TOPIC = 'cli-groups-orders';
const GROUP = 'cli-groups-lag';

let gregor: EmbeddedBroker;
let kafka: Kafka;
let admin: Admin;

beforeAll(async () => {
  // No initial rebalance delay: a group is Stable as soon as its one member has synced.
  gregor = await startEmbeddedBroker({ 'group.initial.rebalance.delay.ms': '0', 'offsets.topic.num.partitions': '3' });
  kafka = new Kafka({ clientId: 'cli-groups-test', brokers: [gregor.bootstrap], logLevel: logLevel.NOTHING });
  admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: 2 }], waitForLeaders: true });
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({
    topic: TOPIC,
    messages: [
      ...[0, 1, 2, 3, 4].map((i) => ({ partition: 0, value: `p0-${i}`, timestamp: String(1_000 + i) })),
      ...[0, 1, 2].map((i) => ({ partition: 1, value: `p1-${i}`, timestamp: String(2_000 + i) })),
    ],
  });
  await producer.disconnect();
});

afterAll(async () => {
  await admin?.disconnect();
  await gregor?.stop();
});

const groups = (...args: string[]) => runCli('kafka-consumer-groups', ['--bootstrap-server', gregor.bootstrap, ...args]);
const gregorGroups = (...args: string[]) => runCli('gregor', ['groups', '--bootstrap-server', gregor.bootstrap, ...args]);

/** The group's committed offsets of TOPIC, by partition (-1: none), as kafkajs's OffsetFetch reads them. */
async function committed(groupId: string): Promise<Record<number, number>> {
  const [topic] = await admin.fetchOffsets({ groupId, topics: [TOPIC] });
  return Object.fromEntries(topic.partitions.map((p) => [p.partition, Number(p.offset)]));
}

/** A kafkajs member of `groupId` subscribed to TOPIC that consumes without committing; resolves once it has joined (the group is Stable). */
async function joinedConsumer(groupId: string): Promise<{ consumer: Consumer; memberId: string }> {
  const consumer = kafka.consumer({ groupId, sessionTimeout: 30_000, heartbeatInterval: 1_000, maxWaitTimeInMs: 100 });
  const joined = new Promise<string>((resolve) => consumer.on(consumer.events.GROUP_JOIN, (e) => resolve(e.payload.memberId)));
  await consumer.connect();
  await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
  await consumer.run({ autoCommit: false, eachMessage: async () => {} });
  return { consumer, memberId: await joined };
}

/** The steps of one group's life, in order: they share the group. */
describe('kafka-consumer-groups and gregor groups, one group from Stable to deleted', () => {
  let consumer: Consumer;
  let memberId: string;

  beforeAll(async () => {
    ({ consumer, memberId } = await joinedConsumer(GROUP));
    await consumer.commitOffsets([
      { topic: TOPIC, partition: 0, offset: '3' },
      { topic: TOPIC, partition: 1, offset: '1' },
    ]);
  });

  afterAll(async () => {
    await consumer?.disconnect();
  });

  it('describes a group with a member: lag per partition, members, state; lists it', async () => {

    // --describe: Kafka's per-partition lines, lag = log end offset - committed offset.
    const described = await groups('--describe', '--group', GROUP);
    expect(described).toMatchObject({ code: 0, stderr: '' });
    const lines = described.stdout.split('\n');
    expect(lines[0]).toBe('');
    expect(lines[1].split(/ +/)).toEqual(['GROUP', 'TOPIC', 'PARTITION', 'CURRENT-OFFSET', 'LOG-END-OFFSET', 'LAG', 'CONSUMER-ID', 'HOST', 'CLIENT-ID']);
    expect(lines.slice(2).map((l) => l.split(/ +/))).toEqual([
      [GROUP, TOPIC, '0', '3', '5', '2', memberId, '/127.0.0.1', 'cli-groups-test'],
      [GROUP, TOPIC, '1', '1', '3', '2', memberId, '/127.0.0.1', 'cli-groups-test'],
      [''],
    ]);
    // Columns are aligned as Kafka's printf lays them out: PARTITION is 10 wide, the offsets 15.
    expect(lines[1].indexOf('CURRENT-OFFSET') - lines[1].indexOf('PARTITION')).toBe(11);
    expect(lines[2].indexOf(' 5 ')).toBe(lines[1].indexOf('LOG-END-OFFSET') - 1);

    const json = await gregorGroups('--describe', '--group', GROUP, '--output', 'json');
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual([
      {
        group: GROUP,
        state: 'Stable',
        partitions: [
          { topic: TOPIC, partition: 0, currentOffset: 3, logEndOffset: 5, lag: 2, consumerId: memberId, host: '/127.0.0.1', clientId: 'cli-groups-test' },
          { topic: TOPIC, partition: 1, currentOffset: 1, logEndOffset: 3, lag: 2, consumerId: memberId, host: '/127.0.0.1', clientId: 'cli-groups-test' },
        ],
      },
    ]);
    const table = await gregorGroups('--describe', '--group', GROUP);
    expect(table.stdout.split('\n')[0]).toMatch(/^GROUP +TOPIC +PARTITION +CURRENT-OFFSET +LOG-END-OFFSET +LAG +CONSUMER-ID +HOST +CLIENT-ID$/);

    const [members, state, list, listState] = await Promise.all([
      groups('--describe', '--group', GROUP, '--members', '--verbose'),
      groups('--describe', '--group', GROUP, '--state'),
      groups('--list'),
      groups('--list', '--state', 'stable'),
    ]);
    expect(members.code).toBe(0);
    expect(members.stdout.split('\n').map((l) => l.trim().split(/ +/))).toEqual([
      [''],
      ['GROUP', 'CONSUMER-ID', 'HOST', 'CLIENT-ID', '#PARTITIONS', 'ASSIGNMENT'],
      [GROUP, memberId, '/127.0.0.1', 'cli-groups-test', '2', `${TOPIC}(0,1)`],
      [''],
    ]);
    expect(state.code).toBe(0);
    const stateRow = state.stdout.split('\n')[2];
    expect(stateRow).toMatch(new RegExp(`^${GROUP} +127\\.0\\.0\\.1:${gregor.port} {2}\\(1\\) +RoundRobinAssigner +Stable +1$`));
    expect(list).toMatchObject({ code: 0, stderr: '' });
    expect(list.stdout.split('\n')).toContain(GROUP);
    expect(listState.code).toBe(0);
    expect(listState.stdout.split('\n')[0]).toMatch(/^GROUP {20,}STATE {15}$/);
    expect(listState.stdout.split('\n').map((l) => l.trim().split(/ +/))).toContainEqual([GROUP, 'Stable']);
    expect(JSON.parse((await gregorGroups('--list', '--output', 'json')).stdout)).toContainEqual({ group: GROUP, type: 'classic', state: 'Stable' });

  });

  it('refuses to reset the offsets of a group with members, or to delete it', async () => {
    const refused = await groups('--reset-offsets', '--group', GROUP, '--topic', TOPIC, '--to-earliest', '--execute');
    expect(refused).toMatchObject({ code: 1, stdout: '', stderr: `kafka-consumer-groups: Assignments can only be reset if the group '${GROUP}' is inactive, but the current state is Stable.\n` });
    const notDeleted = await groups('--delete', '--group', GROUP);
    expect(notDeleted).toMatchObject({ code: 1, stdout: '', stderr: `kafka-consumer-groups: Group '${GROUP}' could not be deleted due to: NON_EMPTY_GROUP: The group is not empty.\n` });
    expect(await committed(GROUP)).toEqual({ 0: 3, 1: 1 });

  });

  it('describes the group once empty: the committed offsets stay, with no consumer', async () => {
    await consumer.disconnect();
    const empty = await groups('--describe', '--group', GROUP);
    expect(empty.code).toBe(0);
    expect(empty.stderr).toBe(`\nConsumer group '${GROUP}' has no active members.\n`);
    expect(empty.stdout.split('\n').slice(2, 4).map((l) => l.split(/ +/))).toEqual([
      [GROUP, TOPIC, '0', '3', '5', '2', '-', '-', '-'],
      [GROUP, TOPIC, '1', '1', '3', '2', '-', '-', '-'],
    ]);

  });

  it('resets offsets: a dry run by default, --execute commits, kept within the log', async () => {
    const dryRun = await groups('--reset-offsets', '--group', GROUP, '--topic', TOPIC, '--to-earliest');
    expect(dryRun.code).toBe(0);
    expect(dryRun.stderr).toMatch(/^WARN: No action will be performed as the --execute option is missing\./);
    expect(dryRun.stdout.split('\n').map((l) => l.trimEnd())).toEqual([
      '',
      `GROUP${' '.repeat(26)}TOPIC${' '.repeat(26)}PARTITION  NEW-OFFSET`,
      `${GROUP.padEnd(30)} ${TOPIC.padEnd(30)} 0          0`,
      `${GROUP.padEnd(30)} ${TOPIC.padEnd(30)} 1          0`,
      '',
    ]);
    expect(await committed(GROUP)).toEqual({ 0: 3, 1: 1 });

    expect((await groups('--reset-offsets', '--group', GROUP, '--topic', TOPIC, '--to-earliest', '--execute')).code).toBe(0);
    expect(await committed(GROUP)).toEqual({ 0: 0, 1: 0 });

    const shifted = await gregorGroups('--reset-offsets', '--group', GROUP, '--all-topics', '--shift-by', '4', '--execute', '--output', 'json');
    expect(shifted.code).toBe(0);
    // Partition 1 has 3 records: 0 + 4 is beyond its end, so it goes to 3, with a warning.
    expect(JSON.parse(shifted.stdout)).toEqual({
      executed: true,
      offsets: [
        { group: GROUP, topic: TOPIC, partition: 0, newOffset: 4 },
        { group: GROUP, topic: TOPIC, partition: 1, newOffset: 3 },
      ],
    });
    expect(shifted.stderr).toBe(`gregor groups: warning: New offset (4) is higher than latest offset for topic partition ${TOPIC}-1. Value will be set to 3\n`);
    expect(await committed(GROUP)).toEqual({ 0: 4, 1: 3 });

    const back = await gregorGroups('--reset-offsets', '--group', GROUP, '--topic', TOPIC, '--shift-by', '-3', '--execute');
    expect(back.code).toBe(0);
    expect(await committed(GROUP)).toEqual({ 0: 1, 1: 0 });
  });

  it('computes every reset scenario (dry runs)', async () => {
    // Committed now: p0 1, p1 0. p0's records have timestamps 1000-1004, p1's 2000-2002.
    const scenarios: [string[], [number, number]][] = [
      [['--to-offset', '2'], [2, 2]],
      [['--to-offset', '-7'], [0, 0]],
      [['--shift-by', '2'], [3, 2]],
      [['--to-latest'], [5, 3]],
      [['--to-earliest'], [0, 0]],
      [['--to-current'], [1, 0]],
      // The first record at or after the time; the log end when there is none.
      [['--to-datetime', '1970-01-01T00:00:01.003'], [3, 0]],
      [['--to-datetime', '1970-01-01T01:00:02.001+01:00'], [5, 1]],
      [['--by-duration', 'P1DT1H'], [5, 3]],
    ];
    const results = await Promise.all(scenarios.map(([args]) => gregorGroups('--reset-offsets', '--group', GROUP, '--topic', TOPIC, ...args, '--dry-run', '--output', 'json')));
    results.forEach((result, i) => {
      const what = scenarios[i][0].join(' ');
      expect(result.code, `${what}: ${result.stderr}`).toBe(0);
      const { executed, offsets } = JSON.parse(result.stdout) as { executed: boolean; offsets: { newOffset: number }[] };
      expect(executed, what).toBe(false);
      expect(offsets.map((o) => o.newOffset), what).toEqual(scenarios[i][1]);
    });
    expect(await committed(GROUP)).toEqual({ 0: 1, 1: 0 });
    const onePartition = await gregorGroups('--reset-offsets', '--group', GROUP, '--topic', `${TOPIC}:1`, '--to-earliest', '--dry-run');
    expect(onePartition.stdout.split('\n').map((l) => l.split(/ +/))).toEqual([['GROUP', 'TOPIC', 'PARTITION', 'NEW-OFFSET'], [GROUP, TOPIC, '1', '0'], ['']]);
    expect(onePartition.stderr).toBe('');
  });

  it('deletes offsets, then the empty group', async () => {
    const deletedOffsets = await groups('--delete-offsets', '--group', GROUP, '--topic', `${TOPIC}:0`);
    expect(deletedOffsets).toMatchObject({ code: 0, stderr: '' });
    expect(deletedOffsets.stdout.split('\n').map((l) => l.trimEnd())).toEqual([
      `Request succeed for deleting offsets with topic ${TOPIC}:0 group ${GROUP}`,
      '',
      `TOPIC${' '.repeat(26)}PARTITION       STATUS`,
      `${TOPIC.padEnd(30)} 0               Successful`,
      '',
    ]);
    expect(await committed(GROUP)).toEqual({ 0: -1, 1: 0 });

    // An empty group goes, and is then unknown.
    expect(await groups('--delete', '--group', GROUP)).toMatchObject({ code: 0, stdout: `Deletion of requested consumer groups ('${GROUP}') was successful.\n`, stderr: '' });
    expect(await committed(GROUP)).toEqual({ 0: -1, 1: -1 });
    expect(await groups('--describe', '--group', GROUP)).toMatchObject({ code: 1, stdout: '', stderr: `kafka-consumer-groups: Consumer group '${GROUP}' does not exist.\n` });
    expect((await groups('--list')).stdout.split('\n')).not.toContain(GROUP);
  });
});

describe('kafka-consumer-groups and gregor groups', () => {
  it('resets the offsets of a group that does not exist yet, creating it', async () => {
    const result = await groups('--reset-offsets', '--group', 'cli-groups-new', '--topic', TOPIC, '--to-offset', '2', '--execute');
    expect(result.code).toBe(0);
    expect(await committed('cli-groups-new')).toEqual({ 0: 2, 1: 2 });
    expect((await groups('--list')).stdout.split('\n')).toContain('cli-groups-new');
  });

  it('describes a consumer-protocol (KIP-848) group with ConsumerGroupDescribe', async () => {
    const client = new KafkaClient({ bootstrapServers: gregor.bootstrap, clientId: 'cli-kip848' });
    try {
      const heartbeat = await client.sendToGroupCoordinator(
        'cli-groups-848',
        ConsumerGroupHeartbeatApi,
        createConsumerGroupHeartbeatRequest({ groupId: 'cli-groups-848', memberId: '', memberEpoch: 0, rebalanceTimeoutMs: 30_000, subscribedTopicNames: [TOPIC], topicPartitions: [] }),
        { versions: { min: 0, max: 0 } },
      );
      expect(heartbeat.errorCode).toBe(0);
      const memberId = heartbeat.memberId ?? '';
      const [members, state, list] = await Promise.all([
        gregorGroups('--describe', '--group', 'cli-groups-848', '--members', '--verbose', '--output', 'json'),
        groups('--describe', '--group', 'cli-groups-848', '--state'),
        groups('--list', '--type', '--state'),
      ]);
      expect(JSON.parse(members.stdout)).toEqual([
        {
          group: 'cli-groups-848',
          state: 'Stable',
          members: [
            {
              consumerId: memberId,
              groupInstanceId: null,
              host: '/127.0.0.1',
              clientId: 'cli-kip848',
              partitions: 2,
              assignment: [
                { topic: TOPIC, partition: 0 },
                { topic: TOPIC, partition: 1 },
              ],
            },
          ],
        },
      ]);
      expect(state.stdout.split('\n')[2]).toMatch(/^cli-groups-848 +\S+ {2}\(1\) +uniform +Stable +1$/);
      expect(list.stdout.split('\n').map((l) => l.trim().split(/ +/))).toContainEqual(['cli-groups-848', 'consumer', 'Stable']);
      const refused = await groups('--reset-offsets', '--group', 'cli-groups-848', '--all-topics', '--to-earliest');
      expect(refused).toMatchObject({ code: 1, stderr: expect.stringContaining("Assignments can only be reset if the group 'cli-groups-848' is inactive, but the current state is Stable.") });
    } finally {
      await client.close();
    }
  });

  it('fails with one line for unknown groups and topics', async () => {
    const [describeKafka, describeGregor, deleted, offsetsDeleted, reset] = await Promise.all([
      groups('--describe', '--group', 'cli-groups-nope'),
      gregorGroups('--describe', '--group', 'cli-groups-nope', '--members'),
      groups('--delete', '--group', 'cli-groups-nope'),
      groups('--delete-offsets', '--group', 'cli-groups-nope', '--topic', TOPIC),
      groups('--reset-offsets', '--group', 'cli-groups-nope', '--topic', 'cli-groups-no-topic', '--to-earliest'),
    ]);
    expect(describeKafka).toMatchObject({ code: 1, stdout: '', stderr: "kafka-consumer-groups: Consumer group 'cli-groups-nope' does not exist.\n" });
    expect(describeGregor).toMatchObject({ code: 1, stderr: "gregor groups: Consumer group 'cli-groups-nope' does not exist.\n" });
    expect(deleted).toMatchObject({ code: 1, stderr: "kafka-consumer-groups: Group 'cli-groups-nope' could not be deleted due to: GROUP_ID_NOT_FOUND: The group id does not exist.\n" });
    expect(offsetsDeleted).toMatchObject({ code: 1, stderr: "kafka-consumer-groups: Consumer group 'cli-groups-nope' does not exist.\n" });
    expect(reset).toMatchObject({ code: 1, stderr: expect.stringMatching(/\nkafka-consumer-groups: Topic 'cli-groups-no-topic' does not exist\n$/) });
  });

  it('fails with exit code 2 and one line for bad flags', async () => {
    const usage: [string[], string][] = [
      [['--list', '--bogus'], 'Unknown argument: bogus'],
      [['--list', '--describe'], 'Command must include exactly one action: --list, --describe, --delete, --reset-offsets, --delete-offsets'],
      [['--describe'], '--describe needs --group or --all-groups'],
      [['--describe', '--group', 'g', '--members', '--offsets'], '--describe takes at most one of --members, --offsets, --state'],
      [['--reset-offsets', '--group', 'g', '--all-topics'], '--reset-offsets takes exactly one of --to-earliest, --to-latest, --to-current, --to-offset, --to-datetime, --shift-by, --by-duration'],
      [['--reset-offsets', '--group', 'g', '--to-earliest'], '--reset-offsets takes one of --topic and --all-topics'],
      [['--reset-offsets', '--group', 'g', '--all-topics', '--to-earliest', '--dry-run', '--execute'], '--reset-offsets takes one of --dry-run and --execute'],
      [['--reset-offsets', '--group', 'g', '--all-topics', '--to-datetime', '2024-01-01'], "--to-datetime takes 'YYYY-MM-DDTHH:mm:SS.sss' with an optional Z or ±hh:mm, got '2024-01-01'"],
      [['--reset-offsets', '--group', 'g', '--all-topics', '--by-duration', '1d'], "--by-duration takes an ISO-8601 duration 'PnDTnHnMnS' (e.g. P1DT2H or PT30M), got '1d'"],
      [['--list', '--state', 'Sleeping'], "Invalid state list 'Sleeping'. Valid states are: PreparingRebalance, CompletingRebalance, Stable, Dead, Empty, Assigning, Reconciling"],
      [['--delete-offsets', '--group', 'g'], '--delete-offsets needs --topic'],
    ];
    const results = await Promise.all(usage.map(([args]) => groups(...args)));
    results.forEach((result, i) => expect(result, usage[i][0].join(' ')).toMatchObject({ code: 2, stdout: '', stderr: `kafka-consumer-groups: ${usage[i][1]}\n` }));
  });

  it('fails with one line when no broker answers', async () => {
    const port = await closedPort();
    const properties = path.join(gregor.dataDir, 'cli-groups-client.properties');
    writeFileSync(properties, 'retries=0\n');
    const result = await runCli('kafka-consumer-groups', ['--bootstrap-server', `127.0.0.1:${port}`, '--command-config', properties, '--list']);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(new RegExp(`^kafka-consumer-groups: 127\\.0\\.0\\.1:${port}: .*ECONNREFUSED[^\\n]*\\n$`));
  });
});
