import { describe, expect, it } from 'vitest';
import {
  IllegalTransitionError,
  isEpochExhausted,
  isExpirationAllowed,
  PartitionSet,
  TRANSACTION_STATE_IDS,
  TRANSACTION_STATES,
  TransactionMetadata,
  type TransactionState,
  transactionStateFromId,
  transactionStateFromName,
  VALID_PREVIOUS_STATES,
} from '../../../src/coordinator/txn/transaction-metadata.js';

const NOW = 5_000;

function metadata(state: TransactionState, fields: Partial<ConstructorParameters<typeof TransactionMetadata>[1]> = {}): TransactionMetadata {
  return new TransactionMetadata('tx', {
    producerId: 100,
    previousProducerId: -1,
    nextProducerId: -1,
    producerEpoch: 4,
    lastProducerEpoch: 3,
    txnTimeoutMs: 60_000,
    state,
    topicPartitions: state === 'Empty' ? [] : [{ topic: 't', partition: 0 }],
    txnStartTimestamp: state === 'Empty' ? -1 : 1_000,
    txnLastUpdateTimestamp: 2_000,
    ...fields,
  });
}

describe('transaction states', () => {
  it("have Kafka's ids and names", () => {
    expect(TRANSACTION_STATE_IDS).toEqual({
      Empty: 0,
      Ongoing: 1,
      PrepareCommit: 2,
      PrepareAbort: 3,
      CompleteCommit: 4,
      CompleteAbort: 5,
      Dead: 6,
      PrepareEpochFence: 7,
    });
    for (const s of TRANSACTION_STATES) {
      expect(transactionStateFromId(TRANSACTION_STATE_IDS[s])).toBe(s);
      expect(transactionStateFromName(s)).toBe(s);
    }
    expect(transactionStateFromId(8)).toBeUndefined();
    expect(transactionStateFromName('ongoing')).toBeUndefined();
  });

  it("allow Kafka's transitions only", () => {
    expect(VALID_PREVIOUS_STATES).toEqual({
      Empty: ['Empty', 'CompleteCommit', 'CompleteAbort'],
      Ongoing: ['Ongoing', 'Empty', 'CompleteCommit', 'CompleteAbort'],
      PrepareCommit: ['Ongoing'],
      PrepareAbort: ['Ongoing', 'PrepareEpochFence'],
      CompleteCommit: ['PrepareCommit'],
      CompleteAbort: ['PrepareAbort'],
      Dead: ['Empty', 'CompleteAbort', 'CompleteCommit'],
      PrepareEpochFence: ['Ongoing'],
    });
  });

  it('let idle Empty and Complete* ids expire', () => {
    expect(TRANSACTION_STATES.filter(isExpirationAllowed)).toEqual(['Empty', 'CompleteCommit', 'CompleteAbort']);
  });

  it('treat epochs from Short.MaxValue - 1 as exhausted', () => {
    expect(isEpochExhausted(32765)).toBe(false);
    expect(isEpochExhausted(32766)).toBe(true);
    expect(isEpochExhausted(32767)).toBe(true);
  });
});

