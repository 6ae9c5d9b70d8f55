/**
 * node-rdkafka (librdkafka 2.12) consumer groups against `gregor server` as a child process: the
 * classic protocol with commits a second member resumes from, the KIP-848 consumer protocol
 * (`group.protocol: 'consumer'`, ConsumerGroupHeartbeat), and static membership.
 *
 * The broker runs as a process, not in this one: node-rdkafka's commitSync blocks the JS thread
 * until the broker answers, which an embedded broker could then never do.
 */
import { rmSync } from 'node:fs';
import { AssignerProtocol, Kafka as KafkaJs, logLevel, type Admin } from 'kafkajs';
import Kafka, { type Assignment, type LibrdKafkaError, type Message } from 'node-rdkafka';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BrokerConnection } from '../../src/client/broker-connection.js';
import { decodeCoordinatorRecord } from '../../src/coordinator/group/coordinator-record-serde.js';
import type { GroupMetadataValue } from '../../src/protocol/generated/group-coordinator/group-metadata-value.js';
import { ConsumerGroupDescribeApi } from '../../src/protocol/generated/apis.js';
import {
  createConsumerGroupDescribeRequest,
} from '../../src/protocol/generated/clients/consumer-group-describe-request.js';
import type { ConsumerGroupDescribeResponseDescribedGroup } from '../../src/protocol/generated/clients/consumer-group-describe-response.js';
import { testConnectionOptions } from '../support/connection-options.js';
import { BrokerProcess, tempDataDir } from './support/broker-process.js';
import { waitFor } from '../support/wait-for.js';

const TIMEOUT_MS = 10_000;

/**
 * No initial rebalance delay (groups here form by waiting for their members); one
 * __consumer_offsets partition, so that a group's records are all in partition 0; KIP-848
 * members told to heartbeat often, so that assignment changes reach them soon.
 */
const BROKER_PROPERTIES = {
  'group.initial.rebalance.delay.ms': '0',
  'offsets.topic.num.partitions': '1',
  'group.consumer.heartbeat.interval.ms': '500',
};

let dataDir: string;
let broker: BrokerProcess;
let bootstrap: string;
let admin: Admin;
let members: RdMember[] = [];

beforeAll(async () => {
  dataDir = tempDataDir();
  broker = await BrokerProcess.start(dataDir, BROKER_PROPERTIES);
  bootstrap = `127.0.0.1:${broker.port}`;
  admin = new KafkaJs({ brokers: [bootstrap], clientId: 'e2e-rd-groups-admin', logLevel: logLevel.NOTHING, retry: { retries: 10, initialRetryTime: 50 } }).admin();
  await admin.connect();
});

afterEach(async () => {
  await Promise.all(members.map((m) => m.close()));
  members = [];
});

afterAll(async () => {
  await admin?.disconnect();
  if (broker) expect(await broker.stop()).toBe(0);
  rmSync(dataDir, { recursive: true, force: true });
});

