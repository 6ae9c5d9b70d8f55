import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { partitionForKey } from '../../src/client/partitioner.js';
import { tempDataDir } from '../e2e/support/broker-process.js';
import { type EmbeddedBroker, startEmbeddedBroker } from '../e2e/support/embedded-broker.js';
import { closedPort, runCli } from './run-cli.js';
import { runCliWithInput, startCli } from './spawn-cli.js';

let gregor: EmbeddedBroker;
let kafka: Kafka;

beforeAll(async () => {
  gregor = await startEmbeddedBroker({ 'auto.create.topics.enable': 'false', 'group.initial.rebalance.delay.ms': '0' });
  kafka = new Kafka({ clientId: 'gregor-cli-test', brokers: [gregor.bootstrap], logLevel: logLevel.NOTHING });
});

afterAll(async () => {
  await gregor.stop();
});

const bootstrap = (): string[] => ['--bootstrap-server', gregor.bootstrap];
const createTopic = async (topic: string, partitions = 1): Promise<void> => {
  expect((await runCli('kafka-topics', [...bootstrap(), '--create', '--topic', topic, '--partitions', String(partitions)])).code).toBe(0);
};
const produce = (input: string, ...args: string[]) => runCliWithInput('kafka-console-producer', [...bootstrap(), ...args], input);
const consume = (...args: string[]) => runCli('kafka-console-consumer', [...bootstrap(), ...args]);
const gregorCli = (command: string, ...args: string[]) => runCli('gregor', [command, ...bootstrap(), ...args]);

const KEYED_WITH_HEADERS = ['trace:a1,user:ann\tk1:first', 'trace:a2\tk2:second value', 'h:v\tk3:'].join('\n') + '\n';
const PRINT_ALL = ['--property', 'print.key=true', '--property', 'print.headers=true', '--property', 'print.offset=true', '--property', 'print.partition=true'];

