import { describe, expect, it } from 'vitest';
import { buildRecordBatch } from '../../../src/protocol/records/batch-builder.js';
import { RecordBatchHeader } from '../../../src/protocol/records/batch-header.js';
import { buildTxnMarkerBatch, ControlRecordType } from '../../../src/protocol/records/control-record.js';
import { ManualClock } from '../../../src/util/clock.js';
import { analyzeProducerState, applyProducerState } from '../../../src/storage/producer-state/leader-append.js';
import {
  InvalidProducerEpochError,
  InvalidTxnStateError,
  OutOfOrderSequenceError,
  TransactionCoordinatorFencedError,
} from '../../../src/storage/producer-state/errors.js';
import type { ProducerAppendOrigin } from '../../../src/storage/producer-state/producer-append-info.js';
import { NUM_BATCHES_TO_RETAIN } from '../../../src/storage/producer-state/producer-state-entry.js';
import { encodeSnapshot } from '../../../src/storage/producer-state/snapshot-format.js';
import { ProducerStateManager, type SnapshotStore } from '../../../src/storage/producer-state/producer-state-manager.js';
import { decrementSequence, incrementSequence, INT32_MAX, inSequence, lastSequenceOf } from '../../../src/storage/producer-state/sequence.js';

const DAY_MS = 86_400_000;

/** Snapshots kept in memory. */
class MemoryStore implements SnapshotStore {
  readonly files = new Map<number, Buffer>();
  offsets(): number[] {
    return [...this.files.keys()].sort((a, b) => a - b);
  }
  read(offset: number): Buffer {
    return this.files.get(offset)!;
  }
  write(offset: number, bytes: Buffer): void {
    this.files.set(offset, bytes);
  }
  delete(offset: number): void {
    this.files.delete(offset);
  }
}

interface Harness {
  manager: ProducerStateManager;
  store: MemoryStore;
  clock: ManualClock;
  /** Appends a batch at the current map end (as a log would) and returns its first offset, or the duplicate's. */
  append(spec: BatchSpec, origin?: ProducerAppendOrigin): { firstOffset: number; duplicate: boolean };
}

interface BatchSpec {
  producerId?: number;
  epoch?: number;
  seq: number;
  count?: number;
  transactional?: boolean;
  timestamp?: number;
}

function harness(expirationMs = DAY_MS): Harness {
  const clock = new ManualClock(1_000_000);
  const store = new MemoryStore();
  const manager = new ProducerStateManager('t-0', store, { producerIdExpirationMs: () => expirationMs });
  const append = (spec: BatchSpec, origin: ProducerAppendOrigin = 'client') => {
    const count = spec.count ?? 1;
    const bytes = buildRecordBatch({
      records: Array.from({ length: count }, (_, i) => ({ key: null, value: Buffer.from(`v${i}`), timestamp: spec.timestamp ?? clock.now() })),
      producerId: spec.producerId ?? 7,
      producerEpoch: spec.epoch ?? 0,
      baseSequence: spec.seq,
      isTransactional: spec.transactional ?? false,
    });
    const batch = new RecordBatchHeader(bytes);
    batch.baseOffset = manager.mapEndOffset;
    const analysis = analyzeProducerState(manager, [batch], origin);
    if (analysis.duplicate !== null) return { firstOffset: analysis.duplicate.firstOffset, duplicate: true };
    applyProducerState(manager, analysis);
    manager.updateMapEndOffset(batch.lastOffset + 1);
    return { firstOffset: batch.baseOffset, duplicate: false };
  };
  return { manager, store, clock, append };
}

describe('sequence arithmetic', () => {
  it('wraps at Int32 max', () => {
    expect(incrementSequence(INT32_MAX, 1)).toBe(0);
    expect(incrementSequence(INT32_MAX - 1, 3)).toBe(1);
    expect(decrementSequence(1, 3)).toBe(INT32_MAX - 1);
    expect(lastSequenceOf(INT32_MAX - 1, 2)).toBe(0);
    expect(lastSequenceOf(-1, 5)).toBe(-1);
    expect(inSequence(INT32_MAX, 0)).toBe(true);
    expect(inSequence(4, 6)).toBe(false);
  });
});

