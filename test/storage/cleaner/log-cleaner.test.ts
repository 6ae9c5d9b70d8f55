import { describe, expect, it } from 'vitest';
import { CompressionType } from '../../../src/protocol/records/batch-header.js';
import { buildTxnMarkerBatch, ControlRecordType } from '../../../src/protocol/records/control-record.js';
import { ManualClock } from '../../../src/util/clock.js';
import { MemoryFileSystem, type FaultOperation } from '../../../src/util/memory-file-system.js';
import { SeededRandom } from '../../../src/util/random.js';
import { InvalidRecordError } from '../../../src/storage/errors.js';
import { DEFAULT_LOG_MANAGER_CONFIG, logConfig, type LogConfig } from '../../../src/storage/log-config.js';
import { LogManager } from '../../../src/storage/log-manager.js';
import type { PartitionLog } from '../../../src/storage/partition-log.js';
import { batch, decodeRecords, splitBatches, type TestRecord } from '../support/batches.js';
import { readAll } from '../support/memory-log.js';

const TP = { topic: 'table', partition: 0 };
const DAY = 24 * 3600 * 1000;
const DIR = '/data/table-0';

async function setup(config: Partial<LogConfig> = {}, seed = 1, dedupeBufferBytes = DEFAULT_LOG_MANAGER_CONFIG['log.cleaner.dedupe.buffer.size']) {
  const clock = new ManualClock(1_000_000_000);
  const fs = new MemoryFileSystem(clock, new SeededRandom(seed));
  fs.mkdir('/data');
  await fs.syncDir('/');
  const topicConfig = logConfig({ 'cleanup.policy': ['compact'], 'segment.bytes': 400, 'min.cleanable.dirty.ratio': 0, ...config });
  const start = async () => {
    const manager = await LogManager.start({
      fs,
      config: { ...DEFAULT_LOG_MANAGER_CONFIG, 'log.dirs': ['/data'], 'log.cleaner.dedupe.buffer.size': dedupeBufferBytes },
      topicConfig: () => topicConfig,
      clusterId: 'c',
      nodeId: 1,
      random: new SeededRandom(2),
      now: clock.now(),
    });
    const log = await manager.getOrCreateLog(TP, clock.now());
    return { manager, log };
  };
  const env = { clock, fs, ...(await start()), start };
  return env;
}

type Env = Awaited<ReturnType<typeof setup>>;

/** Appends, then makes everything committed and flushed, as the cleaner requires. */
async function produce(env: Env, records: TestRecord[], compression = CompressionType.None): Promise<void> {
  for (const r of records) env.log.appendAsLeader(batch([{ ...r, timestamp: env.clock.now() }], { compression }), 0, env.clock.now());
  await commit(env);
}

async function commit(env: Env): Promise<void> {
  env.log.updateHighWatermark(env.log.logEndOffset);
  await env.log.flush(env.clock.now());
}

async function cleanFully(env: Env, budget = 1 << 20): Promise<number> {
  let steps = 0;
  while (await env.manager.cleaner!.work(env.clock.now(), budget)) steps++;
  return steps;
}

function contents(log: PartitionLog) {
  return decodeRecords(readAll(log)).map((r) => `${r.offset}:${r.key}=${r.value}`);
}

const updates = (n: number, keys: number): TestRecord[] => Array.from({ length: n }, (_, i) => ({ key: `k${i % keys}`, value: `v${i}` }));

