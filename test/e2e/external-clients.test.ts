import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrokerConnection } from '../../src/client/broker-connection.js';
import { FindCoordinatorApi } from '../../src/protocol/generated/apis.js';
import { CompressionType } from '../../src/protocol/records/batch-header.js';
import { BrokerProcess, tempDataDir } from './support/broker-process.js';
import { testConnectionOptions } from '../support/connection-options.js';
import { storedCodecs } from './support/stored-codecs.js';
import { storedBatches } from './support/idempotence.js';
import { type Codec, CODEC_TYPES } from './support/codecs.js';
import { waitFor } from '../support/wait-for.js';
import { type DescribedGroup, GroupAdmin, type PartitionOffsets } from './support/group-admin.js';

// Kafka clients that are not Node packages, run as child processes against a real broker: kcat,
// confluent-kafka-python and kafka-python (Debian's /usr/bin/python3), and sarama 1.22 built
// from Debian's GOPATH sources. .ci/run installs them; without CI a missing one is skipped.
// Each also consumes as a member of consumer groups; the tests read the groups, committed
// offsets and log end offsets from the broker themselves (support/group-admin.ts).

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const EXTERNAL = path.join(ROOT, 'test/external');
const PYTHON = '/usr/bin/python3';
const GOPATH = '/usr/share/gocode';
const GO_ENV = { ...process.env, GO111MODULE: 'off', GOPATH, GOCACHE: process.env.GOCACHE ?? path.join(tmpdir(), 'gregor-go-build') };
const CLIENT_TIMEOUT_MS = 50_000;

const COMPRESSED: Codec[] = ['gzip', 'snappy', 'lz4', 'zstd'];
/** The partitions of every topic the group tests use. */
const PARTITIONS = [0, 1, 2];

interface Message {
  key: string;
  value: string;
  headers: Array<[string, string]>;
}

interface ClientRecord extends Message {
  partition: number;
  offset: number;
}

/** What the Python and Go clients print. */
interface ClientReport {
  brokers: string[];
  topics: Record<string, number>;
  configs?: Record<string, string>;
  produced: ClientRecord[];
  consumed: ClientRecord[];
}

/** The broker a client's suite runs against, set once it has started. */
interface TestBroker {
  port: number;
  bootstrap: string;
  dataDir: string;
}

/** A client, the command that shows it is installed, and the Debian packages that install it. */
interface Client {
  name: string;
  probe: [string, string[], NodeJS.ProcessEnv?];
  packages: string;
}

/** Thirty keyed messages whose values compress well, so that every producer really compresses them. */
function messages(headers: (i: number) => Array<[string, string]>): Message[] {
  return Array.from({ length: 30 }, (_, i) => ({ key: `key-${i}`, value: `value ${i}, ${'compressible '.repeat(20)}`, headers: headers(i) }));
}

const indexHeader = (i: number): Array<[string, string]> => [['index', String(i)]];

/** Runs a client to completion and returns its stdout; fails with its stderr when it exits non-zero. */
function run(command: string, args: string[], input = '', env: NodeJS.ProcessEnv = process.env): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: ROOT, env, timeout: CLIENT_TIMEOUT_MS });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.once('error', reject);
    child.once('close', (code, signal) => {
      if (code === 0) resolve(stdout);
      else reject(new Error(`${command} ${args.join(' ')} exited with ${code ?? signal}:\n${stderr}`));
    });
    // A client that exits before reading its input says why in its exit code and stderr.
    child.stdin.on('error', () => undefined);
    child.stdin.end(input);
  });
}

/** A client process that runs until stopped: what it printed so far, and a way to stop it. */
interface RunningClient {
  stdout: () => string;
  /** Sends SIGTERM and resolves once the process has exited, with its stdout; fails when it exited non-zero. */
  stop: () => Promise<string>;
  /** Kills the process with SIGKILL and resolves once it has exited. */
  kill: () => Promise<void>;
}

