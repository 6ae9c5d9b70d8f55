import { describe, expect, it } from 'vitest';
import { buildRecordBatch } from '../../../src/protocol/records/batch-builder.js';
import { NO_SEQUENCE } from '../../../src/protocol/records/batch-header.js';
import { buildTxnMarkerBatch, ControlRecordType } from '../../../src/protocol/records/control-record.js';
import { readSlice } from '../../../src/storage/file-slice.js';
import { offsetFileName } from '../../../src/storage/file-names.js';
import { InvalidProducerEpochError, InvalidTxnStateError } from '../../../src/storage/producer-state/errors.js';
import type { PartitionLog } from '../../../src/storage/partition-log.js';
import { SeededRandom } from '../../../src/util/random.js';
import { memoryEnv, openLog, PARTITION_DIR, type MemoryLogEnv } from '../support/memory-log.js';
import { splitBatches } from '../support/batches.js';

const CONFIG = { 'segment.bytes': 500, 'index.interval.bytes': 100 };

function txnBatch(producerId: number, epoch: number, seq: number, count: number): Buffer {
  return buildRecordBatch({
    records: Array.from({ length: count }, (_, i) => ({ key: Buffer.from('k'), value: Buffer.from(`p${producerId}-${seq + i}`), timestamp: 1_000 })),
    producerId,
    producerEpoch: epoch,
    baseSequence: seq,
    isTransactional: true,
  });
}

function plain(count: number): Buffer {
  return buildRecordBatch({ records: Array.from({ length: count }, (_, i) => ({ key: Buffer.from('k'), value: Buffer.from(`v${i}`), timestamp: 1_000 })) });
}

function marker(producerId: number, epoch: number, commit: boolean, coordinatorEpoch = 0): Buffer {
  return buildTxnMarkerBatch({
    type: commit ? ControlRecordType.Commit : ControlRecordType.Abort,
    producerId,
    producerEpoch: epoch,
    coordinatorEpoch,
    timestamp: 1_000,
  });
}

/** Appends as leader and moves the high watermark to the log end, as a single-replica leader does. */
function append(log: PartitionLog, records: Buffer, origin: 'client' | 'coordinator' = 'client'): number {
  const info = log.appendAsLeader(records, 0, 1_000, origin);
  log.updateHighWatermark(log.logEndOffset);
  return info.firstOffset;
}

function txnIndexFiles(env: MemoryLogEnv): string[] {
  return env.fs.readdir(PARTITION_DIR).filter((n) => n.endsWith('.txnindex')).sort();
}

