import { describe, expect, it } from 'vitest';
import { txnRecord } from '../../../src/coordinator/txn/txn-records.js';
import type { TransactionState, TxnTransit } from '../../../src/coordinator/txn/transaction-metadata.js';
import { DEFAULT_TRANSACTION_COORDINATOR_CONFIG, type TransactionCoordinatorShard } from '../../../src/coordinator/txn/transaction-shard.js';
import { ErrorCode } from '../../../src/protocol/generated/error-codes.js';
import { SeededRandom } from '../../../src/util/random.js';
import { COORDINATOR_EPOCH, tp, TxnHarness } from './harness.js';

const E = ErrorCode;

/** A harness with one id in an Ongoing transaction over t-0 and t-1. */
function ongoing(id = 'tx') {
  const h = new TxnHarness();
  const p = h.initOk(id);
  expect(h.add(id, p, [tp('t', 0), tp('t', 1)]).response).toBe(E.NONE);
  return { h, p };
}

/** Puts `id` straight into a state by replaying a record, as a load would. */
function seed(h: TxnHarness, id: string, fields: Partial<TxnTransit> & { state: TransactionState }) {
  const t: TxnTransit = {
    producerId: 500,
    previousProducerId: -1,
    nextProducerId: -1,
    producerEpoch: 3,
    lastProducerEpoch: -1,
    txnTimeoutMs: 60_000,
    topicPartitions: fields.state === 'Empty' ? [] : [tp('t', 0)],
    txnStartTimestamp: fields.state === 'Empty' ? -1 : h.now,
    txnLastUpdateTimestamp: h.now,
    ...fields,
  };
  const record = txnRecord(id, t);
  h.shard.replay(record);
  h.log.push(record);
}