function start(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): RunningClient {
  const child = spawn(command, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<number | string | null>((resolve) => {
    child.once('error', (err) => resolve(err.message));
    child.once('close', (code, signal) => resolve(code ?? signal));
  });
  const signal = async (name: NodeJS.Signals): Promise<number | string | null> => {
    if (child.exitCode === null && child.signalCode === null) child.kill(name);
    return exited;
  };
  return {
    stdout: () => stdout,
    stop: async () => {
      const code = await signal('SIGTERM');
      if (code !== 0) throw new Error(`${command} ${args.join(' ')} exited with ${code}:\n${stderr}`);
      return stdout;
    },
    kill: async () => {
      await signal('SIGKILL');
    },
  };
}

/**
 * A describe block for one client, with a broker of its own whose auto-created topics have three
 * partitions. When the client is not installed its suite is one test that is skipped with the
 * reason, or fails in CI, where .ci/run should have installed it.
 */
function describeClient(client: Client, body: (broker: TestBroker) => void): void {
  describe(client.name, () => {
    const [command, args, env] = client.probe;
    if (spawnSync(command, args, { stdio: 'ignore', env }).status !== 0) {
      const reason = `${client.name} is not installed (Debian packages: ${client.packages})`;
      it('is installed', (ctx) => {
        if (!process.env.CI) {
          console.warn(`skipping the ${client.name} tests: ${reason}`);
          ctx.skip(reason);
        }
        throw new Error(`${reason}; .ci/run installs them in CI`);
      });
      return;
    }
    const broker: TestBroker = { port: 0, bootstrap: '', dataDir: '' };
    let running: BrokerProcess | undefined;
    beforeAll(async () => {
      broker.dataDir = tempDataDir();
      // Groups form at once: the group tests wait for their members, never for a rebalance delay.
      running = await BrokerProcess.start(broker.dataDir, { 'num.partitions': '3', 'group.initial.rebalance.delay.ms': '0' });
      broker.port = running.port;
      broker.bootstrap = `127.0.0.1:${running.port}`;
    });
    afterAll(async () => {
      await running?.stop();
    });
    body(broker);
  });
}

/**
 * Every message was consumed exactly once: each partition holds the messages the producer sent to
 * it, in the order it sent them, at offsets 0, 1, 2, ...
 */
function expectConsumedInOrder(sent: Message[], consumed: ClientRecord[]): void {
  expect(consumed).toHaveLength(sent.length);
  const partitionOf = new Map(consumed.map((r) => [r.key, r.partition]));
  for (const partition of new Set(partitionOf.values())) {
    const expected = sent.filter((m) => partitionOf.get(m.key) === partition).map((m, offset) => ({ partition, offset, ...m }));
    expect(consumed.filter((r) => r.partition === partition)).toEqual(expected);
  }
}

/** The Python and Go clients' checks: delivery reports agree with what was consumed, in order. */
function expectRoundTrip(report: Pick<ClientReport, 'produced' | 'consumed'>, sent: Message[]): void {
  expectConsumedInOrder(sent, report.consumed);
  expect(report.produced).toEqual(sent.map((m) => report.consumed.find((r) => r.key === m.key)));
}


/**
 * The codec of the batches librdkafka sends when asked for `codec`. It enables lz4 only for
 * brokers that serve FindCoordinator, its sign of Kafka 0.8.2 or later, and sends uncompressed
 * batches otherwise; Gregor serves FindCoordinator once consumer groups exist.
 */
async function librdkafkaCodec(port: number, codec: Codec): Promise<CompressionType> {
  if (codec !== 'lz4') return CODEC_TYPES[codec];
  const connection = await BrokerConnection.open(testConnectionOptions(port, { clientId: 'e2e-external-clients' }));
  try {
    return connection.versions.range(FindCoordinatorApi.key) === undefined ? CompressionType.None : CompressionType.Lz4;
  } finally {
    await connection.close();
  }
}

/** A message as `kcat -C -J` prints it; headers are name, value, name, value, ... */
interface KcatMessage {
  partition: number;
  offset: number;
  key: string;
  payload: string;
  headers?: string[];
}

/** The records in `kcat -J` output, one JSON message per line. */
function kcatRecords(output: string): ClientRecord[] {
  return output
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const { partition, offset, key, payload, headers = [] } = JSON.parse(line) as KcatMessage;
      const pairs = headers.flatMap((name, i): Array<[string, string]> => (i % 2 === 0 ? [[name, headers[i + 1]]] : []));
      return { partition, offset, key, value: payload, headers: pairs };
    });
}

