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
import { type Codec, CODEC_TYPES } from './support/codecs.js';

// Kafka clients that are not Node packages, run as child processes against a real broker: kcat,
// confluent-kafka-python and kafka-python (Debian's /usr/bin/python3), and sarama 1.22 built
// from Debian's GOPATH sources. .ci/run installs them; without CI a missing one is skipped.

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const EXTERNAL = path.join(ROOT, 'test/external');
const PYTHON = '/usr/bin/python3';
const GOPATH = '/usr/share/gocode';
const GO_ENV = { ...process.env, GO111MODULE: 'off', GOPATH, GOCACHE: process.env.GOCACHE ?? path.join(tmpdir(), 'gregor-go-build') };
const CLIENT_TIMEOUT_MS = 50_000;

const COMPRESSED: Codec[] = ['gzip', 'snappy', 'lz4', 'zstd'];

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
      running = await BrokerProcess.start(broker.dataDir, { 'num.partitions': '3' });
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
function expectRoundTrip(report: ClientReport, sent: Message[]): void {
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
    const consumed = output
      .trim()
      .split('\n')
      .map((line) => {
        const { partition, offset, key, payload, headers = [] } = JSON.parse(line) as KcatMessage;
        const pairs = headers.flatMap((name, i): Array<[string, string]> => (i % 2 === 0 ? [[name, headers[i + 1]]] : []));
        return { partition, offset, key, value: payload, headers: pairs };
      });
    expectConsumedInOrder(sent, consumed);
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
});

interface PythonClient extends Client {
  script: string;
  /** The codec the client sends batches in when asked for one. */
  sends: (port: number, codec: Codec) => Promise<CompressionType>;
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
  });
}

describePythonClient({
  name: 'confluent-kafka-python',
  probe: [PYTHON, ['-c', 'import confluent_kafka']],
  packages: 'python3-confluent-kafka',
  script: 'confluent_kafka_client.py',
  sends: librdkafkaCodec,
});
describePythonClient({
  name: 'kafka-python',
  probe: [PYTHON, ['-c', 'import kafka, snappy, lz4, zstandard']],
  packages: 'python3-kafka python3-snappy python3-lz4 python3-zstandard',
  script: 'kafka_python_client.py',
  sends: async (_port, codec) => CODEC_TYPES[codec],
});

describeClient(
  { name: 'sarama 1.22', probe: ['go', ['list', 'github.com/Shopify/sarama'], GO_ENV], packages: 'golang-go golang-github-shopify-sarama-dev gcc libc6-dev' },
  (broker) => {
    let binary = '';
    beforeAll(async () => {
      binary = path.join(mkdtempSync(path.join(tmpdir(), 'gregor-sarama-')), 'sarama-client');
      await run('go', ['build', '-o', binary, './test/external/sarama'], '', GO_ENV);
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
  },
);