describe('PartitionLog transactions', () => {
  it('holds the last stable offset at the first open transaction until its marker', async () => {
    const log = await openLog(await memoryEnv(), CONFIG);
    append(log, plain(2));
    expect(log.lastStableOffset).toBe(2);
    expect(append(log, txnBatch(1, 0, 0, 2))).toBe(2);
    append(log, plain(1));
    expect(append(log, txnBatch(2, 0, 0, 1))).toBe(5);
    expect([log.highWatermark, log.firstUnstableOffset, log.lastStableOffset]).toEqual([6, 2, 2]);
    expect(log.producerState.firstUndecidedOffset()).toBe(2);
    append(log, marker(1, 0, true), 'coordinator');
    expect(log.lastStableOffset).toBe(5);
    expect(log.producerState.activeProducers().get(1)!.currentTxnFirstOffset).toBe(-1);
    append(log, marker(2, 0, false), 'coordinator');
    expect([log.lastStableOffset, log.firstUnstableOffset]).toEqual([8, null]);
  });

  it('keeps a completed transaction unstable until the high watermark passes its marker', async () => {
    const log = await openLog(await memoryEnv(), CONFIG);
    log.appendAsLeader(txnBatch(1, 0, 0, 3), 0, 1_000);
    log.appendAsLeader(marker(1, 0, true), 0, 1_000, 'coordinator');
    expect(log.producerState.firstUndecidedOffset()).toBe(null);
    log.updateHighWatermark(2);
    expect([log.firstUnstableOffset, log.lastStableOffset]).toEqual([0, 0]);
    log.updateHighWatermark(3);
    expect(log.lastStableOffset).toBe(0);
    log.updateHighWatermark(4);
    expect([log.firstUnstableOffset, log.lastStableOffset]).toEqual([null, 4]);
  });

  it('checks markers and coordinator writes for the epoch only', async () => {
    const log = await openLog(await memoryEnv(), CONFIG);
    append(log, txnBatch(1, 3, 0, 1));
    expect(() => log.appendAsLeader(marker(1, 2, false), 0, 1_000, 'coordinator')).toThrow(InvalidProducerEpochError);
    // A non-transactional batch of a producer with an open transaction.
    expect(() =>
      log.appendAsLeader(buildRecordBatch({ records: [{ key: null, value: Buffer.from('x'), timestamp: 1 }], producerId: 1, producerEpoch: 3, baseSequence: 1 }), 0, 1_000),
    ).toThrow(InvalidTxnStateError);
    // A marker of a newer epoch (the coordinator bumped it while aborting) closes the transaction.
    append(log, marker(1, 4, false), 'coordinator');
    expect(log.producerState.activeProducers().get(1)!.producerEpoch).toBe(4);
    expect(log.lastStableOffset).toBe(log.logEndOffset);
    // The group coordinator's transactional offset commits: no sequence, only the epoch checked.
    const offsets = (): Buffer =>
      buildRecordBatch({
        records: [{ key: Buffer.from('g'), value: Buffer.from('o'), timestamp: 1 }],
        producerId: 9,
        producerEpoch: 0,
        baseSequence: NO_SEQUENCE,
        isTransactional: true,
      });
    const first = append(log, offsets(), 'coordinator');
    expect(log.lastStableOffset).toBe(first);
    expect(() => log.appendAsLeader(offsets(), 0, 1_000)).toThrow(/sequence/i);
  });

  it('indexes aborted transactions with the last stable offset at their marker and reads them back', async () => {
    const env = await memoryEnv();
    const log = await openLog(env, CONFIG);
    append(log, txnBatch(1, 0, 0, 2)); // 0-1
    append(log, txnBatch(2, 0, 0, 2)); // 2-3
    append(log, marker(1, 0, false), 'coordinator'); // 4: producer 2 still open from 2
    append(log, marker(2, 0, false), 'coordinator'); // 5
    append(log, plain(2)); // 6-7
    expect(log.collectAbortedTransactions(0, 8)).toEqual([
      { producerId: 1, firstOffset: 0, lastOffset: 4, lastStableOffset: 2 },
      { producerId: 2, firstOffset: 2, lastOffset: 5, lastStableOffset: 6 },
    ]);
    expect(log.collectAbortedTransactions(5, 8).map((t) => t.producerId)).toEqual([2]);
    expect(log.collectAbortedTransactions(6, 8)).toEqual([]);
    expect(txnIndexFiles(env)).toEqual([offsetFileName(0, '.txnindex')]);
    expect(env.fs.readFile(`${PARTITION_DIR}/${offsetFileName(0, '.txnindex')}`).length).toBe(68);
    const read = log.read(0, 1 << 20, { maxOffset: log.lastStableOffset, abortedTransactions: true });
    expect(read.abortedTransactions!.map((t) => [t.producerId, t.firstOffset])).toEqual([
      [1, 0],
      [2, 2],
    ]);
    expect(log.read(6, 1 << 20, { abortedTransactions: true }).abortedTransactions).toEqual([]);
    expect(log.read(6, 1 << 20).abortedTransactions).toBe(null);
    const committed = log.read(0, 1 << 20, { maxOffset: 2 });
    expect(splitBatches(readSlice(committed.records!)).map((b) => b.baseOffset)).toEqual([0]);
  });

  it('searches later segments for transactions that started in the range and ended further on', async () => {
    const env = await memoryEnv();
    const log = await openLog(env, CONFIG);
    append(log, txnBatch(1, 0, 0, 3)); // 0-2
    log.roll(1_000);
    append(log, plain(3)); // 3-5
    log.roll(1_000);
    append(log, marker(1, 0, false), 'coordinator'); // 6
    expect(log.segmentBaseOffsets).toEqual([0, 3, 6]);
    expect(txnIndexFiles(env)).toEqual([offsetFileName(6, '.txnindex')]);
    const read = log.read(0, 1 << 20, { abortedTransactions: true });
    expect(read.abortedTransactions).toEqual([{ producerId: 1, firstOffset: 0, lastOffset: 6, lastStableOffset: 7 }]);
    // A fetch from the middle of the transaction gets it too: its records before the marker are aborted.
    expect(log.collectAbortedTransactions(3, 6).map((t) => t.producerId)).toEqual([1]);
    expect(log.collectAbortedTransactions(7, 8)).toEqual([]);
  });

  it('truncates the txn index with the log and deletes it with its segment', async () => {
    const env = await memoryEnv();
    const log = await openLog(env, CONFIG);
    append(log, txnBatch(1, 0, 0, 1)); // 0
    append(log, marker(1, 0, false), 'coordinator'); // 1
    append(log, txnBatch(2, 0, 0, 1)); // 2
    append(log, marker(2, 0, false), 'coordinator'); // 3
    expect(log.collectAbortedTransactions(0, 4).length).toBe(2);
    log.truncateTo(3, 1_000);
    expect(log.collectAbortedTransactions(0, 4).map((t) => t.producerId)).toEqual([1]);
    // Producer 2's transaction is open again after the truncation.
    expect([log.producerState.firstUndecidedOffset(), log.lastStableOffset]).toEqual([2, 2]);
    log.truncateFullyAndStartAt(10, 1_000);
    expect(log.collectAbortedTransactions(10, 11)).toEqual([]);
    log.deleteExpiredFiles(Number.MAX_SAFE_INTEGER);
    expect(txnIndexFiles(env)).toEqual([]);
  });

  it('rebuilds the txn index of recovered segments after a crash (seeded)', async () => {
    const seed = 7;
    console.log(`txn index recovery seed ${seed}`);
    const random = new SeededRandom(seed);
    const env = await memoryEnv(seed);
    let log = await openLog(env, CONFIG);
    const open = new Map<number, number>();
    let epochs = 0;
    for (let step = 0; step < 60; step++) {
      const producerId = random.int(4);
      const r = random.int(10);
      if (r < 6) {
        const entry = log.producerState.activeProducers().get(producerId);
        const seq = entry === undefined || entry.producerEpoch !== 0 ? 0 : entry.lastSeq + 1;
        if (entry !== undefined && entry.producerEpoch !== 0) continue;
        append(log, txnBatch(producerId, 0, seq, 1 + random.int(3)));
        open.set(producerId, 1);
      } else if (open.has(producerId)) {
        append(log, marker(producerId, 0, r < 8), 'coordinator');
        open.delete(producerId);
      } else {
        append(log, plain(1 + random.int(2)));
      }
      if (random.int(8) === 0) await log.flush(1_000);
      epochs++;
    }
    const expected = log.collectAbortedTransactions(0, log.logEndOffset);
    const lso = log.lastStableOffset;
    expect(expected.length).toBeGreaterThan(0);
    expect(log.segmentBaseOffsets.length).toBeGreaterThan(2);
    await log.flush(1_000);
    // Lose every txn index, then recover as after a crash from the start of the log.
    for (const name of txnIndexFiles(env)) env.fs.unlink(`${PARTITION_DIR}/${name}`);
    await env.fs.syncDir(PARTITION_DIR);
    log.abandon();
    env.fs.crash();
    log = await openLog(env, CONFIG, { recoveryPoint: 0, highWatermark: Number.MAX_SAFE_INTEGER });
    expect(log.collectAbortedTransactions(0, log.logEndOffset)).toEqual(expected);
    expect(log.lastStableOffset).toBe(lso);
    expect(epochs).toBeGreaterThan(0);
  });

  it('keeps the txn index of a swap interrupted after its log file took the final name', async () => {
    const env = await memoryEnv();
    const log = await openLog(env, CONFIG);
    append(log, txnBatch(1, 0, 0, 1));
    append(log, marker(1, 0, false), 'coordinator');
    log.roll(1_000);
    await log.close(1_000);
    const name = `${PARTITION_DIR}/${offsetFileName(0, '.txnindex')}`;
    env.fs.rename(name, `${name}.swap`);
    env.fs.rename(`${PARTITION_DIR}/${offsetFileName(0, '.index')}`, `${PARTITION_DIR}/${offsetFileName(0, '.index')}.swap`);
    const reopened = await openLog(env, CONFIG, { hadCleanShutdown: true, recoveryPoint: 2, highWatermark: 2 });
    expect(env.fs.readdir(PARTITION_DIR).filter((n) => n.endsWith('.swap'))).toEqual([]);
    expect(reopened.collectAbortedTransactions(0, 2)).toEqual([{ producerId: 1, firstOffset: 0, lastOffset: 1, lastStableOffset: 2 }]);
  });

  it('rebuilds a txn index that cannot be read', async () => {
    const env = await memoryEnv();
    const log = await openLog(env, CONFIG);
    append(log, txnBatch(1, 0, 0, 1));
    append(log, marker(1, 0, false), 'coordinator');
    append(log, plain(1));
    log.roll(1_000);
    await log.close(1_000);
    const file = `${PARTITION_DIR}/${offsetFileName(0, '.txnindex')}`;
    const handle = env.fs.open(file, 'readWrite');
    handle.write(Buffer.from([1, 2, 3]), 34);
    handle.close();
    const reopened = await openLog(env, CONFIG, { hadCleanShutdown: true, recoveryPoint: 3, highWatermark: 3 });
    expect(reopened.collectAbortedTransactions(0, 3)).toEqual([{ producerId: 1, firstOffset: 0, lastOffset: 1, lastStableOffset: 2 }]);
    expect(env.fs.readFile(file).length).toBe(34);
  });
});