describeClient({ name: 'kcat', probe: ['kcat', ['-V']], packages: 'kcat' }, (broker) => {
  /** Produces `key:value` lines; kcat gives every message the same headers (-H). */
  const produce = (topic: string, codec: Codec, sent: Message[]): Promise<string> => {
    const headers = sent[0].headers.flatMap(([name, value]) => ['-H', `${name}=${value}`]);
    return run('kcat', ['-b', broker.bootstrap, '-P', '-t', topic, '-K:', '-z', codec, ...headers], sent.map((m) => `${m.key}:${m.value}\n`).join(''));
  };

  it.each(COMPRESSED)('produces with %s and consumes every message back, in order', async (codec) => {
    const topic = `kcat-${codec}`;
    const sent = messages(() => [
      ['origin', 'kcat'],
      ['codec', codec],
    ]);
    await produce(topic, codec, sent);
    const output = await run('kcat', ['-b', broker.bootstrap, '-C', '-t', topic, '-e', '-o', 'beginning', '-J', '-q']);
    expectConsumedInOrder(sent, kcatRecords(output));
    expect(storedCodecs(broker.dataDir, topic)).toEqual(new Set([await librdkafkaCodec(broker.port, codec)]));
  });

  it('lists the broker and the topics with their partitions', async () => {
    await produce('kcat-metadata', 'none', messages(indexHeader).slice(0, 1));
    const metadata = JSON.parse(await run('kcat', ['-b', broker.bootstrap, '-L', '-J'])) as {
      brokers: Array<{ id: number; name: string }>;
      topics: Array<{ topic: string; partitions: Array<{ partition: number; leader: number; replicas: Array<{ id: number }>; isrs: Array<{ id: number }> }> }>;
    };
    expect(metadata.brokers).toEqual([{ id: 1, name: broker.bootstrap }]);
    const topic = metadata.topics.find((t) => t.topic === 'kcat-metadata');
    expect(topic?.partitions).toEqual([0, 1, 2].map((partition) => ({ partition, leader: 1, replicas: [{ id: 1 }], isrs: [{ id: 1 }] })));
  });

  describe('balanced consumer group (-G)', () => {
    /** A `kcat -G` member that prints what it consumes as JSON lines, unbuffered. */
    const member = (group: string, topic: string, clientId: string): RunningClient => {
      const config = ['session.timeout.ms=6000', 'heartbeat.interval.ms=500', `client.id=${clientId}`].flatMap((c) => ['-X', c]);
      return start('kcat', ['-b', broker.bootstrap, '-G', group, '-o', 'beginning', '-J', '-q', '-u', ...config, topic]);
    };
    /** The group once it is Stable with `count` members that each own partitions of `topic`. */
    const settled = (admin: GroupAdmin, group: string, topic: string, count: number): Promise<DescribedGroup> =>
      waitFor(`${count} kcat members to own partitions`, async () => {
        const g = await admin.describeGroup(group);
        return g.state === 'Stable' && g.members.length === count && g.members.every((m) => (m.assignment[topic] ?? []).length > 0) ? g : undefined;
      });

    it('two members split a 3-partition topic, receive every message exactly once and commit up to the log end', async () => {
      const topic = 'kcat-group';
      const group = 'kcat-group';
      const admin = await GroupAdmin.open(broker.port);
      const members: RunningClient[] = [];
      try {
        await admin.createTopic(topic, 3);
        members.push(member(group, topic, 'kcat-a'), member(group, topic, 'kcat-b'));
        // Produce only once both members own partitions, so that no rebalance moves a partition
        // while its messages are being consumed.
        const described = await settled(admin, group, topic, 2);
        expect(described.protocolType).toBe('consumer');
        expect(described.members.map((m) => m.clientId).sort()).toEqual(['kcat-a', 'kcat-b']);
        expect(described.members.flatMap((m) => m.assignment[topic]).sort()).toEqual(PARTITIONS);
        expect(await admin.listGroups()).toContainEqual({ groupId: group, protocolType: 'consumer', state: 'Stable' });

        const sent = messages(() => []);
        await produce(topic, 'none', sent);
        // (A line still being written fails to parse, and waitFor asks again.)
        await waitFor('kcat to consume every message', async () => members.flatMap((m) => kcatRecords(m.stdout())).length >= sent.length || undefined);
        // A member commits what it consumed as it closes (and every 5 s before: kcat's -X sets
        // the topic-level auto.commit.interval.ms, not the consumer's), then leaves the group.
        const [a, b] = (await Promise.all(members.splice(0).map((m) => m.stop()))).map(kcatRecords);
        expectConsumedInOrder(sent, [...a, ...b]);
        for (const [records, clientId] of [[a, 'kcat-a'], [b, 'kcat-b']] as const) {
          const owned = described.members.find((m) => m.clientId === clientId)!.assignment[topic];
          expect(new Set(records.map((r) => r.partition))).toEqual(new Set(owned));
        }
        // Both left the group on the way out; what they committed stays.
        expect(await admin.describeGroup(group)).toMatchObject({ errorCode: 0, state: 'Empty', members: [] });
        expect(await admin.committedOffsets(group, topic, PARTITIONS)).toEqual(await admin.logEndOffsets(topic, PARTITIONS));
        expect(await admin.lag(group, topic, PARTITIONS)).toEqual({ 0: 0, 1: 0, 2: 0 });
      } finally {
        await Promise.all(members.map((m) => m.kill()));
        await admin.close();
      }
    });

    it('when a member dies, the group expires its session and gives its partitions to the other', async () => {
      const topic = 'kcat-group-failover';
      const group = 'kcat-group-failover';
      const admin = await GroupAdmin.open(broker.port);
      const members: RunningClient[] = [];
      try {
        await admin.createTopic(topic, 3);
        members.push(member(group, topic, 'kcat-doomed'), member(group, topic, 'kcat-survivor'));
        const [doomed, survivor] = members;
        await settled(admin, group, topic, 2);
        // No LeaveGroup: the coordinator notices only when the session (6 s) expires.
        await doomed.kill();
        const after = await settled(admin, group, topic, 1);
        expect(after.members).toMatchObject([{ clientId: 'kcat-survivor', assignment: { [topic]: PARTITIONS } }]);

        const sent = messages(() => []);
        await produce(topic, 'none', sent);
        await waitFor('the survivor to consume every message', async () => kcatRecords(survivor.stdout()).length >= sent.length || undefined);
        expectConsumedInOrder(sent, kcatRecords(await survivor.stop()));
        expect(kcatRecords(doomed.stdout())).toEqual([]);
        expect(await admin.lag(group, topic, PARTITIONS)).toEqual({ 0: 0, 1: 0, 2: 0 });
      } finally {
        await Promise.all(members.map((m) => m.kill()));
        await admin.close();
      }
    });
  });
});

