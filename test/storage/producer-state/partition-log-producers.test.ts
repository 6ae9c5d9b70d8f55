import { describe, expect, it } from 'vitest';
import { buildRecordBatch } from '../../../src/protocol/records/batch-builder.js';
import { offsetFileName } from '../../../src/storage/file-names.js';
import { OutOfOrderSequenceError } from '../../../src/storage/producer-state/errors.js';
import { ProducerStateManager } from '../../../src/storage/producer-state/producer-state-manager.js';
import { rebuildProducerState } from '../../../src/storage/producer-state/rebuild.js';
import { SnapshotFiles } from '../../../src/storage/producer-state/snapshot-files.js';
import type { PartitionLog } from '../../../src/storage/partition-log.js';
import { SeededRandom } from '../../../src/util/random.js';
import { memoryEnv, openLog, PARTITION_DIR, type MemoryLogEnv } from '../support/memory-log.js';

const CONFIG = { 'segment.bytes': 700, 'index.interval.bytes': 100 };

function idempotent(producerId: number, epoch: number, seq: number, count: number, timestamp = 1_000_000): Buffer {
  return buildRecordBatch({
    records: Array.from({ length: count }, (_, i) => ({ key: Buffer.from('k'), value: Buffer.from(`p${producerId}-s${seq + i}`), timestamp })),
    producerId,
    producerEpoch: epoch,
    baseSequence: seq,
  });
}

function snapshotFiles(env: MemoryLogEnv): string[] {
  return env.fs.readdir(PARTITION_DIR).filter((n) => n.endsWith('.snapshot')).sort();
}

/** Per producer: epoch, last sequence and last offset, the part of the state snapshots keep. */
function summary(log: PartitionLog | ProducerStateManager): Record<number, [number, number, number]> {
  const manager = 'producerState' in log ? log.producerState : log;
  const out: Record<number, [number, number, number]> = {};
  for (const [id, e] of manager.activeProducers()) out[id] = [e.producerEpoch, e.lastSeq, e.lastDataOffset];
  return out;
}

/** The state a full replay of the log's batches gives. */
function replayed(log: PartitionLog): Record<number, [number, number, number]> {
  const manager = new ProducerStateManager('ref', { offsets: () => [], read: () => Buffer.alloc(0), write: () => {}, delete: () => {} }, {
    producerIdExpirationMs: () => Number.MAX_SAFE_INTEGER,
  });
  rebuildProducerState(manager, { segments: log.segmentList, logStartOffset: log.logStartOffset, lastOffset: log.logEndOffset, reloadFromCleanShutdown: false, now: 0 });
  return summary(manager);
}