/** Runs a callback-style librdkafka call; resolves with its result or rejects with its error. */
function call<T = unknown>(start: (done: (err: LibrdKafkaError | null | undefined, value?: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => start((err, value) => (err ? reject(err) : resolve(value as T))));
}

async function createTopic(topic: string, partitions: number): Promise<void> {
  await admin.createTopics({ topics: [{ topic, numPartitions: partitions }] });
}

/** Produces `count` keyed messages (`<prefix>-<i>`) with librdkafka and waits for every delivery report. */
async function produce(topic: string, prefix: string, count: number): Promise<string[]> {
  const producer = new Kafka.Producer({ 'bootstrap.servers': bootstrap, dr_cb: true, 'linger.ms': 5 });
  await call((done) => producer.connect({}, done));
  const keys = Array.from({ length: count }, (_, i) => `${prefix}-${i}`);
  let delivered = 0;
  const all = new Promise<void>((resolve, reject) => {
    producer.on('delivery-report', (err) => {
      if (err) reject(err);
      if (++delivered === count) resolve();
    });
  });
  producer.setPollInterval(10);
  for (const key of keys) producer.produce(topic, null, Buffer.from(`value of ${key}`), key);
  await all;
  await call((done) => producer.disconnect(done));
  return keys;
}

/** A node-rdkafka KafkaConsumer subscribed to one topic, consuming in a loop and recording what it gets. */
class RdMember {
  readonly consumer: Kafka.KafkaConsumer;
  readonly messages: Message[] = [];
  /** Every rebalance callback: 'assign' or 'revoke' and its partitions. */
  readonly rebalances: Array<{ kind: 'assign' | 'revoke'; partitions: number[] }> = [];
  private running = true;
  private loop?: Promise<void>;
  private closed?: Promise<void>;

  constructor(
    readonly name: string,
    config: Kafka.ConsumerGlobalConfig,
  ) {
    this.consumer = new Kafka.KafkaConsumer(
      { 'bootstrap.servers': bootstrap, 'client.id': `e2e-rd-${name}`, 'enable.auto.commit': false, rebalance_cb: true, ...config },
      { 'auto.offset.reset': 'earliest' },
    );
    this.consumer.on('rebalance', (err, assignment) => {
      const kind = err.code === Kafka.CODES.ERRORS.ERR__ASSIGN_PARTITIONS ? 'assign' : 'revoke';
      this.rebalances.push({ kind, partitions: assignment.map((a) => a.partition).sort((a, b) => a - b) });
    });
  }

  static async start(name: string, topic: string, config: Kafka.ConsumerGlobalConfig): Promise<RdMember> {
    const member = new RdMember(name, config);
    members.push(member);
    await call((done) => member.consumer.connect({}, done));
    member.consumer.setDefaultConsumeTimeout(100);
    member.consumer.subscribe([topic]);
    member.loop = (async () => {
      while (member.running) member.messages.push(...(await call<Message[]>((done) => member.consumer.consume(100, done))));
    })();
    return member;
  }

  /** Its current assignment's partitions. */
  get partitions(): number[] {
    return this.consumer
      .assignments()
      .map((a: Assignment) => a.partition)
      .sort((a, b) => a - b);
  }

  /** Commits the position of every assigned partition (OffsetCommit), waiting for the answer. */
  commit(): void {
    this.consumer.commitSync(null);
  }

  /** Committed offsets of its assigned partitions, as librdkafka's OffsetFetch reads them. */
  async committed(): Promise<Map<number, number>> {
    const offsets = await call<Array<{ partition: number; offset: number }>>((done) => this.consumer.committed(TIMEOUT_MS, done));
    return new Map(offsets.map((o) => [o.partition, o.offset]));
  }

  /** Stops consuming and closes the consumer (a dynamic member leaves; a static one does not). */
  close(): Promise<void> {
    this.closed ??= (async () => {
      this.running = false;
      await this.loop;
      await call((done) => this.consumer.disconnect(done));
    })();
    return this.closed;
  }
}

/** Committed offset per partition (-1 when none), from OffsetFetch by a client outside the group. */
async function fetchOffsets(groupId: string, topic: string): Promise<number[]> {
  const [result] = await admin.fetchOffsets({ groupId, topics: [topic] });
  return result.partitions.sort((a, b) => a.partition - b.partition).map((p) => Number(p.offset));
}

async function endOffsets(topic: string): Promise<number[]> {
  return (await admin.fetchTopicOffsets(topic)).sort((a, b) => a.partition - b.partition).map((p) => Number(p.high));
}

/** A consumer-protocol group as ConsumerGroupDescribe (v0, which kafkajs does not speak) tells it. */
async function consumerGroupDescribe(groupId: string): Promise<ConsumerGroupDescribeResponseDescribedGroup> {
  const connection = await BrokerConnection.open(testConnectionOptions(broker.port, { clientId: 'e2e-rd-groups-describe' }));
  try {
    const response = await connection.send(ConsumerGroupDescribeApi, 0, createConsumerGroupDescribeRequest({ groupIds: [groupId] }));
    return response.groups[0];
  } finally {
    await connection.close();
  }
}

function keysOf(messages: Message[]): string[] {
  return messages.map((m) => m.key!.toString()).sort();
}

describe('node-rdkafka consumer groups, classic protocol', () => {
  it('consumes every message and commits; a second member resumes from the committed offsets', async () => {
    const topic = 'rd-classic';
    const groupId = 'rd-classic';
    await createTopic(topic, 3);
    const first = await produce(topic, 'first', 60);

    const config = { 'group.id': groupId, 'session.timeout.ms': 6000, 'heartbeat.interval.ms': 500 };
    const a = await RdMember.start('a', topic, config);
    await waitFor('a to consume every message', () => a.messages.length >= 60, { describe: () => a.messages.length });
    expect(a.partitions).toEqual([0, 1, 2]);
    expect(keysOf(a.messages)).toEqual([...first].sort());
    a.commit();
    const end = await endOffsets(topic);
    expect(await a.committed()).toEqual(new Map(end.map((offset, partition) => [partition, offset])));
    expect(await fetchOffsets(groupId, topic)).toEqual(end);
    await a.close();

    const second = await produce(topic, 'second', 30);
    const b = await RdMember.start('b', topic, config);
    await waitFor('b to consume the new messages', () => b.messages.length >= 30, { describe: () => b.messages.length });
    b.commit();
    await waitFor('b to commit everything', async () => JSON.stringify(await fetchOffsets(groupId, topic)) === JSON.stringify(await endOffsets(topic)));
    // It started at the committed offsets: none of the first 60 came again.
    expect(keysOf(b.messages)).toEqual([...second].sort());
    for (const m of b.messages) expect(m.offset).toBeGreaterThanOrEqual(end[m.partition]);
  });
});

describe('node-rdkafka consumer groups, consumer protocol (KIP-848)', () => {
  it('splits the partitions between two members, delivers every message once, and commits', async () => {
    const topic = 'rd-kip848';
    const groupId = 'rd-kip848';
    await createTopic(topic, 4);
    const config = { 'group.id': groupId, 'group.protocol': 'consumer' } as Kafka.ConsumerGlobalConfig;
    const a = await RdMember.start('a', topic, config);
    const b = await RdMember.start('b', topic, config);
    await waitFor(
      'a and b to split the four partitions',
      () => a.partitions.length > 0 && b.partitions.length > 0 && [...a.partitions, ...b.partitions].sort().join() === '0,1,2,3',
      { describe: () => ({ a: a.partitions, b: b.partitions, rebalances: [a.rebalances, b.rebalances] }) },
    );
    // The uniform assignor balances them: two each.
    expect([a.partitions.length, b.partitions.length]).toEqual([2, 2]);
    const assigned = { a: a.partitions, b: b.partitions };
    // librdkafka took the consumer protocol's incremental path, and the broker has a consumer-protocol group.
    expect(a.consumer.rebalanceProtocol()).toBe('COOPERATIVE');
    let described: ConsumerGroupDescribeResponseDescribedGroup | undefined;
    await waitFor(
      'ConsumerGroupDescribe to show the reconciled assignment',
      async () => {
        described = await consumerGroupDescribe(groupId);
        return described.groupState === 'Stable' && described.members.every((m) => m.memberEpoch === described!.groupEpoch);
      },
      { describe: () => described },
    );
    expect(described).toMatchObject({ errorCode: 0, groupId, assignorName: 'uniform' });
    const describedAssignment = described!.members
      .map((m) => [m.clientId, m.assignment.topicPartitions.flatMap((tp) => [...tp.partitions].sort((x, y) => x - y))])
      .sort();
    expect(describedAssignment).toEqual([
      ['e2e-rd-a', assigned.a],
      ['e2e-rd-b', assigned.b],
    ]);
    for (const m of described!.members) expect(m.subscribedTopicNames).toEqual([topic]);

    const keys = await produce(topic, 'kip848', 80);
    await waitFor('every message to be consumed', () => a.messages.length + b.messages.length >= 80, {
      describe: () => [a.messages.length, b.messages.length],
    });
    expect(keysOf([...a.messages, ...b.messages])).toEqual([...keys].sort());
    for (const m of a.messages) expect(assigned.a).toContain(m.partition);
    for (const m of b.messages) expect(assigned.b).toContain(m.partition);

    a.commit();
    b.commit();
    const end = await endOffsets(topic);
    expect(await fetchOffsets(groupId, topic)).toEqual(end);
    const committed = new Map([...(await a.committed()), ...(await b.committed())]);
    expect(committed).toEqual(new Map(end.map((offset, partition) => [partition, offset])));

    // When a leaves, b gets its partitions and has nothing left to read from them.
    await a.close();
    await waitFor('b to own every partition', () => b.partitions.join() === '0,1,2,3', { describe: () => b.rebalances });
    const more = await produce(topic, 'more', 20);
    const newOnes = () => b.messages.filter((m) => m.key!.toString().startsWith('more'));
    await waitFor('b to consume the new messages', () => newOnes().length >= 20, { describe: () => newOnes().length });
    expect(keysOf(newOnes())).toEqual([...more].sort());
    expect(keysOf([...a.messages, ...b.messages]).filter((k) => k.startsWith('kip848'))).toEqual([...keys].sort());
  });
});

/** Every GroupMetadata value the coordinator wrote for `groupId`, in order (__consumer_offsets has one partition here). */
async function groupMetadataHistory(groupId: string): Promise<GroupMetadataValue[]> {
  const reader = new Kafka.KafkaConsumer({ 'bootstrap.servers': bootstrap, 'group.id': 'e2e-rd-reader-unused', 'enable.auto.commit': false }, {});
  await call((done) => reader.connect({}, done));
  try {
    const { highOffset } = await call<{ highOffset: number }>((done) => reader.queryWatermarkOffsets('__consumer_offsets', 0, TIMEOUT_MS, done));
    reader.assign([{ topic: '__consumer_offsets', partition: 0, offset: 0 }]);
    reader.setDefaultConsumeTimeout(100);
    const records: Message[] = [];
    await waitFor('__consumer_offsets to be read', async () => {
      records.push(...(await call<Message[]>((done) => reader.consume(500, done))));
      return records.length > 0 && records.at(-1)!.offset >= highOffset - 1;
    });
    const history: GroupMetadataValue[] = [];
    for (const r of records) {
      const record = decodeCoordinatorRecord(r.key as Buffer, r.value ?? null);
      if (record?.type === 'GroupMetadata' && record.key.group === groupId && record.value !== null) history.push(record.value);
    }
    return history;
  } finally {
    await call((done) => reader.disconnect(done));
  }
}

describe('node-rdkafka static membership (classic protocol)', () => {
  it('gives a static member that closed and came back within its session its partitions again, without a rebalance', async () => {
    const topic = 'rd-static';
    const groupId = 'rd-static';
    await createTopic(topic, 4);
    // A long session: the member comes back well within it, however slow the machine.
    const config = (instance: string) => ({ 'group.id': groupId, 'group.instance.id': instance, 'session.timeout.ms': 30_000, 'heartbeat.interval.ms': 500 });
    const a = await RdMember.start('a', topic, config('static-a'));
    const b = await RdMember.start('b', topic, config('static-b'));
    await waitFor('a and b to split the partitions', () => a.partitions.length === 2 && b.partitions.length === 2, {
      describe: () => ({ a: a.rebalances, b: b.rebalances }),
    });
    const partitionsOfA = a.partitions;
    const rebalancesOfB = b.rebalances.length;
    const before = (await groupMetadataHistory(groupId)).at(-1)!;
    expect(before.members.map((m) => m.groupInstanceId).sort()).toEqual(['static-a', 'static-b']);

    // librdkafka's static members send no LeaveGroup when they close: the group keeps a, and stays Stable.
    await a.close();
    const { groups } = await admin.describeGroups([groupId]);
    expect(groups[0].state).toBe('Stable');
    expect(groups[0].members).toHaveLength(2);

    const again = await RdMember.start('a-again', topic, config('static-a'));
    await waitFor('a to be back', () => again.partitions.length > 0, { describe: () => again.rebalances });
    expect(again.partitions).toEqual(partitionsOfA);
    expect(again.rebalances).toEqual([{ kind: 'assign', partitions: partitionsOfA }]);

    // Both consume what comes next, b without having been revoked or reassigned anything.
    const keys = await produce(topic, 'static', 40);
    await waitFor('a and b to consume the new messages', () => again.messages.length + b.messages.length >= 40);
    expect(keysOf([...again.messages, ...b.messages])).toEqual([...keys].sort());
    expect(again.messages.length).toBeGreaterThan(0);
    expect(b.messages.length).toBeGreaterThan(0);
    expect(b.rebalances).toHaveLength(rebalancesOfB);

    // The coordinator kept the generation; it gave the instance id a new member id with the same assignment.
    const after = (await groupMetadataHistory(groupId)).at(-1)!;
    expect(after.generation).toBe(before.generation);
    const memberOf = (value: GroupMetadataValue, instance: string) => value.members.find((m) => m.groupInstanceId === instance)!;
    expect(memberOf(after, 'static-a').memberId).not.toBe(memberOf(before, 'static-a').memberId);
    expect(memberOf(after, 'static-a').assignment).toEqual(memberOf(before, 'static-a').assignment);
    expect(AssignerProtocol.MemberAssignment.decode(memberOf(after, 'static-a').assignment)?.assignment[topic]).toEqual(partitionsOfA);
    expect(memberOf(after, 'static-b')).toEqual(memberOf(before, 'static-b'));
  });
});