interface PythonClient extends Client {
  script: string;
  /** The codec the client sends batches in when asked for one. */
  sends: (port: number, codec: Codec) => Promise<CompressionType>;
  /** The client's consumer group script: its produce and consume subcommands (see test/external). */
  groupScript: string;
  /** More group tests, for what only this client does. */
  groupTests?: (group: GroupScript, broker: TestBroker) => void;
}

/** What a group script's consume subcommand prints. */
interface MemberReport {
  assignment: number[];
  /** partition -> offset, as the client reads its commits back */
  committed: Record<string, number>;
  consumed: ClientRecord[];
  /** librdkafka's only */
  generation?: number;
  member_id?: string;
}

/** Runs a subcommand of a Python group script and parses what it prints. */
type GroupScript = <T>(command: string, args: string[], input?: Message[]) => Promise<T>;

/** Five messages with keys of their own, for a group to consume after the first thirty. */
function moreMessages(): Message[] {
  return messages(indexHeader)
    .slice(0, 5)
    .map((m, i) => ({ ...m, key: `more-${i}` }));
}

/** `records` sorted by key, to compare what went in with what came out when the order across partitions differs. */
function byKey(records: ClientRecord[]): ClientRecord[] {
  return [...records].sort((a, b) => a.key.localeCompare(b.key));
}