describe('LogCleaner', () => {
  it('keeps the latest record of every key at its original offset', async () => {
    const env = await setup();
    await produce(env, updates(30, 4));
    env.log.roll(env.clock.now());
    await commit(env);
    expect(await cleanFully(env)).toBeGreaterThan(0);
    expect(contents(env.log)).toEqual(['26:k2=v26', '27:k3=v27', '28:k0=v28', '29:k1=v29']);
    expect(env.log.logEndOffset).toBe(30);
    expect(env.fs.readFile('/data/cleaner-offset-checkpoint').toString()).toBe('0\n1\ntable 0 30\n');
    const names = env.fs.readdir(DIR);
    expect(names.some((n) => n.endsWith('.deleted'))).toBe(true);
    expect(names.some((n) => n.endsWith('.cleaned') || n.endsWith('.swap'))).toBe(false);
    expect(await env.manager.cleaner!.work(env.clock.now(), 1 << 20)).toBe(false);
  });

  it('cleans in several passes when the offset map cannot hold every key', async () => {
    const env = await setup({ 'segment.bytes': 4_000 }, 1, 3 * 24);
    await produce(env, [...updates(6, 6), ...updates(6, 6)]);
    env.log.roll(env.clock.now());
    await commit(env);
    const cleanedUpTo = new Set<number | undefined>();
    while (await env.manager.cleaner!.work(env.clock.now(), 1 << 20)) cleanedUpTo.add(env.manager.cleaner!.checkpointedOffset(TP));
    expect([...cleanedUpTo]).toEqual([3, 6, 9, 12]);
    expect(contents(env.log)).toEqual(['6:k0=v0', '7:k1=v1', '8:k2=v2', '9:k3=v3', '10:k4=v4', '11:k5=v5']);
  });

  it('never touches the active segment or data above the high watermark', async () => {
    const env = await setup();
    await produce(env, updates(12, 2));
    env.log.roll(env.clock.now());
    env.log.appendAsLeader(batch([{ key: 'k0', value: 'late' }]), 0, env.clock.now());
    env.log.appendAsLeader(batch([{ key: 'k0', value: 'later' }]), 0, env.clock.now());
    await cleanFully(env);
    expect(contents(env.log)).toEqual(['10:k0=v10', '11:k1=v11', '12:k0=late', '13:k0=later']);
  });

  it('removes tombstones once a segment cleaned delete.retention.ms later follows them (Kafka\'s horizon)', async () => {
    const env = await setup({ 'delete.retention.ms': DAY });
    const big = 'x'.repeat(80);
    await produce(env, [{ key: 'a', value: big }, { key: 'b', value: big }, { key: 'a', value: null }]);
    env.log.roll(env.clock.now());
    await commit(env);
    await cleanFully(env);
    expect(contents(env.log)).toEqual([`1:b=${big}`, '2:a=null']);
    for (const key of ['c', 'd']) {
      env.clock.advance(2 * DAY);
      await produce(env, [{ key, value: big }, { key, value: big }, { key, value: big }]);
      env.log.roll(env.clock.now());
      await commit(env);
      await cleanFully(env);
      if (key === 'c') expect(contents(env.log)).toContain('2:a=null');
    }
    expect(contents(env.log)).toEqual([`1:b=${big}`, `5:c=${big}`, `8:d=${big}`]);
  });

  it('recompresses rewritten batches with their own codec', async () => {
    const env = await setup({ 'segment.bytes': 2_000 });
    for (const compression of [CompressionType.Gzip, CompressionType.Zstd]) {
      env.log.appendAsLeader(batch(updates(6, 3), { compression }), 0, env.clock.now());
    }
    env.log.roll(env.clock.now());
    await commit(env);
    await cleanFully(env);
    const batches = splitBatches(readAll(env.log));
    expect(batches.map((b) => [b.compression, b.baseOffset, b.lastOffset, b.recordCount])).toEqual([[CompressionType.Zstd, 6, 11, 3]]);
    expect(contents(env.log)).toEqual(['9:k0=v3', '10:k1=v4', '11:k2=v5']);
  });

  it('compacts committed transactional records, keeping the producer\'s last batch and the marker', async () => {
    const env = await setup();
    env.log.appendAsLeader(batch([{ key: 'a', value: 'txn' }], { isTransactional: true, producerId: 7, producerEpoch: 0, baseSequence: 0 }), 0, env.clock.now());
    const marker = buildTxnMarkerBatch({ type: ControlRecordType.Commit, producerId: 7, producerEpoch: 0, coordinatorEpoch: 0, timestamp: 1_000 });
    env.log.appendAsLeader(marker, 0, env.clock.now(), 'coordinator');
    await produce(env, [{ key: 'a', value: 'plain' }, { key: 'a', value: 'newer' }]);
    env.log.roll(env.clock.now());
    await commit(env);
    await cleanFully(env);
    // The committed transactional record is superseded like any other, but its batch stays (empty):
    // it holds producer 7's last sequence. The marker stays while its transaction had batches.
    const kept = decodeRecords(readAll(env.log));
    expect(kept.map((r) => r.offset)).toEqual([1, 3]);
    expect(kept[1].value).toBe('newer');
    const batches = splitBatches(readAll(env.log));
    expect(batches.map((b) => [b.baseOffset, b.isControl, b.isTransactional, b.recordCount, b.producerId])).toEqual([
      [0, false, true, 0, 7],
      [1, true, true, 1, 7],
      [3, false, false, 1, -1],
    ]);
  });

  it('rejects keyless records in a compacted topic and accepts them elsewhere', async () => {
    const env = await setup();
    expect(() => env.log.appendAsLeader(batch([{ key: 'a', value: '1' }, { key: null, value: '2' }]), 0, 0)).toThrow(InvalidRecordError);
    const compressed = batch([{ key: null, value: 'x' }], { compression: CompressionType.Lz4 });
    expect(() => env.log.appendAsLeader(compressed, 0, 0)).toThrow(/without key/);
    env.log.updateConfig(logConfig());
    expect(env.log.appendAsLeader(batch([{ key: null, value: '2' }]), 0, 0).firstOffset).toBe(0);
  });

  it('works in bounded steps while appends go on', async () => {
    const env = await setup({ 'segment.bytes': 4_000 });
    await produce(env, updates(120, 5));
    env.log.roll(env.clock.now());
    await commit(env);
    let steps = 0;
    while (await env.manager.cleaner!.work(env.clock.now(), 300)) {
      steps++;
      env.log.appendAsLeader(batch([{ key: 'live', value: String(steps) }]), 0, env.clock.now());
    }
    expect(steps).toBeGreaterThan(10);
    const records = contents(env.log);
    expect(records.slice(0, 5)).toEqual(['115:k0=v115', '116:k1=v116', '117:k2=v117', '118:k3=v118', '119:k4=v119']);
    expect(records.length).toBe(5 + steps);
  });

  it('aborts when the log is truncated through the manager, lowering the checkpoint', async () => {
    const env = await setup({ 'segment.bytes': 4_000 });
    await produce(env, updates(60, 3));
    env.log.roll(env.clock.now());
    await commit(env);
    await env.manager.cleaner!.work(env.clock.now(), 200);
    await env.manager.truncateTo(TP, 30, env.clock.now());
    expect(env.fs.readdir(DIR).some((n) => n.endsWith('.cleaned'))).toBe(false);
    expect(contents(env.log).length).toBe(30);
    await produce(env, updates(3, 3));
    env.log.roll(env.clock.now());
    await commit(env);
    await cleanFully(env);
    expect(contents(env.log)).toEqual(['30:k0=v0', '31:k1=v1', '32:k2=v2']);
  });

  it('loses nothing when the machine crashes in the middle of a cleaning', async () => {
    const env = await setup({ 'segment.bytes': 4_000 });
    await produce(env, updates(60, 3));
    env.log.roll(env.clock.now());
    await commit(env);
    const before = contents(env.log);
    const cleaning = () => env.fs.readdir(DIR).some((n) => n.endsWith('.cleaned'));
    for (let i = 0; i < 100 && !cleaning(); i++) await env.manager.cleaner!.work(env.clock.now(), 100);
    expect(cleaning()).toBe(true);
    env.log.abandon();
    env.fs.crash();
    const { log } = await env.start();
    expect(contents(log)).toEqual(before);
    expect(env.fs.readdir(DIR).some((n) => n.endsWith('.cleaned'))).toBe(false);
  });

  it.each([
    ['sync', 1],
    ['sync', 4],
    ['sync', 5],
    ['rename', 1],
    ['rename', 4],
    ['rename', 7],
  ] as [FaultOperation, number][])('recovers to the old or the cleaned log when the %s number %i of a swap fails', async (op, nth) => {
    const env = await setup({ 'segment.bytes': 4_000 }, nth);
    await produce(env, updates(30, 3));
    env.log.roll(env.clock.now());
    await commit(env);
    const before = contents(env.log);
    env.fs.failNext(op, 'EIO', nth - 1);
    await cleanFully(env);
    env.fs.clearFaults();
    env.log.abandon();
    env.fs.crash();
    const { log } = await env.start();
    const after = contents(log);
    expect([before, ['27:k0=v27', '28:k1=v28', '29:k2=v29']]).toContainEqual(after);
    expect(env.fs.readdir(DIR).some((n) => n.endsWith('.cleaned') || n.endsWith('.swap'))).toBe(false);
  });
});