describe('InitProducerId', () => {
  it('gives a new transactional id a new producer id and epoch 0', () => {
    const h = new TxnHarness();
    const r = h.init('tx', { timeoutMs: 30_000 });
    expect(r.response).toEqual({ errorCode: E.NONE, producerId: 1000, producerEpoch: 0 });
    expect(r.records).toHaveLength(1);
    expect(r.records[0].value).toMatchObject({ producerId: 1000, producerEpoch: 0, transactionTimeoutMs: 30_000, transactionStatus: 0, transactionPartitions: null, transactionStartTimestampMs: -1, transactionLastUpdateTimestampMs: h.now });
    expect(r.markers).toEqual([]);
    expect(h.shard.describeTransaction('tx')).toMatchObject({ errorCode: E.NONE, transactionState: 'Empty', producerId: 1000, producerEpoch: 0, transactionTimeoutMs: 30_000, transactionStartTimeMs: -1, topics: [] });
  });

  it('bumps the epoch of a known id, fencing the previous producer, and takes the new timeout', () => {
    const h = new TxnHarness();
    h.initOk('tx');
    h.advance(5);
    expect(h.init('tx', { timeoutMs: 20_000 }).response).toEqual({ errorCode: E.NONE, producerId: 1000, producerEpoch: 1 });
    expect(h.shard.get('tx')).toMatchObject({ producerEpoch: 1, lastProducerEpoch: -1, txnTimeoutMs: 20_000, txnLastUpdateTimestamp: h.now });
    expect(h.nextProducerId).toBe(1001);
  });

  it('answers an idempotent producer (no transactional id) with a new producer id and no record', () => {
    const h = new TxnHarness();
    expect(h.init(null)).toEqual({ response: { errorCode: E.NONE, producerId: 1000, producerEpoch: 0 }, records: [], markers: [] });
    expect(h.init(null).response.producerId).toBe(1001);
  });

  it('answers COORDINATOR_LOAD_IN_PROGRESS when no producer id can be allocated', () => {
    const h = new TxnHarness();
    h.canAllocate = false;
    expect(h.init(null).response).toEqual({ errorCode: E.COORDINATOR_LOAD_IN_PROGRESS, producerId: -1, producerEpoch: -1 });
    expect(h.init('tx').response.errorCode).toBe(E.COORDINATOR_LOAD_IN_PROGRESS);
    expect(h.shard.get('tx')).toBeUndefined();
    expect(h.log).toEqual([]);
  });

  it('rejects an empty transactional id and a producer id without an epoch', () => {
    const h = new TxnHarness();
    expect(h.init('').response).toEqual({ errorCode: E.INVALID_REQUEST, producerId: -1, producerEpoch: -1 });
    expect(h.init('tx', { producerId: 5 }).response.errorCode).toBe(E.INVALID_REQUEST);
    expect(h.init('tx', { producerEpoch: 5 }).response.errorCode).toBe(E.INVALID_REQUEST);
    expect(h.init(null, { producerEpoch: 5 }).response.errorCode).toBe(E.INVALID_REQUEST);
    expect(h.log).toEqual([]);
  });

  it('checks the timeout against transaction.max.timeout.ms', () => {
    const h = new TxnHarness();
    expect(h.init('tx', { timeoutMs: 900_001 }).response.errorCode).toBe(E.INVALID_TRANSACTION_TIMEOUT);
    expect(h.init('tx', { timeoutMs: 0 }).response.errorCode).toBe(E.INVALID_TRANSACTION_TIMEOUT);
    expect(h.init('tx', { timeoutMs: -5 }).response.errorCode).toBe(E.INVALID_TRANSACTION_TIMEOUT);
    expect(h.nextProducerId).toBe(1000);
    expect(h.init('tx', { timeoutMs: 900_000 }).response.errorCode).toBe(E.NONE);
  });

  describe('with the producer id and epoch (KIP-360)', () => {
    it('bumps the current epoch and remembers it', () => {
      const h = new TxnHarness();
      const p = h.initOk('tx');
      expect(h.init('tx', p).response).toEqual({ errorCode: E.NONE, producerId: 1000, producerEpoch: 1 });
      expect(h.shard.get('tx')!.lastProducerEpoch).toBe(0);
    });

    it('answers a retry of a successful bump with the same epoch', () => {
      const h = new TxnHarness();
      const p = h.initOk('tx');
      h.initOk('tx', p);
      const retry = h.init('tx', p);
      expect(retry.response).toEqual({ errorCode: E.NONE, producerId: 1000, producerEpoch: 1 });
      expect(retry.records).toHaveLength(1);
      expect(h.shard.get('tx')).toMatchObject({ producerEpoch: 1, lastProducerEpoch: 0 });
    });

    it('fences a producer whose epoch is neither the current nor the last one', () => {
      const h = new TxnHarness();
      const p = h.initOk('tx');
      h.initOk('tx', p); // epoch 1, last 0
      h.initOk('tx'); // epoch 2, last forgotten
      expect(h.init('tx', p).response).toEqual({ errorCode: E.PRODUCER_FENCED, producerId: -1, producerEpoch: -1 });
      expect(h.init('tx', { producerId: 1000, producerEpoch: 7 }).response.errorCode).toBe(E.PRODUCER_FENCED);
    });

    it('fences a producer id that is not the transactional id’s', () => {
      const h = new TxnHarness();
      h.initOk('tx');
      expect(h.init('tx', { producerId: 999, producerEpoch: 0 }).response.errorCode).toBe(E.PRODUCER_FENCED);
    });

    it('gives a new id epoch 0 whatever the producer sends (recovery from UNKNOWN_PRODUCER_ID after expiry)', () => {
      const h = new TxnHarness();
      expect(h.init('tx', { producerId: 77, producerEpoch: 12 }).response).toEqual({ errorCode: E.NONE, producerId: 1000, producerEpoch: 0 });
    });
  });

  it('aborts an Ongoing transaction under a bumped epoch and answers CONCURRENT_TRANSACTIONS', () => {
    const { h, p } = ongoing();
    h.advance(100);
    const r = h.init('tx');
    expect(r.response).toEqual({ errorCode: E.CONCURRENT_TRANSACTIONS, producerId: -1, producerEpoch: -1 });
    expect(r.records).toHaveLength(1);
    expect(r.records[0].value).toMatchObject({ producerId: p.producerId, producerEpoch: 1, transactionStatus: 3 });
    expect(r.markers).toEqual([
      { transactionalId: 'tx', producerId: 1000, producerEpoch: 1, coordinatorEpoch: COORDINATOR_EPOCH, result: 'abort', partitions: [tp('t', 0), tp('t', 1)] },
    ]);
    expect(h.shard.get('tx')).toMatchObject({ state: 'PrepareAbort', producerEpoch: 1, lastProducerEpoch: -1 });
    // The client retries while the markers are written...
    expect(h.init('tx').response.errorCode).toBe(E.CONCURRENT_TRANSACTIONS);
    expect(h.written(r.markers[0]).response).toBe('completed');
    // ...and then gets a second bump.
    expect(h.init('tx').response).toEqual({ errorCode: E.NONE, producerId: 1000, producerEpoch: 2 });
  });

  it('answers CONCURRENT_TRANSACTIONS while a commit is being completed', () => {
    const { h, p } = ongoing();
    h.end('tx', p, true);
    expect(h.init('tx').response.errorCode).toBe(E.CONCURRENT_TRANSACTIONS);
    expect(h.init('tx', p).response.errorCode).toBe(E.CONCURRENT_TRANSACTIONS);
  });

  describe('epoch exhaustion', () => {
    it('rotates to a new producer id once the epoch reaches Short.MaxValue - 1', () => {
      const h = new TxnHarness();
      seed(h, 'tx', { state: 'CompleteCommit', producerId: 500, producerEpoch: 32766 });
      const r = h.init('tx');
      expect(r.response).toEqual({ errorCode: E.NONE, producerId: 1000, producerEpoch: 0 });
      expect(h.shard.get('tx')).toMatchObject({ producerId: 1000, previousProducerId: 500, lastProducerEpoch: -1 });
    });

    it('bumps to Short.MaxValue - 1 before rotating', () => {
      const h = new TxnHarness();
      seed(h, 'tx', { state: 'Empty', producerId: 500, producerEpoch: 32765 });
      expect(h.init('tx').response).toEqual({ errorCode: E.NONE, producerId: 500, producerEpoch: 32766 });
      expect(h.init('tx').response).toEqual({ errorCode: E.NONE, producerId: 1000, producerEpoch: 0 });
    });

    it('rotates for the expected exhausted epoch and recognizes the retry by the previous producer id', () => {
      const h = new TxnHarness();
      seed(h, 'tx', { state: 'Empty', producerId: 500, producerEpoch: 32766 });
      const old = { producerId: 500, producerEpoch: 32766 };
      expect(h.init('tx', old).response).toEqual({ errorCode: E.NONE, producerId: 1000, producerEpoch: 0 });
      expect(h.shard.get('tx')).toMatchObject({ previousProducerId: 500, lastProducerEpoch: 32766 });
      // The response was lost: the producer retries with its old id and epoch.
      expect(h.init('tx', old).response).toEqual({ errorCode: E.NONE, producerId: 1000, producerEpoch: 0 });
      expect(h.nextProducerId).toBe(1001);
      // The old producer id with a non-exhausted epoch is a zombie.
      expect(h.init('tx', { producerId: 500, producerEpoch: 12 }).response.errorCode).toBe(E.PRODUCER_FENCED);
    });

    it('fences an Ongoing transaction at Short.MaxValue, then rotates', () => {
      const h = new TxnHarness();
      seed(h, 'tx', { state: 'Ongoing', producerId: 500, producerEpoch: 32766, topicPartitions: [tp('t', 0)] });
      const fenced = h.init('tx');
      expect(fenced.response.errorCode).toBe(E.CONCURRENT_TRANSACTIONS);
      expect(fenced.markers[0]).toMatchObject({ producerId: 500, producerEpoch: 32767, result: 'abort' });
      h.written(fenced.markers[0]);
      expect(h.init('tx').response).toEqual({ errorCode: E.NONE, producerId: 1000, producerEpoch: 0 });
    });

    it('never fences past Short.MaxValue (a corrupt log), answering UNKNOWN_SERVER_ERROR and skipping the timeout', () => {
      const h = new TxnHarness();
      seed(h, 'tx', { state: 'Ongoing', producerId: 500, producerEpoch: 32767, txnTimeoutMs: 1 });
      expect(h.init('tx').response.errorCode).toBe(E.UNKNOWN_SERVER_ERROR);
      h.advance(100);
      expect(h.shard.abortTimedOutTransactions(h.now).records).toEqual([]);
    });

    it('fails the rotation when no producer id can be allocated', () => {
      const h = new TxnHarness();
      seed(h, 'tx', { state: 'Empty', producerId: 500, producerEpoch: 32766 });
      h.canAllocate = false;
      expect(h.init('tx').response.errorCode).toBe(E.COORDINATOR_LOAD_IN_PROGRESS);
      expect(h.shard.get('tx')!.producerEpoch).toBe(32766);
    });

    it('answers a retry of the bump to the exhausted epoch with that epoch', () => {
      const h = new TxnHarness();
      seed(h, 'tx', { state: 'Empty', producerId: 500, producerEpoch: 32765 });
      const p = { producerId: 500, producerEpoch: 32765 };
      expect(h.init('tx', p).response.producerEpoch).toBe(32766);
      expect(h.init('tx', p).response).toEqual({ errorCode: E.NONE, producerId: 500, producerEpoch: 32766 });
    });
  });
});