describe('PartitionLog producer state', () => {
  it('acknowledges a retried batch with its original offsets and writes nothing', async () => {
    const env = await memoryEnv();
    const log = await openLog(env, CONFIG);
    expect(log.appendAsLeader(idempotent(1, 0, 0, 3), 0, 0).firstOffset).toBe(0);
    log.appendAsLeader(idempotent(2, 0, 0, 1), 0, 0);
    const size = log.size;
    const retry = log.appendAsLeader(idempotent(1, 0, 0, 3), 0, 0);
    expect([retry.duplicate, retry.firstOffset, retry.lastOffset, retry.logAppendTime]).toEqual([true, 0, 2, 1_000_000]);
    expect([log.size, log.logEndOffset]).toEqual([size, 4]);
    expect(() => log.appendAsLeader(idempotent(1, 0, 5, 1), 0, 0)).toThrow(OutOfOrderSequenceError);
    expect([log.size, log.logEndOffset]).toEqual([size, 4]);
    expect(summary(log)).toEqual({ 1: [0, 2, 2], 2: [0, 0, 3] });
  });

  it('snapshots at every roll (written by the flush) and at close, and loads the last one', async () => {
    const env = await memoryEnv();
    const log = await openLog(env, CONFIG);
    for (let i = 0; i < 12; i++) log.appendAsLeader(idempotent(1 + (i % 2), 0, Math.floor(i / 2) * 4, 4), 0, 0);
    const bases = log.segmentBaseOffsets;
    expect(bases.length).toBeGreaterThan(2);
    expect(snapshotFiles(env)).toEqual([]);
    await log.flush(0);
    expect(snapshotFiles(env)).toEqual(bases.slice(1).map((b) => offsetFileName(b, '.snapshot')));
    const state = summary(log);
    await log.close(0);
    expect(snapshotFiles(env)).toContain(offsetFileName(48, '.snapshot'));
    const reopened = await openLog(env, CONFIG, { hadCleanShutdown: true, recoveryPoint: 48 });
    expect(summary(reopened)).toEqual(state);
    expect(reopened.producerState.mapEndOffset).toBe(48);
    expect(reopened.appendAsLeader(idempotent(2, 0, 20, 4), 0, 0)).toMatchObject({ duplicate: true, firstOffset: 44 });
  });

  it('rebuilds the state after a crash from the newest snapshot and the batches after it (seeded)', async () => {
    for (let seed = 1; seed <= 30; seed++) {
      const env = await memoryEnv(seed);
      const random = new SeededRandom(seed);
      let log = await openLog(env, CONFIG);
      const next = new Map<number, number>();
      for (let round = 0; round < 3; round++) {
        for (let i = 0; i < 10 + random.int(10); i++) {
          const producer = 1 + random.int(3);
          const seq = next.get(producer) ?? 0;
          const count = 1 + random.int(3);
          log.appendAsLeader(idempotent(producer, 0, seq, count), 0, 0);
          next.set(producer, seq + count);
        }
        if (random.int(2) === 0) await log.flush(0);
      }
      const recoveryPoint = log.recoveryPoint;
      log.abandon();
      env.fs.crash();
      log = await openLog(env, CONFIG, { recoveryPoint });
      expect(summary(log), `seed ${seed}`).toEqual(replayed(log));
      // Every producer continues right after its last surviving batch.
      for (const [producer, [, lastSeq]] of Object.entries(summary(log))) {
        expect(log.appendAsLeader(idempotent(Number(producer), 0, lastSeq + 1, 1), 0, 0).duplicate, `seed ${seed}`).toBe(false);
      }
      log.abandon();
    }
  });

  it('deletes a corrupt snapshot on load and rebuilds the state from the log', async () => {
    const env = await memoryEnv();
    const log = await openLog(env, CONFIG);
    for (let i = 0; i < 10; i++) log.appendAsLeader(idempotent(1, 0, i * 3, 3), 0, 0);
    const state = summary(log);
    await log.close(0);
    const name = offsetFileName(30, '.snapshot');
    const file = env.fs.open(`${PARTITION_DIR}/${name}`, 'readWrite');
    file.write(Buffer.from([0xff]), 12);
    file.close();
    const reopened = await openLog(env, CONFIG, { hadCleanShutdown: true, recoveryPoint: 30 });
    expect(reopened.recoveryProblems.join('\n')).toMatch(/producer snapshot at 30: Snapshot is corrupt/);
    expect(summary(reopened)).toEqual(state);
    // A fresh snapshot replaced it.
    expect(snapshotFiles(env)).toContain(name);
    expect((await openLog(env, CONFIG, { hadCleanShutdown: true, recoveryPoint: 30 })).recoveryProblems).toEqual([]);
  });

  it('rewinds the state on truncation and forgets it on a full truncation', async () => {
    const env = await memoryEnv();
    const log = await openLog(env, CONFIG);
    for (let i = 0; i < 12; i++) log.appendAsLeader(idempotent(1, 0, i * 2, 2), 0, 0);
    await log.flush(0);
    log.truncateTo(8, 0);
    expect(summary(log)).toEqual({ 1: [0, 7, 7] });
    expect(snapshotFiles(env).every((n) => Number(n.slice(0, 20)) <= 8)).toBe(true);
    expect(log.appendAsLeader(idempotent(1, 0, 8, 2), 0, 0)).toMatchObject({ duplicate: false, firstOffset: 8 });
    expect(log.appendAsLeader(idempotent(1, 0, 6, 2), 0, 0)).toMatchObject({ duplicate: true, firstOffset: 6 });
    await log.flush(0);
    expect(summary(log)).toEqual(replayed(log));
    log.truncateFullyAndStartAt(100, 0);
    await log.flush(0);
    expect(summary(log)).toEqual({});
    expect(snapshotFiles(env)).toEqual([]);
    expect(log.appendAsLeader(idempotent(1, 0, 50, 1), 0, 0).firstOffset).toBe(100);
  });

  it('deletes the snapshots of segments retention deletes, keeping the producers', async () => {
    const env = await memoryEnv();
    const log = await openLog(env, { ...CONFIG, 'retention.bytes': 1_500, 'file.delete.delay.ms': 0 });
    for (let i = 0; i < 40; i++) log.appendAsLeader(idempotent(1, 0, i * 4, 4), 0, 0);
    log.updateHighWatermark(log.logEndOffset);
    await log.flush(0);
    const before = snapshotFiles(env);
    expect(before.length).toBeGreaterThan(3);
    expect(log.deleteOldSegments(0).count).toBeGreaterThan(1);
    const start = log.logStartOffset;
    expect(snapshotFiles(env)).toEqual(before.filter((n) => Number(n.slice(0, 20)) >= start));
    expect(snapshotFiles(env).length).toBeLessThan(before.length);
    expect(summary(log)).toEqual({ 1: [0, 159, 159] });
  });
});

describe('SnapshotFiles', () => {
  it('holds snapshots in memory until writePending, and removes a file deleted while it was written', async () => {
    const env = await memoryEnv();
    env.fs.mkdir(PARTITION_DIR);
    const files = new SnapshotFiles(env.fs, PARTITION_DIR);
    files.write(5, Buffer.from('five'));
    expect(files.read(5).toString()).toBe('five');
    expect(snapshotFiles(env)).toEqual([]);
    await files.writePending();
    expect(snapshotFiles(env)).toEqual([offsetFileName(5, '.snapshot')]);
    files.write(9, Buffer.from('nine'));
    const writing = files.writePending();
    files.delete(9);
    await writing;
    expect(snapshotFiles(env)).toEqual([offsetFileName(5, '.snapshot')]);
    expect(new SnapshotFiles(env.fs, PARTITION_DIR).offsets()).toEqual([5]);
  });
});