describe('TransactionMetadata transitions', () => {
  const allowed = (fn: (m: TransactionMetadata) => unknown) =>
    TRANSACTION_STATES.filter((s) => {
      try {
        fn(metadata(s));
        return true;
      } catch (e) {
        expect(e).toBeInstanceOf(IllegalTransitionError);
        return false;
      }
    });

  it('bump the epoch (to Empty) only from Empty and Complete*', () => {
    expect(allowed((m) => m.prepareIncrementProducerEpoch(30_000, null, NOW))).toEqual(['Empty', 'CompleteCommit', 'CompleteAbort']);
    expect(allowed((m) => m.prepareProducerIdRotation(200, 30_000, NOW, false))).toEqual(['Empty', 'CompleteCommit', 'CompleteAbort']);
  });

  it('add partitions (to Ongoing) from Empty, Ongoing and Complete*', () => {
    expect(allowed((m) => m.prepareAddPartitions([{ topic: 'u', partition: 1 }], NOW))).toEqual([
      'Empty',
      'Ongoing',
      'CompleteCommit',
      'CompleteAbort',
    ]);
  });

  it('prepare commit, abort and fence only from Ongoing', () => {
    expect(allowed((m) => m.prepareAbortOrCommit('PrepareCommit', NOW))).toEqual(['Ongoing']);
    // PrepareEpochFence is in Kafka's table, though no record ever holds it.
    expect(allowed((m) => m.prepareAbortOrCommit('PrepareAbort', NOW))).toEqual(['Ongoing', 'PrepareEpochFence']);
    expect(allowed((m) => m.prepareFenceAndAbort(NOW))).toEqual(['Ongoing']);
  });

  it('complete only from Prepare*', () => {
    expect(allowed((m) => m.prepareComplete(NOW))).toEqual(['PrepareCommit', 'PrepareAbort']);
    expect(metadata('PrepareCommit').prepareComplete(NOW).state).toBe('CompleteCommit');
    expect(metadata('PrepareAbort').prepareComplete(NOW).state).toBe('CompleteAbort');
  });

  it('complete with no partitions, keeping the start and the epoch', () => {
    const t = metadata('PrepareCommit').prepareComplete(NOW);
    expect(t).toMatchObject({ producerId: 100, producerEpoch: 4, lastProducerEpoch: 3, topicPartitions: [], txnStartTimestamp: 1_000, txnLastUpdateTimestamp: NOW });
  });

  it('bump without an expected epoch and forget the last one', () => {
    const t = metadata('CompleteCommit').prepareIncrementProducerEpoch(30_000, null, NOW);
    expect(t).toMatchObject({
      state: 'Empty',
      producerId: 100,
      previousProducerId: 100,
      producerEpoch: 5,
      lastProducerEpoch: -1,
      txnTimeoutMs: 30_000,
      topicPartitions: [],
      txnStartTimestamp: -1,
      txnLastUpdateTimestamp: NOW,
    });
  });

  it('bump the expected current epoch and remember it (KIP-360)', () => {
    expect(metadata('Empty').prepareIncrementProducerEpoch(30_000, 4, NOW)).toMatchObject({ producerEpoch: 5, lastProducerEpoch: 4 });
  });

  it('answer a retry with the last epoch with the current epoch, unchanged', () => {
    expect(metadata('Empty').prepareIncrementProducerEpoch(30_000, 3, NOW)).toMatchObject({ producerEpoch: 4, lastProducerEpoch: 3 });
  });

  it('fence any other expected epoch', () => {
    expect(metadata('Empty').prepareIncrementProducerEpoch(30_000, 2, NOW)).toBe('PRODUCER_FENCED');
    expect(metadata('Empty').prepareIncrementProducerEpoch(30_000, 5, NOW)).toBe('PRODUCER_FENCED');
  });

  it('give a fresh id epoch 0, whatever epoch is expected', () => {
    const fresh = TransactionMetadata.fresh('tx', 7, 10_000, NOW);
    expect(fresh.prepareIncrementProducerEpoch(10_000, null, NOW)).toMatchObject({ producerEpoch: 0, lastProducerEpoch: -1 });
    expect(fresh.prepareIncrementProducerEpoch(10_000, 12, NOW)).toMatchObject({ producerEpoch: 0, lastProducerEpoch: -1 });
  });

  it('never bump past an exhausted epoch', () => {
    expect(() => metadata('Empty', { producerEpoch: 32766 }).prepareIncrementProducerEpoch(30_000, null, NOW)).toThrow(IllegalTransitionError);
  });

  it('rotate to a new producer id with epoch 0', () => {
    expect(metadata('CompleteAbort', { producerEpoch: 32766 }).prepareProducerIdRotation(200, 30_000, NOW, true)).toMatchObject({
      state: 'Empty',
      producerId: 200,
      previousProducerId: 100,
      producerEpoch: 0,
      lastProducerEpoch: 32766,
    });
    expect(metadata('Empty', { producerEpoch: 32766 }).prepareProducerIdRotation(200, 30_000, NOW, false).lastProducerEpoch).toBe(-1);
  });

  it('start a transaction now, and keep the start while it is Ongoing', () => {
    const started = metadata('CompleteCommit').prepareAddPartitions([{ topic: 'u', partition: 1 }], NOW);
    expect(started).toMatchObject({ state: 'Ongoing', txnStartTimestamp: NOW, txnLastUpdateTimestamp: NOW });
    // The partitions of the finished transaction are still in memory only if Kafka kept them; the union is what Kafka writes.
    const more = metadata('Ongoing').prepareAddPartitions([{ topic: 'u', partition: 1 }, { topic: 't', partition: 0 }], NOW);
    expect(more.txnStartTimestamp).toBe(1_000);
    expect(more.topicPartitions).toEqual([
      { topic: 't', partition: 0 },
      { topic: 'u', partition: 1 },
    ]);
  });

  it('fence with epoch + 1 and no last epoch, aborting', () => {
    expect(metadata('Ongoing').prepareFenceAndAbort(NOW)).toMatchObject({
      state: 'PrepareAbort',
      producerEpoch: 5,
      lastProducerEpoch: -1,
      topicPartitions: [{ topic: 't', partition: 0 }],
      txnStartTimestamp: 1_000,
    });
    expect(() => metadata('Ongoing', { producerEpoch: 32767 }).prepareFenceAndAbort(NOW)).toThrow(IllegalTransitionError);
  });

  it('keep the epoch on commit and abort (transactions v1)', () => {
    expect(metadata('Ongoing').prepareAbortOrCommit('PrepareCommit', NOW)).toMatchObject({ producerEpoch: 4, lastProducerEpoch: 3 });
  });

  it('apply a transition wholesale, without partitions for Empty', () => {
    const m = metadata('Ongoing');
    m.apply({ ...m.snapshot(), state: 'Empty', producerEpoch: 9 });
    expect(m.state).toBe('Empty');
    expect(m.producerEpoch).toBe(9);
    expect(m.topicPartitions.size).toBe(0);
  });
});

describe('PartitionSet', () => {
  it('groups by topic in insertion order without duplicates', () => {
    const set = new PartitionSet([
      { topic: 'b', partition: 1 },
      { topic: 'a', partition: 0 },
      { topic: 'b', partition: 0 },
      { topic: 'b', partition: 1 },
    ]);
    expect(set.size).toBe(3);
    expect(set.topics()).toEqual([
      { topic: 'b', partitions: [1, 0] },
      { topic: 'a', partitions: [0] },
    ]);
    expect(set.delete({ topic: 'a', partition: 0 })).toBe(true);
    expect(set.delete({ topic: 'a', partition: 0 })).toBe(false);
    expect(set.topics()).toEqual([{ topic: 'b', partitions: [1, 0] }]);
    expect(set.has({ topic: 'b', partition: 0 })).toBe(true);
  });
});
