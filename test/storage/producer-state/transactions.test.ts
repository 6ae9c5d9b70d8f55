import { describe, expect, it } from 'vitest';
import { buildRecordBatch } from '../../../src/protocol/records/batch-builder.js';
import { RecordBatchHeader } from '../../../src/protocol/records/batch-header.js';
import { buildTxnMarkerBatch, ControlRecordType } from '../../../src/protocol/records/control-record.js';
import { InvalidProducerEpochError, TransactionCoordinatorFencedError } from '../../../src/storage/producer-state/errors.js';
import { analyzeProducerState, applyProducerState } from '../../../src/storage/producer-state/leader-append.js';
import type { ProducerAppendOrigin } from '../../../src/storage/producer-state/producer-append-info.js';
import { ProducerStateManager } from '../../../src/storage/producer-state/producer-state-manager.js';

function manager(): ProducerStateManager {
  const store = { offsets: () => [], read: () => Buffer.alloc(0), write: () => {}, delete: () => {} };
  return new ProducerStateManager('t-0', store, { producerIdExpirationMs: () => 1_000 });
}

/** A batch at `offset`, as the log would have assigned it. */
function at(bytes: Buffer, offset: number): RecordBatchHeader {
  const header = new RecordBatchHeader(bytes);
  header.baseOffset = offset;
  return header;
}

function data(producerId: number, epoch: number, seq: number, count: number, offset: number, isTransactional = true): RecordBatchHeader {
  const records = Array.from({ length: count }, () => ({ key: null, value: Buffer.from('v'), timestamp: 100 }));
  return at(buildRecordBatch({ records, producerId, producerEpoch: epoch, baseSequence: seq, isTransactional }), offset);
}

function marker(producerId: number, epoch: number, commit: boolean, offset: number, coordinatorEpoch = 0): RecordBatchHeader {
  const type = commit ? ControlRecordType.Commit : ControlRecordType.Abort;
  return at(buildTxnMarkerBatch({ type, producerId, producerEpoch: epoch, coordinatorEpoch, timestamp: 200 }), offset);
}

/** Analyses and applies one append, returning the transactions it completed. */
function append(m: ProducerStateManager, batches: RecordBatchHeader[], origin: ProducerAppendOrigin = 'client') {
  const analysis = analyzeProducerState(m, batches, origin);
  applyProducerState(m, analysis);
  return analysis.completedTxns;
}

describe('ProducerStateManager transactions', () => {
  it('opens a transaction with the first transactional batch and closes it with a marker', () => {
    const m = manager();
    append(m, [data(1, 0, 0, 2, 10)]);
    append(m, [data(1, 0, 2, 1, 12)]);
    expect([m.firstUndecidedOffset(), m.firstUnstableOffset()]).toEqual([10, 10]);
    expect(m.lastEntry(1)!.currentTxnFirstOffset).toBe(10);
    append(m, [data(2, 0, 0, 1, 13)]);
    expect([...m.ongoingTransactions()]).toEqual([
      [10, 1],
      [13, 2],
    ]);
    const completed = append(m, [marker(1, 0, false, 14)], 'coordinator');
    expect(completed).toEqual([{ producerId: 1, firstOffset: 10, lastOffset: 14, isAborted: true }]);
    // The marker is not replicated yet: the transaction still holds the first unstable offset.
    expect([m.firstUndecidedOffset(), m.firstUnstableOffset()]).toEqual([13, 10]);
    m.onHighWatermarkUpdated(14);
    expect(m.firstUnstableOffset()).toBe(10);
    m.onHighWatermarkUpdated(15);
    expect(m.firstUnstableOffset()).toBe(13);
    append(m, [marker(2, 0, true, 15)], 'coordinator');
    m.onHighWatermarkUpdated(16);
    expect([m.firstUndecidedOffset(), m.firstUnstableOffset()]).toEqual([null, null]);
  });

  it("records with an aborted transaction the first offset of another producer's open transaction", () => {
    const m = manager();
    append(m, [data(1, 0, 0, 1, 0)]);
    append(m, [data(2, 0, 0, 1, 1)]);
    const [txn] = analyzeProducerState(m, [marker(1, 0, false, 2)], 'coordinator').completedTxns;
    expect(m.lastStableOffset(txn)).toBe(1);
    const [other] = analyzeProducerState(m, [marker(2, 0, false, 2)], 'coordinator').completedTxns;
    expect(m.lastStableOffset(other)).toBe(0);
    const alone = { producerId: 3, firstOffset: 5, lastOffset: 7, isAborted: true };
    expect(m.lastStableOffset(alone)).toBe(0);
    expect(manager().lastStableOffset(alone)).toBe(8);
  });

  it('checks markers for the producer epoch and the coordinator epoch', () => {
    const m = manager();
    append(m, [data(1, 5, 0, 1, 0)]);
    expect(() => analyzeProducerState(m, [marker(1, 4, true, 1)], 'coordinator')).toThrow(InvalidProducerEpochError);
    append(m, [marker(1, 5, true, 1, 3)], 'coordinator');
    append(m, [data(1, 5, 1, 1, 2)]);
    expect(() => analyzeProducerState(m, [marker(1, 5, true, 3, 2)], 'coordinator')).toThrow(TransactionCoordinatorFencedError);
    // A newer epoch (the coordinator fenced the producer) is taken.
    expect(append(m, [marker(1, 6, false, 3, 3)], 'coordinator')).toEqual([{ producerId: 1, firstOffset: 2, lastOffset: 3, isAborted: true }]);
    expect(m.lastEntry(1)!.producerEpoch).toBe(6);
    // Replication applies whatever the leader wrote.
    expect(() => analyzeProducerState(m, [marker(1, 4, true, 4, 0)], 'replication')).not.toThrow();
  });

  it('forgets unreplicated transactions below the log start and on truncation', () => {
    const m = manager();
    append(m, [data(1, 0, 0, 1, 0)]);
    append(m, [marker(1, 0, true, 1)], 'coordinator');
    expect(m.firstUnstableOffset()).toBe(0);
    m.onLogStartOffsetIncremented(2);
    expect(m.firstUnstableOffset()).toBe(null);
    append(m, [data(1, 0, 1, 1, 2)]);
    m.truncateFullyAndStartAt(2);
    expect([m.firstUndecidedOffset(), m.firstUnstableOffset()]).toEqual([null, null]);
  });
});