describe('AddPartitionsToTxn and AddOffsetsToTxn', () => {
  it('starts a transaction with the first partitions', () => {
    const h = new TxnHarness();
    const p = h.initOk('tx');
    h.advance(50);
    const r = h.add('tx', p, [tp('t', 0), tp('u', 2)]);
    expect(r.response).toBe(E.NONE);
    expect(r.records[0].value).toMatchObject({ transactionStatus: 1, transactionStartTimestampMs: h.now, transactionPartitions: [{ topic: 't', partitionIds: [0] }, { topic: 'u', partitionIds: [2] }] });
    expect(h.shard.describeTransaction('tx')).toMatchObject({ transactionState: 'Ongoing', transactionStartTimeMs: h.now, topics: [{ topic: 't', partitions: [0] }, { topic: 'u', partitions: [2] }] });
  });

  it('acknowledges partitions already in the transaction without a record', () => {
    const { h, p } = ongoing();
    expect(h.add('tx', p, [tp('t', 1)])).toEqual({ response: E.NONE, records: [], markers: [] });
  });

  it('adds more partitions keeping the start time', () => {
    const { h, p } = ongoing();
    const start = h.shard.get('tx')!.txnStartTimestamp;
    h.advance(1_000);
    const r = h.add('tx', p, [tp('t', 1), tp('v', 0)]);
    expect(r.records).toHaveLength(1);
    expect(h.shard.get('tx')).toMatchObject({ txnStartTimestamp: start, txnLastUpdateTimestamp: h.now });
    expect(h.shard.get('tx')!.topicPartitions.list()).toEqual([tp('t', 0), tp('t', 1), tp('v', 0)]);
  });

  it('rejects unknown ids, other producer ids, old epochs and an empty id', () => {
    const { h, p } = ongoing();
    expect(h.add('nope', p, [tp('t', 0)]).response).toBe(E.INVALID_PRODUCER_ID_MAPPING);
    expect(h.add('tx', { ...p, producerId: 1 }, [tp('t', 0)]).response).toBe(E.INVALID_PRODUCER_ID_MAPPING);
    expect(h.add('tx', { ...p, producerEpoch: 5 }, [tp('t', 9)]).response).toBe(E.PRODUCER_FENCED);
    expect(h.add('', p, [tp('t', 0)]).response).toBe(E.INVALID_REQUEST);
  });

  it('answers CONCURRENT_TRANSACTIONS while the transaction ends', () => {
    const { h, p } = ongoing();
    h.end('tx', p, false);
    expect(h.add('tx', p, [tp('t', 0)]).response).toBe(E.CONCURRENT_TRANSACTIONS);
  });

  it('starts the next transaction after a completed one', () => {
    const { h, p } = ongoing();
    const end = h.end('tx', p, true);
    h.written(end.markers[0]);
    h.advance(10);
    expect(h.add('tx', p, [tp('w', 0)]).response).toBe(E.NONE);
    expect(h.shard.get('tx')).toMatchObject({ state: 'Ongoing', txnStartTimestamp: h.now });
    expect(h.shard.get('tx')!.topicPartitions.list()).toEqual([tp('w', 0)]);
  });

  it('adds the group’s __consumer_offsets partition for AddOffsetsToTxn', () => {
    const h = new TxnHarness();
    const p = h.initOk('tx');
    expect(h.addOffsets('tx', p, 'group-1').response).toBe(E.NONE);
    expect(h.shard.get('tx')!.topicPartitions.list()).toEqual([tp('__consumer_offsets', 7)]);
    expect(h.addOffsets('tx', { ...p, producerEpoch: 9 }, 'g').response).toBe(E.PRODUCER_FENCED);
  });

  describe('verifyOnly (v4+)', () => {
    it('answers per partition whether it is in the transaction', () => {
      const { h, p } = ongoing();
      expect(h.shard.verifyPartitionsInTxn({ transactionalId: 'tx', ...p, partitions: [tp('t', 0), tp('x', 0)] })).toEqual([
        { topic: 't', partition: 0, errorCode: E.NONE },
        { topic: 'x', partition: 0, errorCode: E.TRANSACTION_ABORTABLE },
      ]);
    });

    it('gives every partition the producer’s error', () => {
      const { h, p } = ongoing();
      const verify = (id: string, producer: { producerId: number; producerEpoch: number }) =>
        h.shard.verifyPartitionsInTxn({ transactionalId: id, ...producer, partitions: [tp('t', 0), tp('t', 1)] }).map((r) => r.errorCode);
      expect(verify('nope', p)).toEqual([E.INVALID_PRODUCER_ID_MAPPING, E.INVALID_PRODUCER_ID_MAPPING]);
      expect(verify('tx', { ...p, producerId: 3 })).toEqual([E.INVALID_PRODUCER_ID_MAPPING, E.INVALID_PRODUCER_ID_MAPPING]);
      expect(verify('tx', { ...p, producerEpoch: 3 })).toEqual([E.PRODUCER_FENCED, E.PRODUCER_FENCED]);
      expect(verify('', p)).toEqual([E.INVALID_REQUEST, E.INVALID_REQUEST]);
      h.end('tx', p, true);
      expect(verify('tx', p)).toEqual([E.CONCURRENT_TRANSACTIONS, E.CONCURRENT_TRANSACTIONS]);
    });

    it('never writes', () => {
      const h = new TxnHarness();
      const p = h.initOk('tx');
      const r = h.track(h.shard.addPartitionsToTxnTransaction({ transactionalId: 'tx', ...p, verifyOnly: true, partitions: [tp('t', 0)] }, h.now));
      expect(r).toEqual({ response: [{ topic: 't', partition: 0, errorCode: E.TRANSACTION_ABORTABLE }], records: [], markers: [] });
      expect(h.shard.get('tx')!.state).toBe('Empty');
    });
  });

  it('repeats the add’s error for every partition of a batched transaction', () => {
    const h = new TxnHarness();
    const p = h.initOk('tx');
    const add = (producerEpoch: number) =>
      h.track(h.shard.addPartitionsToTxnTransaction({ transactionalId: 'tx', producerId: p.producerId, producerEpoch, verifyOnly: false, partitions: [tp('t', 0), tp('u', 1)] }, h.now));
    expect(add(4).response.map((r) => r.errorCode)).toEqual([E.PRODUCER_FENCED, E.PRODUCER_FENCED]);
    const ok = add(0);
    expect(ok.response).toEqual([
      { topic: 't', partition: 0, errorCode: E.NONE },
      { topic: 'u', partition: 1, errorCode: E.NONE },
    ]);
    expect(ok.records).toHaveLength(1);
  });
});

