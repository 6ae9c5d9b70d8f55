import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EmbeddedBroker, startEmbeddedBroker } from '../e2e/support/embedded-broker.js';
import { closedPort, runCli } from './run-cli.js';

let gregor: EmbeddedBroker;

beforeAll(async () => {
  gregor = await startEmbeddedBroker({ 'auto.create.topics.enable': 'false', 'group.initial.rebalance.delay.ms': '0' });
  expect((await runCli('kafka-topics', ['--bootstrap-server', gregor.bootstrap, '--create', '--topic', 'cli-perf', '--partitions', '2'])).code).toBe(0);
});

afterAll(async () => {
  await gregor.stop();
});

const NUM = String.raw`\d+(?:\.\d+)?`;
const WINDOW = new RegExp(`^\\d+ records sent, ${NUM} records/sec \\(${NUM} MB/sec\\), ${NUM} ms avg latency, ${NUM} ms max latency\\.$`);
const SUMMARY = new RegExp(
  `^2000 records sent, \\d+\\.\\d{6} records/sec \\(\\d+\\.\\d{2} MB/sec\\), \\d+\\.\\d{2} ms avg latency, \\d+\\.\\d{2} ms max latency, \\d+ ms 50th, \\d+ ms 95th, \\d+ ms 99th, \\d+ ms 99\\.9th\\.$`,
);
const DATE = String.raw`\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}:\d{3}`;
const CONSUMER_LINE = new RegExp(`^${DATE}, ${DATE}, \\d+\\.\\d{4}, ${NUM}, 2000, ${NUM}, \\d+, -?\\d+, ${NUM}, ${NUM}$`);

describe('kafka-producer-perf-test and kafka-consumer-perf-test', () => {
  it('produces 2000 records with progress lines and a summary with percentiles', async () => {
    // --throughput spreads the run over 200 ms, so that 50 ms reporting windows close on the way.
    const result = await runCli('kafka-producer-perf-test', [
      '--topic', 'cli-perf', '--num-records', '2000', '--record-size', '100', '--throughput', '10000',
      '--producer-props', `bootstrap.servers=${gregor.bootstrap}`, 'acks=1', 'compression.type=lz4', 'linger.ms=2',
      '--reporting-interval', '50',
    ]);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines.length).toBeGreaterThan(1);
    for (const line of lines.slice(0, -1)) expect(line).toMatch(WINDOW);
    expect(lines.at(-1)).toMatch(SUMMARY);
  });

  it('consumes them back with the summary line under its header', async () => {
    const result = await runCli('kafka-consumer-perf-test', ['--bootstrap-server', gregor.bootstrap, '--topic', 'cli-perf', '--messages', '2000']);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    const [header, line, ...rest] = result.stdout.trimEnd().split('\n');
    expect(header).toBe('start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec');
    expect(line).toMatch(CONSUMER_LINE);
    expect(line.split(', ')[2]).toBe('0.1907'); // 2000 records of 100 bytes
    expect(rest).toEqual([]);
  });

  it('gregor perf: JSON summaries, and a group for the consumer', async () => {
    const produced = await runCli('gregor', ['perf', 'produce', '--bootstrap-server', gregor.bootstrap, '--topic', 'cli-perf', '--num-records', '2000', '--record-size', '10', '--throughput', '-1', '--output', 'json']);
    expect(produced.code).toBe(0);
    expect(JSON.parse(produced.stdout)).toEqual({
      records: 2000,
      recordsPerSec: expect.any(Number),
      mbPerSec: expect.any(Number),
      avgLatencyMs: expect.any(Number),
      maxLatencyMs: expect.any(Number),
      p50Ms: expect.any(Number),
      p95Ms: expect.any(Number),
      p99Ms: expect.any(Number),
      p999Ms: expect.any(Number),
    });
    const consumed = await runCli('gregor', ['perf', 'consume', '--bootstrap-server', gregor.bootstrap, '--topic', 'cli-perf', '--messages', '2000', '--group', 'cli-perf-group', '--output', 'json']);
    expect(consumed.code).toBe(0);
    expect(JSON.parse(consumed.stdout)).toMatchObject({ messages: 2000, mb: expect.any(Number), rebalanceTimeMs: expect.any(Number), fetchTimeMs: expect.any(Number) });
    const table = await runCli('gregor', ['perf', 'consume', '--bootstrap-server', gregor.bootstrap, '--topic', 'cli-perf', '--messages', '2000']);
    expect(table.stdout.split('\n')[0]).toMatch(/^start\.time\s+end\.time\s+data\.consumed\.in\.MB\s+MB\.sec/);
  });

  it('warns and stops when fewer records arrive than asked for', async () => {
    const result = await runCli('kafka-consumer-perf-test', ['--bootstrap-server', gregor.bootstrap, '--topic', 'cli-perf', '--messages', '999999', '--timeout', '300', '--hide-header']);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('WARNING: Exiting before consuming the expected number of messages: timeout (300 ms) exceeded. You can use the --timeout option to increase the timeout.\n');
    expect(result.stdout.trimEnd().split('\n')).toHaveLength(1);
  });

  it('fails with one line and the right exit code', async () => {
    expect(await runCli('kafka-producer-perf-test', ['--bootstrap-server', gregor.bootstrap, '--topic', 'cli-perf', '--num-records', '10', '--record-size', '10'])).toMatchObject({
      code: 2,
      stderr: 'kafka-producer-perf-test: --throughput is required (-1 for no limit)\n',
    });
    expect(
      await runCli('kafka-producer-perf-test', ['--bootstrap-server', gregor.bootstrap, '--topic', 'cli-perf', '--num-records', '10', '--throughput', '-1']),
    ).toMatchObject({ code: 2, stderr: 'kafka-producer-perf-test: Either --record-size or --payload-file must be specified but not both.\n' });
    expect(await runCli('kafka-consumer-perf-test', ['--bootstrap-server', gregor.bootstrap, '--topic', 'cli-perf-nope', '--messages', '1'])).toMatchObject({
      code: 1,
      stdout: '',
      stderr: "kafka-consumer-perf-test: Topic 'cli-perf-nope' does not exist\n",
    });
    const port = await closedPort();
    const down = await runCli('kafka-producer-perf-test', ['--topic', 't', '--num-records', '1', '--record-size', '1', '--throughput', '-1', '--producer-props', `bootstrap.servers=127.0.0.1:${port}`, 'retries=0']);
    expect(down.code).toBe(1);
    expect(down.stderr).toMatch(/^kafka-producer-perf-test: 127\.0\.0\.1:\d+: cannot connect: .*\n$/);
  });
});
