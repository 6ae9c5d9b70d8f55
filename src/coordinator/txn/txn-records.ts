import type { TransactionLogKey } from '../../protocol/generated/transaction-coordinator/transaction-log-key.js';
import type { TransactionLogValue } from '../../protocol/generated/transaction-coordinator/transaction-log-value.js';
import {
  NO_PRODUCER_EPOCH,
  NO_PRODUCER_ID,
  PartitionSet,
  TRANSACTION_STATE_IDS,
  transactionStateFromId,
  type TopicPartition,
  type TxnTransit,
} from './transaction-metadata.js';

/**
 * A record of `__transaction_state`: the whole state of one transactional id (Kafka writes the
 * full TxnTransitMetadata every time), or a tombstone (null value) when the id expired.
 */
export interface TxnRecord {
  readonly key: TransactionLogKey;
  readonly value: TransactionLogValue | null;
  /**
   * What the coordinator that wrote the record knew beyond the v0 value: present on records the
   * shard decides, absent on records read back from the log. Kafka 3.9 keeps the same two fields
   * only in memory, so after a reload they are -1 there too.
   */
  readonly memo?: TxnRecordMemo;
}

export interface TxnRecordMemo {
  readonly previousProducerId: number;
  readonly lastProducerEpoch: number;
}

/** The record that persists a transition (Kafka's TransactionLog.valueToBytes, before the bytes). */
export function txnRecord(transactionalId: string, t: TxnTransit): TxnRecord {
  if (t.state === 'Empty' && t.topicPartitions.length > 0) {
    throw new Error(`transactional id ${transactionalId}: an Empty transaction cannot have partitions`);
  }
  return {
    key: { transactionalId },
    value: {
      producerId: t.producerId,
      producerEpoch: t.producerEpoch,
      transactionTimeoutMs: t.txnTimeoutMs,
      transactionStatus: TRANSACTION_STATE_IDS[t.state],
      // Kafka writes a null array for Empty, and the partitions (maybe none) otherwise.
      transactionPartitions:
        t.state === 'Empty' ? null : new PartitionSet(t.topicPartitions).topics().map(({ topic, partitions }) => ({ topic, partitionIds: partitions })),
      transactionLastUpdateTimestampMs: t.txnLastUpdateTimestamp,
      transactionStartTimestampMs: t.txnStartTimestamp,
    },
    memo: { previousProducerId: t.previousProducerId, lastProducerEpoch: t.lastProducerEpoch },
  };
}

export function txnTombstone(transactionalId: string): TxnRecord {
  return { key: { transactionalId }, value: null };
}

/**
 * The state a record's value describes (Kafka's TransactionLog.readTxnRecordValue): partitions
 * are ignored for Empty, and the fields the value does not hold are -1 unless the record carries
 * its writer's memo. Throws on a status byte Kafka does not define.
 */
export function transitOfValue(transactionalId: string, value: TransactionLogValue, memo?: TxnRecordMemo): TxnTransit {
  const state = transactionStateFromId(value.transactionStatus);
  if (state === undefined) {
    throw new Error(`transactional id ${transactionalId}: unknown transaction state id ${value.transactionStatus}`);
  }
  const topicPartitions: TopicPartition[] = [];
  if (state !== 'Empty') {
    for (const { topic, partitionIds } of value.transactionPartitions ?? []) for (const partition of partitionIds) topicPartitions.push({ topic, partition });
  }
  return {
    producerId: value.producerId,
    previousProducerId: memo?.previousProducerId ?? NO_PRODUCER_ID,
    nextProducerId: NO_PRODUCER_ID,
    producerEpoch: value.producerEpoch,
    lastProducerEpoch: memo?.lastProducerEpoch ?? NO_PRODUCER_EPOCH,
    txnTimeoutMs: value.transactionTimeoutMs,
    state,
    topicPartitions,
    txnStartTimestamp: value.transactionStartTimestampMs,
    txnLastUpdateTimestamp: value.transactionLastUpdateTimestampMs,
  };
}