describe('ProducerStateManager', () => {
  it('accepts sequences in order and recognises a retry of any of the last five batches', () => {
    const h = harness();
    const offsets = [0, 2, 4, 6, 8, 10].map((seq) => h.append({ seq, count: 2 }).firstOffset);
    expect(offsets).toEqual([0, 2, 4, 6, 8, 10]);
    expect(h.manager.lastEntry(7)!.batches).toHaveLength(NUM_BATCHES_TO_RETAIN);
    expect(h.append({ seq: 2, count: 2 })).toEqual({ firstOffset: 2, duplicate: true });
    expect(h.append({ seq: 10, count: 2 })).toEqual({ firstOffset: 10, duplicate: true });
    // The oldest batch has left the window: a retry of it is now a sequence error.
    expect(() => h.append({ seq: 0, count: 2 })).toThrow(OutOfOrderSequenceError);
    // The same first sequence with another length is not a duplicate.
    expect(() => h.append({ seq: 10, count: 1 })).toThrow(OutOfOrderSequenceError);
    expect(h.manager.mapEndOffset).toBe(12);
  });

  it('answers a gap OUT_OF_ORDER_SEQUENCE_NUMBER', () => {
    const h = harness();
    h.append({ seq: 0, count: 3 });
    expect(() => h.append({ seq: 4 })).toThrow(OutOfOrderSequenceError);
    expect(h.append({ seq: 3 }).duplicate).toBe(false);
  });

  it('fences older epochs and requires a new epoch to start at 0', () => {
    const h = harness();
    h.append({ seq: 0, count: 3 });
    expect(() => h.append({ epoch: 1, seq: 3 })).toThrow(OutOfOrderSequenceError);
    expect(h.append({ epoch: 1, seq: 0 }).duplicate).toBe(false);
    expect(h.manager.lastEntry(7)!.batches).toHaveLength(1);
    expect(() => h.append({ epoch: 0, seq: 3 })).toThrow(InvalidProducerEpochError);
    // A retry from the old epoch is no duplicate either: fenced.
    expect(() => h.append({ epoch: 0, seq: 0, count: 3 })).toThrow(InvalidProducerEpochError);
    // The broker's own appends are checked for the epoch only.
    expect(() => h.append({ epoch: 0, seq: 9 }, 'coordinator')).toThrow(InvalidProducerEpochError);
    expect(h.append({ epoch: 1, seq: 99 }, 'coordinator').duplicate).toBe(false);
  });

  it('accepts any first sequence from an unknown producer (Kafka 3.9, no UNKNOWN_PRODUCER_ID)', () => {
    const h = harness();
    expect(h.append({ producerId: 9, seq: 1234, count: 2 }).duplicate).toBe(false);
    expect(h.manager.lastEntry(9)!.lastSeq).toBe(1235);
    expect(() => h.append({ producerId: 9, seq: 1237 })).toThrow(OutOfOrderSequenceError);
  });

  it('wraps sequences around Int32 max', () => {
    const h = harness();
    h.append({ seq: INT32_MAX - 2, count: 2 });
    expect(h.append({ seq: INT32_MAX, count: 3 }).duplicate).toBe(false);
    expect(h.manager.lastEntry(7)!.lastSeq).toBe(1);
    expect(h.append({ seq: INT32_MAX, count: 3 })).toEqual({ firstOffset: 2, duplicate: true });
    expect(h.append({ seq: 2 }).duplicate).toBe(false);
  });

  it('replication applies batches without checks', () => {
    const h = harness();
    h.append({ epoch: 3, seq: 0 });
    expect(h.append({ epoch: 2, seq: 50 }, 'replication').duplicate).toBe(false);
    expect(h.manager.lastEntry(7)!.producerEpoch).toBe(2);
  });

  it('tracks transactions and refuses non-transactional writes inside one', () => {
    const h = harness();
    h.append({ seq: 0, transactional: true });
    expect(h.manager.lastEntry(7)!.currentTxnFirstOffset).toBe(0);
    expect(h.manager.firstUndecidedOffset()).toBe(0);
    expect(() => h.append({ seq: 1 })).toThrow(InvalidTxnStateError);
    const marker = new RecordBatchHeader(
      buildTxnMarkerBatch({ type: ControlRecordType.Commit, producerId: 7, producerEpoch: 0, coordinatorEpoch: 4, timestamp: h.clock.now() }),
    );
    marker.baseOffset = h.manager.mapEndOffset;
    const analysis = analyzeProducerState(h.manager, [marker], 'coordinator');
    expect(analysis.completedTxns).toEqual([{ producerId: 7, firstOffset: 0, lastOffset: 1, isAborted: false }]);
    applyProducerState(h.manager, analysis);
    expect(h.manager.lastEntry(7)!.currentTxnFirstOffset).toBe(-1);
    expect(h.manager.lastEntry(7)!.coordinatorEpoch).toBe(4);
    expect(h.manager.firstUndecidedOffset()).toBeNull();
    const stale = new RecordBatchHeader(
      buildTxnMarkerBatch({ type: ControlRecordType.Abort, producerId: 7, producerEpoch: 0, coordinatorEpoch: 3, timestamp: h.clock.now() }),
    );
    expect(() => analyzeProducerState(h.manager, [stale], 'coordinator')).toThrow(TransactionCoordinatorFencedError);
  });

  it('expires producers idle for producer.id.expiration.ms, except those in a transaction', () => {
    const h = harness(60_000);
    h.append({ producerId: 1, seq: 0 });
    h.append({ producerId: 2, seq: 0, transactional: true });
    h.clock.advance(59_999);
    expect(h.manager.removeExpiredProducers(h.clock.now())).toBe(0);
    h.append({ producerId: 3, seq: 0 });
    h.clock.advance(1);
    expect(h.manager.removeExpiredProducers(h.clock.now())).toBe(1);
    expect([...h.manager.activeProducers().keys()].sort()).toEqual([2, 3]);
    // An expired producer is unknown again: it may continue at any sequence.
    expect(h.append({ producerId: 1, seq: 77 }).duplicate).toBe(false);
  });

  it('snapshots the state and reloads the newest intact snapshot, dropping expired producers', () => {
    const h = harness(60_000);
    h.append({ producerId: 1, seq: 0, count: 2 });
    h.append({ producerId: 2, seq: 5, count: 1, timestamp: h.clock.now() - 60_000 });
    h.append({ producerId: 3, seq: 0, transactional: true, timestamp: 1 });
    expect(h.manager.takeSnapshot()).toBe(true);
    expect(h.manager.takeSnapshot()).toBe(false);
    expect(h.store.offsets()).toEqual([4]);
    h.store.write(9, Buffer.from('not a snapshot'));

    const reloaded = new ProducerStateManager('t-0', h.store, { producerIdExpirationMs: () => 60_000 });
    reloaded.truncateAndReload(0, 20, h.clock.now());
    expect(reloaded.snapshotProblems.map((p) => p.offset)).toEqual([9]);
    expect(h.store.offsets()).toEqual([4]);
    expect(reloaded.mapEndOffset).toBe(4);
    expect([...reloaded.activeProducers().keys()].sort()).toEqual([1, 3]);
    const entry = reloaded.lastEntry(1)!;
    expect([entry.producerEpoch, entry.firstSeq, entry.lastSeq, entry.lastDataOffset, entry.lastOffsetDelta]).toEqual([0, 0, 1, 1, 1]);
    expect(reloaded.lastEntry(3)!.currentTxnFirstOffset).toBe(3);
    expect(reloaded.firstUndecidedOffset()).toBe(3);
  });

  it('drops snapshots outside (log start, log end] on truncation, and all of them on a full truncation', () => {
    const h = harness();
    for (const offset of [0, 5, 10, 15]) h.store.write(offset, encodeSnapshot([]));
    h.manager.truncateAndReload(5, 12, h.clock.now());
    expect(h.store.offsets()).toEqual([10]);
    expect(h.manager.mapEndOffset).toBe(10);
    h.manager.truncateFullyAndStartAt(30);
    expect(h.store.offsets()).toEqual([]);
    expect(h.manager.mapEndOffset).toBe(30);
  });

  it('removes stray snapshots but keeps the newest one past the last segment', () => {
    const h = harness();
    for (const offset of [0, 3, 5, 8, 12, 20]) h.store.write(offset, Buffer.alloc(0));
    h.manager.removeStraySnapshots([0, 5, 12]);
    expect(h.store.offsets()).toEqual([0, 5, 12, 20]);
    h.manager.removeStraySnapshots([0, 5, 12, 25]);
    expect(h.store.offsets()).toEqual([0, 5, 12]);
    h.manager.deleteSnapshotsBefore(6);
    expect(h.store.offsets()).toEqual([12]);
  });
});