describe('EndTxn and markers', () => {
  it('prepares a commit, decides its markers, and completes once they are written', () => {
    const { h, p } = ongoing();
    h.advance(200);
    const end = h.end('tx', p, true);
    expect(end.response).toBe(E.NONE);
    expect(end.records[0].value).toMatchObject({ transactionStatus: 2, producerEpoch: 0, transactionPartitions: [{ topic: 't', partitionIds: [0, 1] }] });
    expect(end.markers).toEqual([
      { transactionalId: 'tx', producerId: p.producerId, producerEpoch: 0, coordinatorEpoch: COORDINATOR_EPOCH, result: 'commit', partitions: [tp('t', 0), tp('t', 1)] },
    ]);
    h.advance(5);
    const done = h.written(end.markers[0]);
    expect(done.response).toBe('completed');
    expect(done.records[0].value).toMatchObject({ transactionStatus: 4, transactionPartitions: [], transactionLastUpdateTimestampMs: h.now });
    expect(h.shard.describeTransaction('tx')).toMatchObject({ transactionState: 'CompleteCommit', producerEpoch: 0, topics: [] });
  });

  it('aborts the same way', () => {
    const { h, p } = ongoing();
    const end = h.end('tx', p, false);
    expect(end.records[0].value!.transactionStatus).toBe(3);
    expect(end.markers[0].result).toBe('abort');
    h.written(end.markers[0]);
    expect(h.shard.get('tx')!.state).toBe('CompleteAbort');
  });

  it('completes a transaction without partitions at once', () => {
    const h = new TxnHarness();
    const p = h.initOk('tx');
    h.add('tx', p, []);
    expect(h.shard.get('tx')!.state).toBe('Ongoing');
    const end = h.end('tx', p, true);
    expect(end.records.map((r) => r.value!.transactionStatus)).toEqual([2, 4]);
    expect(end.markers).toEqual([]);
    expect(h.shard.get('tx')!.state).toBe('CompleteCommit');
  });

  it('is idempotent for a retried commit or abort', () => {
    const { h, p } = ongoing();
    const end = h.end('tx', p, true);
    expect(h.end('tx', p, true)).toEqual({ response: E.CONCURRENT_TRANSACTIONS, records: [], markers: [] });
    expect(h.end('tx', p, false).response).toBe(E.INVALID_TXN_STATE);
    h.written(end.markers[0]);
    expect(h.end('tx', p, true)).toEqual({ response: E.NONE, records: [], markers: [] });
    expect(h.end('tx', p, false).response).toBe(E.INVALID_TXN_STATE);

    const other = ongoing('ty');
    const abort = other.h.end('ty', other.p, false);
    expect(other.h.end('ty', other.p, false).response).toBe(E.CONCURRENT_TRANSACTIONS);
    expect(other.h.end('ty', other.p, true).response).toBe(E.INVALID_TXN_STATE);
    other.h.written(abort.markers[0]);
    expect(other.h.end('ty', other.p, false).response).toBe(E.NONE);
    expect(other.h.end('ty', other.p, true).response).toBe(E.INVALID_TXN_STATE);
  });

  it('refuses to end a transaction that never started', () => {
    const h = new TxnHarness();
    const p = h.initOk('tx');
    expect(h.end('tx', p, true).response).toBe(E.INVALID_TXN_STATE);
    expect(h.end('tx', p, false).response).toBe(E.INVALID_TXN_STATE);
  });

  it('checks the producer first', () => {
    const { h, p } = ongoing();
    expect(h.end('', p, true).response).toBe(E.INVALID_REQUEST);
    expect(h.end('nope', p, true).response).toBe(E.INVALID_PRODUCER_ID_MAPPING);
    expect(h.end('tx', { ...p, producerId: 1 }, true).response).toBe(E.INVALID_PRODUCER_ID_MAPPING);
    expect(h.end('tx', { ...p, producerEpoch: 1 }, true).response).toBe(E.PRODUCER_FENCED);
    expect(h.shard.get('tx')!.state).toBe('Ongoing');
  });

  it('completes after the last partition’s marker, tracking the rest in describe', () => {
    const { h, p } = ongoing();
    const end = h.end('tx', p, true);
    expect(h.written(end.markers[0], [tp('t', 1)])).toEqual({ response: 'pending', records: [], markers: [] });
    expect(h.shard.describeTransaction('tx').topics).toEqual([{ topic: 't', partitions: [0] }]);
    expect(h.written(end.markers[0], [tp('t', 0)]).response).toBe('completed');
  });

  it('ignores markers of another coordinator epoch, producer epoch, result or transaction', () => {
    const { h, p } = ongoing();
    const end = h.end('tx', p, true);
    const m = end.markers[0];
    expect(h.written({ ...m, coordinatorEpoch: m.coordinatorEpoch - 1 }).response).toBe('ignored');
    expect(h.written({ ...m, producerEpoch: 9 }).response).toBe('ignored');
    expect(h.written({ ...m, producerId: 9 }).response).toBe('ignored');
    expect(h.written({ ...m, result: 'abort' }).response).toBe('ignored');
    expect(h.written({ ...m, transactionalId: 'nope' }).response).toBe('ignored');
    expect(h.shard.get('tx')!.state).toBe('PrepareCommit');
    expect(h.written(m).response).toBe('completed');
    expect(h.written(m).response).toBe('ignored');
  });
});