/** How many of `produced` went to each partition. */
function perPartition(produced: ClientRecord[]): PartitionOffsets {
  const counts: PartitionOffsets = Object.fromEntries(PARTITIONS.map((p) => [p, 0]));
  for (const r of produced) counts[r.partition]++;
  return counts;
}

/**
 * The group tests every Python client passes: a member consumes a topic and commits, the
 * consumer lag (log end minus committed offset, computed here) goes from 0 to N when N more
 * messages arrive, and the next member of the group resumes at the commits and takes just those.
 */
function describePythonGroups(client: PythonClient, broker: TestBroker): void {
  const group: GroupScript = async <T>(command: string, args: string[], input: Message[] = []): Promise<T> =>
    JSON.parse(await run(PYTHON, [path.join(EXTERNAL, client.groupScript), command, '--bootstrap', broker.bootstrap, ...args], JSON.stringify(input))) as T;

  describe('consumer groups', () => {
    it('a member consumes everything and commits; the lag goes 0, N, 0 as the next run resumes from the commits', async () => {
      const topic = `${client.name}-group-resume`;
      const groupId = `${client.name}-resume`;
      const admin = await GroupAdmin.open(broker.port);
      try {
        const sent = messages(indexHeader);
        await group('produce', ['--topic', topic], sent);
        const first = await group<MemberReport>('consume', ['--topic', topic, '--group', groupId]);
        expect(first.assignment).toEqual(PARTITIONS);
        expectConsumedInOrder(sent, first.consumed);
        const end = await admin.logEndOffsets(topic, PARTITIONS);
        expect(await admin.committedOffsets(groupId, topic, PARTITIONS)).toEqual(end);
        expect(first.committed).toEqual(Object.fromEntries(PARTITIONS.map((p) => [String(p), end[p]])));
        expect(await admin.lag(groupId, topic, PARTITIONS)).toEqual({ 0: 0, 1: 0, 2: 0 });
        // The member left as it closed; the group stays, with its offsets.
        expect(await admin.describeGroup(groupId)).toMatchObject({ errorCode: 0, state: 'Empty', members: [] });
        expect(await admin.listGroups()).toContainEqual({ groupId, protocolType: 'consumer', state: 'Empty' });

        const more = moreMessages();
        const { produced } = await group<{ produced: ClientRecord[] }>('produce', ['--topic', topic], more);
        expect(await admin.lag(groupId, topic, PARTITIONS)).toEqual(perPartition(produced));

        const second = await group<MemberReport>('consume', ['--topic', topic, '--group', groupId]);
        expect(second.assignment).toEqual(PARTITIONS);
        expect(byKey(second.consumed)).toEqual(byKey(produced));
        expect(second.consumed.every((r) => r.offset >= end[r.partition])).toBe(true);
        expect(await admin.lag(groupId, topic, PARTITIONS)).toEqual({ 0: 0, 1: 0, 2: 0 });
      } finally {
        await admin.close();
      }
    });

    client.groupTests?.(group, broker);
  });
}

/** The suite of a Python client script: create the topic with its admin client, produce with each codec, consume. */
function describePythonClient(client: PythonClient): void {
  describeClient(client, (broker) => {
    it.each<Codec>(['none', ...COMPRESSED])('creates a topic, produces with %s and consumes every message back, in order', async (codec) => {
      const topic = `${client.name}-${codec}`;
      const sent = messages(indexHeader);
      const args = [path.join(EXTERNAL, client.script), '--bootstrap', broker.bootstrap, '--topic', topic, '--partitions', '3', '--compression', codec];
      const report = JSON.parse(await run(PYTHON, args, JSON.stringify(sent))) as ClientReport;
      expect(report.brokers).toEqual([`1@${broker.bootstrap}`]);
      expect(report.topics[topic]).toBe(3);
      expect(report.configs).toEqual({ 'retention.ms': '3600000', 'cleanup.policy': 'delete' });
      expectRoundTrip(report, sent);
      expect(storedCodecs(broker.dataDir, topic)).toEqual(new Set([await client.sends(broker.port, codec)]));
    });

    describePythonGroups(client, broker);
  });
}

