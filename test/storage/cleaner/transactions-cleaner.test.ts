import { describe, expect, it } from 'vitest';
import { buildRecordBatch } from '../../../src/protocol/records/batch-builder.js';
import { buildTxnMarkerBatch, ControlRecordType } from '../../../src/protocol/records/control-record.js';
import { DEFAULT_LOG_MANAGER_CONFIG, logConfig, type LogConfig } from '../../../src/storage/log-config.js';
import { LogManager } from '../../../src/storage/log-manager.js';
import type { PartitionLog } from '../../../src/storage/partition-log.js';
import { ManualClock } from '../../../src/util/clock.js';
import { MemoryFileSystem } from '../../../src/util/memory-file-system.js';
import { SeededRandom } from '../../../src/util/random.js';
import { decodeRecords, splitBatches } from '../support/batches.js';
import { readAll } from '../support/memory-log.js';

const TP = { topic: 'table', partition: 0 };
const DIR = '/data/table-0';

async function setup(config: Partial<LogConfig> = {}) {
  const clock = new ManualClock(1_000_000_000);
  const fs = new MemoryFileSystem(clock, new SeededRandom(3));
  fs.mkdir('/data');
  await fs.syncDir('/');
  const topicConfig = logConfig({ 'cleanup.policy': ['compact'], 'segment.bytes': 100_000, 'min.cleanable.dirty.ratio': 0, ...config });
  const manager = await LogManager.start({
    fs,
    config: { ...DEFAULT_LOG_MANAGER_CONFIG, 'log.dirs': ['/data'] },
    topicConfig: () => topicConfig,
    clusterId: 'c',
    nodeId: 1,
    random: new SeededRandom(2),
    now: clock.now(),
  });
  const log = await manager.getOrCreateLog(TP, clock.now());
  return { clock, fs, manager, log };
}

type Env = Awaited<ReturnType<typeof setup>>;

function txn(producerId: number, seq: number, key: string, value: string): Buffer {
  return buildRecordBatch({
    records: [{ key: Buffer.from(key), value: Buffer.from(value), timestamp: 1_000 }],
    producerId,
    producerEpoch: 0,
    baseSequence: seq,
    isTransactional: true,
  });
}

function plain(key: string, value: string): Buffer {
  return buildRecordBatch({ records: [{ key: Buffer.from(key), value: Buffer.from(value), timestamp: 1_000 }] });
}

function marker(producerId: number, commit: boolean): Buffer {
  const type = commit ? ControlRecordType.Commit : ControlRecordType.Abort;
  return buildTxnMarkerBatch({ type, producerId, producerEpoch: 0, coordinatorEpoch: 0, timestamp: 1_000 });
}

function append(env: Env, records: Buffer, origin: 'client' | 'coordinator' = 'client'): void {
  env.log.appendAsLeader(records, 0, env.clock.now(), origin);
}

/** Rolls, makes everything committed and flushed, and cleans until the cleaner has nothing left to do. */
async function rollAndClean(env: Env): Promise<void> {
  env.log.roll(env.clock.now());
  env.log.updateHighWatermark(env.log.logEndOffset);
  await env.log.flush(env.clock.now());
  while (await env.manager.cleaner!.work(env.clock.now(), 1 << 20));
}

function layout(log: PartitionLog): string[] {
  return splitBatches(readAll(log)).map((b) => `${b.baseOffset}${b.isControl ? 'M' : b.isTransactional ? 'T' : ''}:${b.recordCount}`);
}

function values(log: PartitionLog): string[] {
  return decodeRecords(readAll(log))
    .filter((r) => r.key !== null && r.key.startsWith('k'))
    .map((r) => `${r.offset}:${r.key}=${r.value}`);
}

describe('LogCleaner and transactions', () => {
  it('removes aborted records, keeps markers until their data is gone and delete.retention.ms has passed', async () => {
    // Segments of up to 600 bytes: the big record below keeps the cleaner from merging the
    // transactions' segment with newer ones, so it keeps its older modification time.
    const env = await setup({ 'delete.retention.ms': 1_000, 'segment.bytes': 600 });
    append(env, txn(7, 0, 'ka', 'aborted')); // 0
    append(env, txn(8, 0, 'kb', 'committed')); // 1
    append(env, marker(7, false), 'coordinator'); // 2
    append(env, marker(8, true), 'coordinator'); // 3
    append(env, txn(7, 1, 'kc', 'later')); // 4
    append(env, marker(7, true), 'coordinator'); // 5
    env.clock.advance(10);
    append(env, plain('kd', 'plain')); // 6
    await rollAndClean(env);
    // The aborted record is gone, and did not hide anything; the ABORT marker stays (its data was
    // removed in this cleaning) and so does its entry in the cleaned segment's txn index.
    expect(values(env.log)).toEqual(['1:kb=committed', '4:kc=later', '6:kd=plain']);
    expect(layout(env.log)).toEqual(['1T:1', '2M:1', '3M:1', '4T:1', '5M:1', '6:1']);
    expect(env.log.collectAbortedTransactions(0, env.log.logEndOffset)).toEqual([
      { producerId: 7, firstOffset: 0, lastOffset: 2, lastStableOffset: 1 },
    ]);
    expect(env.fs.readdir(DIR).filter((n) => n.endsWith('.txnindex'))).toEqual(['00000000000000000000.txnindex']);

    // Later, past delete.retention.ms, another cleaning: the ABORT marker has no data left and goes;
    // the COMMIT markers stay while their transactions' batches remain.
    env.clock.advance(5_000);
    append(env, plain('kb', 'newer'.padEnd(500, '.'))); // 7
    await rollAndClean(env);
    env.clock.advance(5_000);
    append(env, plain('ke', 'x')); // 8
    await rollAndClean(env);
    // kb's committed record is superseded, but its batch stays empty: producer 8's last sequence.
    expect(values(env.log)).toEqual(['4:kc=later', '6:kd=plain', `7:kb=${'newer'.padEnd(500, '.')}`, '8:ke=x']);
    expect(layout(env.log)).toEqual(['1T:0', '3M:1', '4T:1', '5M:1', '6:1', '7:1', '8:1']);
    expect(env.log.collectAbortedTransactions(0, env.log.logEndOffset)).toEqual([]);
    // Producer state survives a rebuild from the cleaned log.
    expect(env.log.producerState.activeProducers().get(8)!.lastSeq).toBe(0);
  });

  it('does not clean past the last stable offset', async () => {
    const env = await setup();
    append(env, plain('ka', '1'));
    append(env, txn(7, 0, 'ka', 'open'));
    append(env, plain('ka', '2'));
    env.log.roll(env.clock.now());
    append(env, plain('kz', 'z'));
    await rollAndClean(env);
    expect(env.log.lastStableOffset).toBe(1);
    expect(values(env.log)).toEqual(['0:ka=1', '1:ka=open', '2:ka=2', '3:kz=z']);
  });
});