describe('fencing zombie producers', () => {
  it('fences the old producer once a new one initializes the same transactional id', () => {
    const h = new TxnHarness();
    const zombie = h.initOk('tx');
    h.add('tx', zombie, [tp('t', 0)]);
    // A new instance starts: the zombie's transaction is aborted under epoch 1.
    const fence = h.init('tx');
    expect(fence.response.errorCode).toBe(E.CONCURRENT_TRANSACTIONS);
    // The zombie can no longer commit, add, or write past the markers (they carry epoch 1).
    expect(h.end('tx', zombie, true).response).toBe(E.PRODUCER_FENCED);
    expect(h.add('tx', zombie, [tp('t', 1)]).response).toBe(E.PRODUCER_FENCED);
    expect(fence.markers[0]).toMatchObject({ producerEpoch: 1, result: 'abort' });
    h.written(fence.markers[0]);
    const fresh = h.initOk('tx');
    expect(fresh).toEqual({ producerId: zombie.producerId, producerEpoch: 2 });
    expect(h.add('tx', zombie, [tp('t', 0)]).response).toBe(E.PRODUCER_FENCED);
    expect(h.end('tx', zombie, false).response).toBe(E.PRODUCER_FENCED);
    expect(h.add('tx', fresh, [tp('t', 0)]).response).toBe(E.NONE);
    h.written(h.end('tx', fresh, true).markers[0]);
    // KIP-360 with the zombie's epoch: neither current nor last.
    expect(h.init('tx', zombie).response.errorCode).toBe(E.PRODUCER_FENCED);
    expect(h.shard.get('tx')).toMatchObject({ state: 'CompleteCommit', producerEpoch: 2 });
  });

  it('lets a zombie InitProducerId abort an Ongoing transaction, as Kafka does (the epoch is only checked when none is open)', () => {
    const h = new TxnHarness();
    const zombie = h.initOk('tx');
    const fresh = h.initOk('tx');
    h.add('tx', fresh, [tp('t', 0)]);
    const r = h.init('tx', zombie);
    expect(r.response.errorCode).toBe(E.CONCURRENT_TRANSACTIONS);
    expect(r.markers[0]).toMatchObject({ producerEpoch: 2, result: 'abort' });
    h.written(r.markers[0]);
    expect(h.init('tx', zombie).response.errorCode).toBe(E.PRODUCER_FENCED);
  });
});