describe('kafka-console-producer and kafka-console-consumer', () => {
  for (const codec of ['none', 'gzip', 'snappy', 'lz4', 'zstd']) {
    it(`round-trips keys and headers with compression ${codec}`, async () => {
      const topic = `cli-rt-${codec}`;
      await createTopic(topic);
      const sent = await produce(
        KEYED_WITH_HEADERS,
        '--topic', topic, '--compression-codec', codec,
        '--property', 'parse.key=true', '--property', 'key.separator=:', '--property', 'parse.headers=true',
      );
      expect(sent).toMatchObject({ code: 0, stdout: '', stderr: '' });

      const read = await consume('--topic', topic, '--from-beginning', '--max-messages', '3', ...PRINT_ALL);
      expect(read.code).toBe(0);
      expect(read.stdout.split('\n')).toEqual([
        'Partition:0\tOffset:0\ttrace:a1,user:ann\tk1\tfirst',
        'Partition:0\tOffset:1\ttrace:a2\tk2\tsecond value',
        'Partition:0\tOffset:2\th:v\tk3\t',
        '',
      ]);
      expect(read.stderr).toBe('Processed a total of 3 messages\n');

      // The batch on disk carries the codec asked for.
      const dumped = await runCli('kafka-dump-log', ['--files', path.join(gregor.dataDir, `${topic}-0`, '00000000000000000000.log')]);
      expect(dumped.stdout).toContain(`count: 3 `);
      expect(dumped.stdout).toContain(`compresscodec: ${codec}`);
    });
  }

  it('reports what gregor produce sent per partition, and reads one partition from an offset', async () => {
    await createTopic('cli-parts', 3);
    const table = await runCliWithInput('gregor', ['produce', ...bootstrap(), '--topic', 'cli-parts', '--partition', '1'], 'a\nb\nc\n');
    expect(table).toMatchObject({ code: 0, stderr: '' });
    expect(table.stdout.trimEnd().split('\n')).toEqual(['TOPIC      PARTITION  RECORDS  FIRST OFFSET  LAST OFFSET', 'cli-parts  1          3        0             2']);

    const json = await runCliWithInput('gregor', ['produce', ...bootstrap(), '--topic', 'cli-parts', '--partition', '1', '--acks', '1', '--output', 'json'], 'd\n');
    expect(JSON.parse(json.stdout)).toEqual([{ topic: 'cli-parts', partition: 1, records: 1, firstOffset: 3, lastOffset: 3 }]);

    const fromOffset = await gregorCli('consume', '--topic', 'cli-parts', '--partition', '1', '--offset', '1', '--max-messages', '3', '--output', 'json');
    expect(fromOffset.code).toBe(0);
    const records = fromOffset.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(records.map((r) => [r.partition, r.offset, r.value, r.key])).toEqual([
      [1, 1, 'b', null],
      [1, 2, 'c', null],
      [1, 3, 'd', null],
    ]);
    expect(records[0]).toMatchObject({ topic: 'cli-parts', timestampType: 'CreateTime', headers: [] });

    const earliest = await consume('--topic', 'cli-parts', '--partition', '1', '--offset', 'earliest', '--max-messages', '1');
    expect(earliest.stdout).toBe('a\n');
    // Nothing arrives after the log end: the timeout ends the command, which is not a failure.
    const latest = await consume('--topic', 'cli-parts', '--partition', '1', '--offset', 'latest', '--timeout-ms', '300');
    expect(latest).toMatchObject({ code: 0, stdout: '', stderr: 'Processed a total of 0 messages\n' });
    const empty = await consume('--topic', 'cli-parts', '--partition', '0', '--from-beginning', '--timeout-ms', '300');
    expect(empty).toMatchObject({ code: 0, stdout: '', stderr: 'Processed a total of 0 messages\n' });
  });

  it('reads lines from --file, with null.marker and a timestamp', async () => {
    await createTopic('cli-file');
    const dir = tempDataDir();
    const file = path.join(dir, 'input.txt');
    writeFileSync(file, 'k1|one\r\nNULL|two\nk3|NULL\n');
    const sent = await runCli('kafka-console-producer', [...bootstrap(), '--topic', 'cli-file', '--file', file, '--property', 'parse.key=true', '--property', 'key.separator=|', '--property', 'null.marker=NULL']);
    expect(sent).toMatchObject({ code: 0, stderr: '' });
    const read = await consume('--topic', 'cli-file', '--from-beginning', '--max-messages', '3', '--property', 'print.key=true', '--property', 'print.timestamp=true', '--property', 'key.separator= | ');
    expect(read.stdout.trimEnd().split('\n').map((l) => l.replace(/^CreateTime:\d+/, 'CreateTime:T'))).toEqual(['CreateTime:T | k1 | one', 'CreateTime:T | null | two', 'CreateTime:T | k3 | null']);
  });

  it('resumes a group after its committed offsets', async () => {
    await createTopic('cli-group', 2);
    const lines = Array.from({ length: 10 }, (_, i) => `k${i}:v${i}`).join('\n') + '\n';
    expect((await produce(lines, '--topic', 'cli-group', '--property', 'parse.key=true', '--property', 'key.separator=:')).code).toBe(0);

    const first = await consume('--topic', 'cli-group', '--group', 'cli-g1', '--from-beginning', '--max-messages', '4');
    expect(first).toMatchObject({ code: 0, stderr: 'Processed a total of 4 messages\n' });
    const second = await consume('--topic', 'cli-group', '--group', 'cli-g1', '--from-beginning', '--timeout-ms', '1000');
    expect(second).toMatchObject({ code: 0, stderr: 'Processed a total of 6 messages\n' });
    const all = [...first.stdout.trimEnd().split('\n'), ...second.stdout.trimEnd().split('\n')].sort();
    expect(all).toEqual(Array.from({ length: 10 }, (_, i) => `v${i}`).sort());

    // Everything is committed: kafkajs's admin sees the log end offsets as the group's offsets.
    const admin = kafka.admin();
    await admin.connect();
    try {
      const [offsets] = await admin.fetchOffsets({ groupId: 'cli-g1', topics: ['cli-group'] });
      const ends = await admin.fetchTopicOffsets('cli-group');
      expect(offsets.partitions.map((p) => [p.partition, p.offset]).sort()).toEqual(ends.map((p) => [p.partition, p.offset]).sort());
    } finally {
      await admin.disconnect();
    }
  });

  it('commits and leaves the group on SIGTERM', async () => {
    await createTopic('cli-signal');
    expect((await produce('a\nb\nc\n', '--topic', 'cli-signal')).code).toBe(0);
    const running = startCli('kafka-console-consumer', [...bootstrap(), '--topic', 'cli-signal', '--group', 'cli-sig', '--from-beginning']);
    expect(await running.lines(3)).toEqual(['a', 'b', 'c']);
    running.child.kill('SIGTERM');
    expect(await running.done).toMatchObject({ code: 0, stderr: 'Processed a total of 3 messages\n' });
    const admin = kafka.admin();
    await admin.connect();
    try {
      const [offsets] = await admin.fetchOffsets({ groupId: 'cli-sig', topics: ['cli-signal'] });
      expect(offsets.partitions).toEqual([expect.objectContaining({ partition: 0, offset: '3' })]);
      const group = await admin.describeGroups(['cli-sig']);
      expect(group.groups[0]).toMatchObject({ state: 'Empty', members: [] });
    } finally {
      await admin.disconnect();
    }
  });

  it('partitions keys as Kafka does, and kafkajs reads what the console producer wrote', async () => {
    await createTopic('cli-interop', 4);
    const keys = Array.from({ length: 20 }, (_, i) => `key-${i}`);
    expect((await produce(keys.map((k) => `${k}\t${k}-value`).join('\n') + '\n', '--topic', 'cli-interop', '--property', 'parse.key=true', '--compression-codec', 'gzip')).code).toBe(0);

    const consumer = kafka.consumer({ groupId: 'cli-interop-kafkajs', maxWaitTimeInMs: 100 });
    await consumer.connect();
    const seen: { key: string; value: string; partition: number }[] = [];
    try {
      await consumer.subscribe({ topic: 'cli-interop', fromBeginning: true });
      await new Promise<void>((resolve) => {
        void consumer.run({
          eachMessage: async ({ partition, message }) => {
            seen.push({ key: message.key!.toString(), value: message.value!.toString(), partition });
            if (seen.length === keys.length) resolve();
          },
        });
      });
    } finally {
      await consumer.disconnect();
    }
    expect(seen.map((s) => s.key).sort()).toEqual([...keys].sort());
    for (const s of seen) {
      expect(s.value).toBe(`${s.key}-value`);
      expect(s.partition).toBe(partitionForKey(Buffer.from(s.key), 4));
    }
  });

  it('prints what kafkajs wrote, headers included', async () => {
    await createTopic('cli-from-kafkajs');
    const producer = kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    try {
      await producer.send({
        topic: 'cli-from-kafkajs',
        messages: [
          { key: 'k1', value: 'v1', headers: { a: '1', b: '2' }, timestamp: '1000' },
          { key: null, value: 'v2', timestamp: '2000' },
        ],
      });
    } finally {
      await producer.disconnect();
    }
    const read = await consume('--topic', 'cli-from-kafkajs', '--from-beginning', '--max-messages', '2', '--property', 'print.timestamp=true', '--property', 'print.key=true', '--property', 'print.headers=true');
    expect(read.stdout).toBe('CreateTime:1000\ta:1,b:2\tk1\tv1\nCreateTime:2000\tNO_HEADERS\tnull\tv2\n');
  });

  it('is read by kcat, and reads what kcat wrote', async () => {
    const kcat = await promisify(execFile)('kcat', ['-V']).then(
      () => true,
      () => false,
    );
    if (!kcat) return;
    await createTopic('cli-kcat');
    expect((await produce('k1:one\nk2:two\n', '--topic', 'cli-kcat', '--property', 'parse.key=true', '--property', 'key.separator=:', '--compression-codec', 'snappy')).code).toBe(0);
    const read = await promisify(execFile)('kcat', ['-C', '-b', gregor.bootstrap, '-t', 'cli-kcat', '-e', '-q', '-f', '%k=%s@%o\n']);
    expect(read.stdout).toBe('k1=one@0\nk2=two@1\n');

    const write = execFile('kcat', ['-P', '-b', gregor.bootstrap, '-t', 'cli-kcat', '-K', ':', '-z', 'lz4']);
    write.stdin!.end('k3:three\n');
    await new Promise((resolve) => write.once('close', resolve));
    const back = await consume('--topic', 'cli-kcat', '--partition', '0', '--offset', '2', '--max-messages', '1', '--property', 'print.key=true');
    expect(back.stdout).toBe('k3\tthree\n');
  });

  describe('errors', () => {
    it('fails with one line for a topic that does not exist', async () => {
      const produced = await produce('x\n', '--topic', 'cli-nope');
      expect(produced).toMatchObject({ code: 1, stdout: '', stderr: "kafka-console-producer: Topic 'cli-nope' does not exist\n" });
      const consumed = await consume('--topic', 'cli-nope');
      expect(consumed).toMatchObject({ code: 1, stdout: '', stderr: "kafka-console-consumer: Topic 'cli-nope' does not exist\n" });
      const grouped = await gregorCli('consume', '--topic', 'cli-nope', '--group', 'cli-nope-group');
      expect(grouped).toMatchObject({ code: 1, stdout: '', stderr: "gregor consume: Topic 'cli-nope' does not exist\n" });
    });

    it('fails with one line when no broker answers', async () => {
      const port = await closedPort();
      const config = path.join(tempDataDir(), 'client.properties');
      writeFileSync(config, 'retries=0\n');
      const result = await runCliWithInput('kafka-console-producer', ['--bootstrap-server', `127.0.0.1:${port}`, '--command-config', config, '--topic', 't'], 'x\n');
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(new RegExp(`^kafka-console-producer: 127\\.0\\.0\\.1:${port}: cannot connect: .*ECONNREFUSED.*\\n$`));
    });

    it('fails with exit code 2 for bad flags, before sending anything', async () => {
      expect(await consume('--topic', 'x', '--bogus')).toMatchObject({ code: 2, stdout: '', stderr: 'kafka-console-consumer: Unknown argument: bogus\n' });
      expect(await consume('--topic', 'x', '--offset', '3')).toMatchObject({ code: 2, stderr: 'kafka-console-consumer: The partition is required when offset is specified.\n' });
      expect(await consume('--topic', 'x', '--partition', '0', '--offset', 'soon')).toMatchObject({ code: 2 });
      expect(await consume('--topic', 'x', '--isolation-level', 'dirty')).toMatchObject({ code: 2 });
      expect(await produce('x\n', '--topic', 'x', '--compression-codec', 'brotli')).toMatchObject({
        code: 2,
        stderr: "kafka-console-producer: compression codec must be one of none, gzip, snappy, lz4, zstd, got 'brotli'\n",
      });
      expect(await produce('x\n', '--topic', 'x', '--acks', '2')).toMatchObject({ code: 2 });
    });

    it('stops at a line that does not parse, after sending the lines before it', async () => {
      await createTopic('cli-badline');
      const result = await produce('k1:one\nnoseparator\nk3:three\n', '--topic', 'cli-badline', '--property', 'parse.key=true', '--property', 'key.separator=:');
      expect(result).toMatchObject({ code: 1, stderr: "kafka-console-producer: No key separator found on line number 2: 'noseparator'\n" });
      expect((await consume('--topic', 'cli-badline', '--from-beginning', '--timeout-ms', '500')).stdout).toBe('one\n');
    });
  });
});