/** What confluent_kafka_group.py split prints. */
interface SplitReport {
  produced: ClientRecord[];
  members: Array<{ assignment: number[]; consumed: ClientRecord[] }>;
}

/** confluent-kafka-python's own group tests: two members sharing a topic, and a static member. */
function confluentGroupTests(group: GroupScript, broker: TestBroker): void {
  it('two members of a group split the partitions and together consume every message once', async () => {
    const topic = 'confluent-group-split';
    const groupId = 'confluent-split';
    const admin = await GroupAdmin.open(broker.port);
    try {
      const sent = messages(indexHeader);
      const report = await group<SplitReport>('split', ['--topic', topic, '--group', groupId], sent);
      const [a, b] = report.members;
      expect(a.assignment.length).toBeGreaterThan(0);
      expect(b.assignment.length).toBeGreaterThan(0);
      expect([...a.assignment, ...b.assignment].sort()).toEqual(PARTITIONS);
      for (const member of report.members) expect(member.consumed.every((r) => member.assignment.includes(r.partition))).toBe(true);
      expectRoundTrip({ produced: report.produced, consumed: [...a.consumed, ...b.consumed] }, sent);
      expect(await admin.committedOffsets(groupId, topic, PARTITIONS)).toEqual(await admin.logEndOffsets(topic, PARTITIONS));
    } finally {
      await admin.close();
    }
  });

  // Kafka's static membership (KIP-345): a member with a group.instance.id that comes back before
  // its session times out takes its old place, with a new member id, and gets its assignment back
  // in the same generation: no rebalance. librdkafka sends no LeaveGroup when a static member closes.
  it('a static member that restarts within its session gets its partitions back without a rebalance', async () => {
    const topic = 'confluent-group-static';
    const groupId = 'confluent-static';
    // Long enough that the restart is sure to come within it; nothing waits for it to expire.
    const member = ['--topic', topic, '--group', groupId, '--instance-id', 'static-1', '--session-timeout', '30000'];
    const admin = await GroupAdmin.open(broker.port);
    try {
      const sent = messages(indexHeader);
      await group('produce', ['--topic', topic], sent);
      const first = await group<MemberReport>('consume', member);
      expect(first.assignment).toEqual(PARTITIONS);
      expectConsumedInOrder(sent, first.consumed);
      const stillThere = { errorCode: 0, state: 'Stable', members: [{ memberId: first.member_id, groupInstanceId: 'static-1', assignment: { [topic]: PARTITIONS } }] };
      expect(await admin.describeGroup(groupId)).toMatchObject(stillThere);
      // What librdkafka's own admin client (ListGroups, then DescribeGroups) makes of it.
      expect(await group('describe', ['--group', groupId])).toEqual({
        state: 'Stable',
        protocol_type: 'consumer',
        protocol: 'range',
        members: [{ id: first.member_id, client_id: 'rdkafka', assignment: PARTITIONS }],
      });

      const { produced } = await group<{ produced: ClientRecord[] }>('produce', ['--topic', topic], moreMessages());
      const second = await group<MemberReport>('consume', member);
      expect(second.generation).toBe(first.generation);
      expect(second.member_id).not.toBe(first.member_id);
      expect(second.assignment).toEqual(first.assignment);
      expect(second.consumed.map((r) => r.key).sort()).toEqual(produced.map((r) => r.key).sort());
      const described = await admin.describeGroup(groupId);
      expect(described).toMatchObject({ ...stillThere, members: [{ ...stillThere.members[0], memberId: second.member_id }] });
      expect(described.members).toHaveLength(1);
    } finally {
      await admin.close();
    }
  });
}

describePythonClient({
  name: 'confluent-kafka-python',
  probe: [PYTHON, ['-c', 'import confluent_kafka']],
  packages: 'python3-confluent-kafka',
  script: 'confluent_kafka_client.py',
  sends: librdkafkaCodec,
  groupScript: 'confluent_kafka_group.py',
  groupTests: confluentGroupTests,
});
describePythonClient({
  name: 'kafka-python',
  probe: [PYTHON, ['-c', 'import kafka, snappy, lz4, zstandard']],
  packages: 'python3-kafka python3-snappy python3-lz4 python3-zstandard',
  script: 'kafka_python_client.py',
  sends: async (_port, codec) => CODEC_TYPES[codec],
  groupScript: 'kafka_python_group.py',
});