describe('transaction.timeout.ms', () => {
  it('aborts a transaction past its timeout at the next check, under a bumped epoch', () => {
    const h = new TxnHarness();
    const p = h.initOk('tx', { timeoutMs: 15_000 });
    h.add('tx', p, [tp('t', 0)]);
    const start = h.now;
    expect(h.shard.nextDeadline()).toBe(start + 10_000);
    h.now = start + 10_000;
    expect(h.tick().records).toEqual([]);
    expect(h.shard.nextDeadline()).toBe(start + 20_000);
    h.now = start + 20_000;
    const r = h.tick();
    expect(r.records).toHaveLength(1);
    expect(r.records[0].value).toMatchObject({ transactionStatus: 3, producerEpoch: 1 });
    expect(r.markers).toEqual([{ transactionalId: 'tx', producerId: p.producerId, producerEpoch: 1, coordinatorEpoch: COORDINATOR_EPOCH, result: 'abort', partitions: [tp('t', 0)] }]);
    // The timed-out producer is fenced.
    expect(h.end('tx', p, true).response).toBe(E.PRODUCER_FENCED);
    h.written(r.markers[0]);
    expect(h.shard.get('tx')).toMatchObject({ state: 'CompleteAbort', producerEpoch: 1 });
    expect(h.end('tx', p, false).response).toBe(E.PRODUCER_FENCED);
    // A new producer gets epoch 2.
    expect(h.initOk('tx').producerEpoch).toBe(2);
  });

  it('counts from the transaction’s start and waits for the timeout to be exceeded', () => {
    const h = new TxnHarness();
    const p = h.initOk('tx', { timeoutMs: 5_000 });
    h.add('tx', p, [tp('t', 0)]);
    const start = h.now;
    h.advance(3_000);
    h.add('tx', p, [tp('t', 1)]); // updates do not extend the timeout
    expect(h.shard.abortTimedOutTransactions(start + 5_000).response).toEqual([]);
    const aborted = h.track(h.shard.abortTimedOutTransactions(start + 5_001));
    expect(aborted.response).toEqual(['tx']);
    expect(aborted.markers[0].partitions).toEqual([tp('t', 0), tp('t', 1)]);
  });

  it('leaves transactions that are not Ongoing alone', () => {
    const h = new TxnHarness();
    const p = h.initOk('a', { timeoutMs: 1_000 });
    h.add('a', p, [tp('t', 0)]);
    h.end('a', p, true); // PrepareCommit, markers pending
    h.initOk('b', { timeoutMs: 1_000 }); // Empty
    h.advance(60_000);
    expect(h.shard.abortTimedOutTransactions(h.now).response).toEqual([]);
  });
});

