import { copyFileSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDataDir } from '../e2e/support/broker-process.js';
import { type EmbeddedBroker, startEmbeddedBroker } from '../e2e/support/embedded-broker.js';
import { runCli } from './run-cli.js';

const SEGMENT = '00000000000000000000';
let gregor: EmbeddedBroker;
let partitionDir: string;
let scratch: string;

/** A broker writes two batches to cli-dump-0 and stops, leaving its segment files to read. */
beforeAll(async () => {
  gregor = await startEmbeddedBroker({ 'log.index.interval.bytes': '1' });
  scratch = tempDataDir();
  partitionDir = path.join(gregor.dataDir, 'cli-dump-0');
  expect((await runCli('kafka-topics', ['--bootstrap-server', gregor.bootstrap, '--create', '--topic', 'cli-dump'])).code).toBe(0);
  const producer = new Kafka({ clientId: 'gregor-cli-test', brokers: [gregor.bootstrap], logLevel: logLevel.NOTHING }).producer({ allowAutoTopicCreation: false });
  await producer.connect();
  try {
    await producer.send({
      topic: 'cli-dump',
      messages: [
        { key: 'k1', value: 'first', timestamp: '1000', headers: { trace: 'a' } },
        { key: null, value: 'second', timestamp: '2000' },
      ],
    });
    await producer.send({ topic: 'cli-dump', messages: [{ key: 'k3', value: 'third', timestamp: '3000' }] });
  } finally {
    await producer.disconnect();
  }
  await gregor.broker.stop();
});

afterAll(() => {
  rmSync(gregor.dataDir, { recursive: true, force: true });
  rmSync(scratch, { recursive: true, force: true });
});

describe('kafka-dump-log and gregor dump-log', () => {
  it('prints the batches and, with --print-data-log, the records of a segment the broker wrote', async () => {
    const log = path.join(partitionDir, `${SEGMENT}.log`);
    const batches = await runCli('kafka-dump-log', ['--files', log]);
    expect(batches).toMatchObject({ code: 0, stderr: '' });
    const lines = batches.stdout.trimEnd().split('\n');
    expect(lines.slice(0, 2)).toEqual([`Dumping ${log}`, 'Log starting offset: 0']);
    expect(lines).toHaveLength(4);
    expect(lines[2]).toMatch(/^baseOffset: 0 lastOffset: 1 count: 2 .* position: 0 CreateTime: 2000 size: (\d+) magic: 2 compresscodec: none crcValid: true$/);
    const firstSize = Number(/size: (\d+)/.exec(lines[2])![1]);
    expect(lines[3]).toMatch(new RegExp(`^baseOffset: 2 lastOffset: 2 count: 1 .* position: ${firstSize} CreateTime: 3000 size: \\d+ magic: 2 compresscodec: none crcValid: true$`));

    // kafkajs numbers the records of each batch from 0 even when not idempotent.
    const records = await runCli('gregor', ['dump-log', '--files', log, '--print-data-log']);
    expect(records.code).toBe(0);
    expect(records.stdout.split('\n').filter((l) => l.startsWith('| '))).toEqual([
      '| offset: 0 CreateTime: 1000 keySize: 2 valueSize: 5 sequence: 0 headerKeys: [trace] key: k1 payload: first',
      '| offset: 1 CreateTime: 2000 keySize: -1 valueSize: 6 sequence: 1 headerKeys: [] payload: second',
      '| offset: 2 CreateTime: 3000 keySize: 2 valueSize: 5 sequence: 0 headerKeys: [] key: k3 payload: third',
    ]);
  });

  it('prints the entries of the offset and time indexes', async () => {
    const index = path.join(partitionDir, `${SEGMENT}.index`);
    const timeindex = path.join(partitionDir, `${SEGMENT}.timeindex`);
    const result = await runCli('kafka-dump-log', ['--files', `${index},${timeindex}`]);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[0]).toBe(`Dumping ${index}`);
    // With log.index.interval.bytes=1 the broker indexes the second batch (the first is at position 0 anyway).
    expect(lines[1]).toMatch(/^offset: 2 position: [1-9]\d*$/);
    expect(lines.slice(2)).toEqual([`Dumping ${timeindex}`, 'timestamp: 3000 offset: 2']);
  });

  it('reports a bad CRC and a torn tail with a non-zero exit', async () => {
    const original = readFileSync(path.join(partitionDir, `${SEGMENT}.log`));
    const flipped = path.join(scratch, `${SEGMENT}.log`);
    const corrupt = Buffer.from(original);
    corrupt[corrupt.length - 1] ^= 0xff;
    writeFileSync(flipped, corrupt);
    const badCrc = await runCli('kafka-dump-log', ['--files', flipped]);
    expect(badCrc.code).toBe(1);
    expect(badCrc.stdout).toMatch(/baseOffset: 2 lastOffset: 2 .* crcValid: false\n$/);
    expect(badCrc.stderr).toMatch(new RegExp(`^kafka-dump-log: ${flipped}: corrupt batch at position \\d+ \\(offsets 2-2\\): CRC \\d+ stored, \\d+ computed\\n$`));

    const torn = path.join(scratch, `${SEGMENT.slice(0, -1)}1.log`);
    copyFileSync(path.join(partitionDir, `${SEGMENT}.log`), torn);
    truncateSync(torn, original.length - 3);
    const tornTail = await runCli('kafka-dump-log', ['--files', torn]);
    expect(tornTail.code).toBe(1);
    expect(tornTail.stdout).toContain('Log starting offset: 1');
    expect(tornTail.stderr).toMatch(new RegExp(`^kafka-dump-log: ${torn}: torn tail: the batch at position \\d+ needs \\d+ bytes, \\d+ are left\\n$`));
  });

  it('fails with one line for a missing file or a name that is not a segment', async () => {
    const missing = path.join(scratch, `${SEGMENT.slice(0, -1)}9.log`);
    expect(await runCli('kafka-dump-log', ['--files', missing])).toMatchObject({ code: 1, stderr: `kafka-dump-log: cannot read ${missing}: ENOENT\n` });
    expect(await runCli('kafka-dump-log', ['--files', 'notes.txt'])).toMatchObject({
      code: 2,
      stdout: '',
      stderr: 'kafka-dump-log: notes.txt: not a segment file name (20 digits of base offset, then .log, .index or .timeindex)\n',
    });
  });
});