describeClient(
  { name: 'sarama 1.22', probe: ['go', ['list', 'github.com/Shopify/sarama'], GO_ENV], packages: 'golang-go golang-github-shopify-sarama-dev gcc libc6-dev' },
  (broker) => {
    let binary = '';
    let groupBinary = '';
    beforeAll(async () => {
      binary = path.join(mkdtempSync(path.join(tmpdir(), 'gregor-sarama-')), 'sarama-client');
      await run('go', ['build', '-o', binary, './test/external/sarama'], '', GO_ENV);
      groupBinary = path.join(path.dirname(binary), 'sarama-group');
      await run('go', ['build', '-o', groupBinary, './test/external/sarama-group'], '', GO_ENV);
    }, 180_000);
    afterAll(() => {
      if (binary !== '') rmSync(path.dirname(binary), { recursive: true, force: true });
    });

    const sarama = async (topic: string, sent: Message[], args: string[]): Promise<ClientReport> =>
      JSON.parse(await run(binary, ['-bootstrap', broker.bootstrap, '-topic', topic, ...args], JSON.stringify(sent))) as ClientReport;

    // Sarama's default version is Kafka 0.8.2: Metadata v0, Produce v0 with message format v0
    // (compressed sets are wrapped), Fetch v0. The broker up-converts on append and down-converts
    // on fetch.
    it.each<Codec>(['none', 'gzip', 'snappy'])('at its default version, produces legacy v0 messages with %s and consumes them back', async (codec) => {
      const topic = `sarama-legacy-${codec}`;
      const sent = messages(() => []);
      const report = await sarama(topic, sent, ['-compression', codec]);
      expect(report.brokers).toEqual([`1@${broker.bootstrap}`]);
      expect(report.topics[topic]).toBe(3);
      expectRoundTrip(report, sent);
      expect(storedCodecs(broker.dataDir, topic)).toEqual(new Set([CODEC_TYPES[codec]]));
    });

    it.each<Codec>(['none', 'gzip', 'snappy', 'lz4'])('at V2_0_0_0, creates a topic, produces with %s and headers and consumes them back', async (codec) => {
      const topic = `sarama-v2-${codec}`;
      const sent = messages(indexHeader);
      const report = await sarama(topic, sent, ['-version', '2.0.0', '-compression', codec, '-create', '3']);
      expect(report.brokers).toEqual([`1@${broker.bootstrap}`]);
      expect(report.topics[topic]).toBe(3);
      expect(report.configs).toEqual({ 'retention.ms': '3600000', 'cleanup.policy': 'delete' });
      expectRoundTrip(report, sent);
      expect(storedCodecs(broker.dataDir, topic)).toEqual(new Set([CODEC_TYPES[codec]]));
    });

    describe('idempotent producer', () => {
      it('gets a producer id and produces every message once with sequence numbers', async () => {
        const topic = 'sarama-idempotent';
        const sent = messages(indexHeader);
        const report = await sarama(topic, sent, ['-version', '2.0.0', '-create', '3', '-idempotent']);
        expectRoundTrip(report, sent);
        const batches = PARTITIONS.flatMap((p) => storedBatches(broker.dataDir, topic, p));
        expect(batches.length).toBeGreaterThan(0);
        expect(new Set(batches.map((b) => b.producerId)).size).toBe(1);
        expect(batches.every((b) => b.producerId >= 0 && b.producerEpoch === 0 && b.baseSequence >= 0)).toBe(true);
      });
    });

    describe('consumer groups', () => {
      interface SaramaMemberReport {
        produced: ClientRecord[];
        consumed: ClientRecord[];
        generation: number;
        member_id: string;
        claims: number[];
      }
      const member = async (topic: string, group: string, sent: Message[]): Promise<SaramaMemberReport> =>
        JSON.parse(await run(groupBinary, ['-bootstrap', broker.bootstrap, '-topic', topic, '-group', group], JSON.stringify(sent))) as SaramaMemberReport;

      it('a ConsumerGroup member consumes every message and commits what it marked; the next member resumes there', async () => {
        const topic = 'sarama-group';
        const group = 'sarama-group';
        const admin = await GroupAdmin.open(broker.port);
        try {
          const sent = messages(indexHeader);
          const first = await member(topic, group, sent);
          expect(first.claims).toEqual(PARTITIONS);
          expectRoundTrip(first, sent);
          const end = await admin.logEndOffsets(topic, PARTITIONS);
          expect(await admin.committedOffsets(group, topic, PARTITIONS)).toEqual(end);
          // The member left as it closed; the group stays, with its offsets.
          expect(await admin.describeGroup(group)).toMatchObject({ errorCode: 0, state: 'Empty', members: [] });

          const more = moreMessages();
          const second = await member(topic, group, more);
          expect(second.claims).toEqual(PARTITIONS);
          expect(second.generation).toBeGreaterThan(first.generation);
          expect(byKey(second.consumed)).toEqual(byKey(second.produced));
          expect(second.consumed.map((r) => r.key).sort()).toEqual(more.map((m) => m.key).sort());
          expect(await admin.lag(group, topic, PARTITIONS)).toEqual({ 0: 0, 1: 0, 2: 0 });
        } finally {
          await admin.close();
        }
      });
    });
  },
);