describe('transactional.id.expiration.ms', () => {
  const config = { ...DEFAULT_TRANSACTION_COORDINATOR_CONFIG, transactionalIdExpirationMs: 100_000, removeExpiredTransactionalIdsIntervalMs: 30_000 };

  it('writes a tombstone for an idle Empty or Complete* id', () => {
    const h = new TxnHarness(config);
    h.initOk('empty');
    const p = h.initOk('done');
    h.add('done', p, [tp('t', 0)]);
    h.written(h.end('done', p, true).markers[0]);
    const q = h.initOk('open', { timeoutMs: 900_000 });
    h.add('open', q, [tp('t', 1)]);
    h.advance(99_999);
    expect(h.shard.expireTransactionalIds(h.now).records).toEqual([]);
    h.advance(1);
    const r = h.track(h.shard.expireTransactionalIds(h.now));
    expect(r.response).toEqual(['empty', 'done']);
    expect(r.records).toEqual([
      { key: { transactionalId: 'empty' }, value: null },
      { key: { transactionalId: 'done' }, value: null },
    ]);
    expect(h.shard.describeTransaction('empty').errorCode).toBe(E.TRANSACTIONAL_ID_NOT_FOUND);
    expect(h.shard.get('open')!.state).toBe('Ongoing');
    // The id starts over with a new producer id.
    expect(h.initOk('empty').producerId).toBe(1003);
  });

  it('runs from tick on its own interval', () => {
    const h = new TxnHarness(config);
    h.initOk('tx');
    const loaded = h.now;
    h.now = loaded + 90_000;
    expect(h.tick().records).toEqual([]);
    h.now = loaded + 120_000;
    expect(h.tick().records).toEqual([{ key: { transactionalId: 'tx' }, value: null }]);
    expect(h.shard.size).toBe(0);
  });
});

describe('DescribeTransactions and ListTransactions', () => {
  it('describes unknown and invalid ids', () => {
    const h = new TxnHarness();
    expect(h.shard.describeTransactions(['nope', ''])).toEqual([
      { errorCode: E.TRANSACTIONAL_ID_NOT_FOUND, transactionalId: 'nope', transactionState: '', transactionTimeoutMs: 0, transactionStartTimeMs: 0, producerId: 0, producerEpoch: 0, topics: [] },
      { errorCode: E.INVALID_REQUEST, transactionalId: '', transactionState: '', transactionTimeoutMs: 0, transactionStartTimeMs: 0, producerId: 0, producerEpoch: 0, topics: [] },
    ]);
  });

  it('lists with state, producer id and duration filters', () => {
    const h = new TxnHarness();
    h.initOk('empty'); // 1000
    const a = h.initOk('old'); // 1001
    h.add('old', a, [tp('t', 0)]);
    h.advance(10_000);
    const b = h.initOk('new'); // 1002
    h.add('new', b, [tp('t', 1)]);
    h.advance(1_000);
    const list = (f: { stateFilters?: string[]; producerIdFilters?: number[]; durationFilter?: number }) => {
      const r = h.shard.listTransactions({ stateFilters: f.stateFilters ?? [], producerIdFilters: f.producerIdFilters ?? [], durationFilter: f.durationFilter }, h.now);
      return { unknown: r.unknownStateFilters, ids: r.transactionStates.map((s) => s.transactionalId) };
    };
    expect(list({})).toEqual({ unknown: [], ids: ['empty', 'old', 'new'] });
    expect(h.shard.listTransactions({ stateFilters: [], producerIdFilters: [] }, h.now).transactionStates[1]).toEqual({ transactionalId: 'old', producerId: 1001, transactionState: 'Ongoing' });
    expect(list({ stateFilters: ['Ongoing', 'Bogus', 'ongoing'] })).toEqual({ unknown: ['Bogus', 'ongoing'], ids: ['old', 'new'] });
    expect(list({ stateFilters: ['Bogus'] })).toEqual({ unknown: ['Bogus'], ids: [] });
    expect(list({ producerIdFilters: [1002, 5] })).toEqual({ unknown: [], ids: ['new'] });
    // Running longer than 5 s: 'old' (11 s) but not 'new' (1 s); Empty (start -1) always passes, as in Kafka.
    expect(list({ durationFilter: 5_000 })).toEqual({ unknown: [], ids: ['empty', 'old'] });
    expect(list({ durationFilter: 11_000 })).toEqual({ unknown: [], ids: ['empty'] });
    expect(list({ durationFilter: -1 }).ids).toHaveLength(3);
  });
});

describe('loading', () => {
  it('resumes the markers of transactions left in PrepareCommit / PrepareAbort', () => {
    const h = new TxnHarness();
    const a = h.initOk('a');
    h.add('a', a, [tp('t', 0)]);
    h.end('a', a, true);
    const b = h.initOk('b');
    h.add('b', b, [tp('u', 0), tp('u', 1)]);
    h.end('b', b, false);
    const c = h.initOk('c');
    h.add('c', c, [tp('v', 0)]);

    const shard = h.reloaded();
    expect(shard.nextDeadline()).toBeUndefined();
    const loaded = shard.onLoaded(h.now);
    expect(loaded.records).toEqual([]);
    expect(loaded.markers).toEqual([
      { transactionalId: 'a', producerId: a.producerId, producerEpoch: 0, coordinatorEpoch: COORDINATOR_EPOCH + 1, result: 'commit', partitions: [tp('t', 0)] },
      { transactionalId: 'b', producerId: b.producerId, producerEpoch: 0, coordinatorEpoch: COORDINATOR_EPOCH + 1, result: 'abort', partitions: [tp('u', 0), tp('u', 1)] },
    ]);
    expect(shard.nextDeadline()).toBe(h.now + 10_000);
    const done = shard.markersWritten('a', { ...loaded.markers[0] }, h.now);
    expect(done.response).toBe('completed');
    expect(shard.get('a')!.state).toBe('CompleteCommit');
  });

  it('forgets the last epoch on reload, as Kafka 3.9 does', () => {
    const h = new TxnHarness();
    const p = h.initOk('tx');
    h.initOk('tx', p);
    expect(h.shard.get('tx')!.lastProducerEpoch).toBe(0);
    const shard = h.reloaded();
    expect(shard.get('tx')).toMatchObject({ producerEpoch: 1, lastProducerEpoch: -1, previousProducerId: -1 });
    // So a retry that spans a coordinator change is fenced.
    expect(shard.initProducerId({ transactionalId: 'tx', transactionTimeoutMs: 60_000, ...p }, h.now, () => 1).response.errorCode).toBe(E.PRODUCER_FENCED);
  });

  it('replays tombstones', () => {
    const h = new TxnHarness({ ...DEFAULT_TRANSACTION_COORDINATOR_CONFIG, transactionalIdExpirationMs: 1 });
    h.initOk('tx');
    h.advance(1);
    h.track(h.shard.expireTransactionalIds(h.now));
    expect(h.reloaded().size).toBe(0);
  });
});

describe('replay equivalence', () => {
  /** Random producers over a few transactional ids, with timeouts, expiry and late markers. */
  function run(seed: number): TxnHarness {
    const random = new SeededRandom(seed);
    const h = new TxnHarness({ ...DEFAULT_TRANSACTION_COORDINATOR_CONFIG, transactionalIdExpirationMs: 400_000 });
    const ids = ['a', 'b', 'c', 'd', 'e'];
    const producers = new Map<string, { producerId: number; producerEpoch: number }>();
    const pending: ReturnType<TxnHarness['end']>['markers'][number][] = [];
    for (let step = 0; step < 400; step++) {
      h.advance(random.between(0, 3_000));
      const id = random.pick(ids);
      const known = producers.get(id) ?? { producerId: 1, producerEpoch: 0 };
      // Sometimes a stale producer (epoch - 1) acts.
      const p = random.chance(0.1) ? { ...known, producerEpoch: known.producerEpoch - 1 } : known;
      switch (random.int(7)) {
        case 0: {
          const kip360 = random.chance(0.3) && producers.has(id);
          const r = h.init(id, { timeoutMs: random.between(1, 30) * 1_000, ...(kip360 ? p : {}) });
          if (r.response.errorCode === E.NONE) producers.set(id, { producerId: r.response.producerId, producerEpoch: r.response.producerEpoch });
          pending.push(...r.markers);
          break;
        }
        case 1:
        case 2:
          h.add(id, p, [tp(random.pick(['t', 'u']), random.int(3))]);
          break;
        case 3:
          h.addOffsets(id, p, random.pick(['g1', 'group2']));
          break;
        case 4:
          pending.push(...h.end(id, p, random.chance(0.6)).markers);
          break;
        case 5:
          if (pending.length > 0) {
            const m = pending.splice(random.int(pending.length), 1)[0];
            const partial = random.chance(0.3);
            h.written(m, partial ? m.partitions.slice(0, 1) : undefined);
            // The rest of a partial write stays outstanding; a full one is sometimes delivered twice.
            if (partial || random.chance(0.3)) pending.push(m);
          }
          break;
        default:
          pending.push(...h.tick().markers);
      }
    }
    // Finish every transaction whose markers are outstanding, so no in-memory-only marker progress remains.
    for (const m of pending) h.written(m);
    return h;
  }

  for (const seed of [1, 2, 3, 42, 2024]) {
    it(`rebuilds what clients see from the records (seed ${seed})`, () => {
      const h = run(seed);
      expect(h.log.length).toBeGreaterThan(20);
      const states = new Set(h.log.filter((r) => r.value !== null).map((r) => r.value!.transactionStatus));
      expect(states.size).toBeGreaterThanOrEqual(4);
      const reloaded: TransactionCoordinatorShard = h.reloaded();
      expect(h.observe(reloaded)).toEqual(h.observe());
      for (const id of h.shard.transactionalIds()) {
        const { lastProducerEpoch: _l, previousProducerId: _p, ...live } = h.shard.get(id)!.snapshot();
        const { lastProducerEpoch: _l2, previousProducerId: _p2, ...replayed } = reloaded.get(id)!.snapshot();
        expect(replayed).toEqual(live);
      }
      expect(reloaded.size).toBe(h.shard.size);
    });
  }
});