/** What confluent_kafka_txn.py prints. */
interface TxnReport {
  input: ClientRecord[];
  aborted: ClientRecord[];
  committed: ClientRecord[];
  offsets_after_abort: Record<string, number>;
  offsets_after_commit: Record<string, number>;
  read_committed: ClientRecord[];
  read_uncommitted: ClientRecord[];
}

describeClient(
  { name: 'confluent-kafka-python transactions', probe: [PYTHON, ['-c', 'import confluent_kafka']], packages: 'python3-confluent-kafka' },
  (broker) => {
    // A consume-transform-produce round trip: a group member reads the input, a transactional
    // producer copies it to the output with the member's offsets (send_offsets_to_transaction),
    // aborts once and commits once; read_committed consumers see exactly the committed copy.
    it('a transactional producer aborts and commits produce to several partitions with send_offsets_to_transaction', async () => {
      const [input, output, groupId] = ['confluent-txn-in', 'confluent-txn-out', 'confluent-txn-group'];
      const sent = messages(() => []);
      const args = ['--bootstrap', broker.bootstrap, '--input', input, '--output', output, '--group', groupId, '--transactional-id', 'confluent-txn'];
      const report = JSON.parse(await run(PYTHON, [path.join(EXTERNAL, 'confluent_kafka_txn.py'), ...args], JSON.stringify(sent))) as TxnReport;
      expect(report.input.map((r) => r.key).sort()).toEqual(sent.map((m) => m.key).sort());
      const positions = Object.fromEntries(PARTITIONS.map((p) => [String(p), report.input.filter((r) => r.partition === p).length]));
      // The input spread over every partition, and so did each transaction's output.
      expect(Object.values(positions).every((n) => n > 0)).toBe(true);
      expect(new Set(report.committed.map((r) => r.partition))).toEqual(new Set(PARTITIONS));

      expect(report.offsets_after_abort).toEqual({ 0: -1, 1: -1, 2: -1 });
      expect(report.offsets_after_commit).toEqual(positions);
      const admin = await GroupAdmin.open(broker.port);
      try {
        expect(await admin.committedOffsets(groupId, input, PARTITIONS)).toEqual(await admin.logEndOffsets(input, PARTITIONS));
      } finally {
        await admin.close();
      }

      const values = (records: ClientRecord[]): string[] => records.map((r) => `${r.partition}:${r.offset}:${r.key}:${r.value}`).sort();
      expect(values(report.read_committed)).toEqual(values(report.committed));
      expect(values(report.read_uncommitted)).toEqual(values([...report.aborted, ...report.committed]));
      expect(report.committed.map((r) => r.value).sort()).toEqual(report.input.map((r) => `commit:${r.value}`).sort());
      // Each copy went to the partition its input came from.
      const source = new Map(report.input.map((r) => [r.key, r.partition]));
      expect([...report.aborted, ...report.committed].every((r) => r.partition === source.get(r.key))).toBe(true);
    });
  },
);
