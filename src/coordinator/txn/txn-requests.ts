import { ApiKey } from '../../protocol/generated/apis.js';
import type { AddPartitionsToTxnRequest } from '../../protocol/generated/clients/add-partitions-to-txn-request.js';
import type {
  AddPartitionsToTxnResponse,
  AddPartitionsToTxnResponseAddPartitionsToTxnResult,
} from '../../protocol/generated/clients/add-partitions-to-txn-response.js';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import type { TopicPartition } from './transaction-metadata.js';
import type { AddPartitionsInput, PartitionResult } from './transaction-shard.js';

/**
 * Pure helpers for the handlers of the transaction APIs: what Kafka does in KafkaApis around the
 * coordinator (request normalization, response shapes, error translation for old clients).
 */

/**
 * Clients older than PRODUCER_FENCED (KIP-588) get INVALID_PRODUCER_EPOCH instead, as KafkaApis
 * translates: InitProducerId below v4, AddPartitionsToTxn, AddOffsetsToTxn and EndTxn below v2.
 */
export function legacyFencedError(apiKey: number, apiVersion: number, errorCode: number): number {
  if (errorCode !== ErrorCode.PRODUCER_FENCED) return errorCode;
  const firstVersion =
    apiKey === ApiKey.InitProducerId
      ? 4
      : apiKey === ApiKey.AddPartitionsToTxn || apiKey === ApiKey.AddOffsetsToTxn || apiKey === ApiKey.EndTxn
        ? 2
        : 0;
  return apiVersion < firstVersion ? ErrorCode.INVALID_PRODUCER_EPOCH : errorCode;
}

/** One transaction of an AddPartitionsToTxn request, the same for v0-3 (one transaction) and v4+ (a batch). */
export interface AddPartitionsTransaction extends AddPartitionsInput {
  readonly verifyOnly: boolean;
}

/** Kafka's normalizeRequest and partitionsByTransaction: v0-3 is one transaction that adds. */
export function addPartitionsToTxnTransactions(request: AddPartitionsToTxnRequest, apiVersion: number): AddPartitionsTransaction[] {
  const partitionsOf = (topics: AddPartitionsToTxnRequest['v3AndBelowTopics']): TopicPartition[] =>
    topics.flatMap((t) => t.partitions.map((partition) => ({ topic: t.name, partition })));
  if (apiVersion < 4) {
    return [
      {
        transactionalId: request.v3AndBelowTransactionalId,
        producerId: request.v3AndBelowProducerId,
        producerEpoch: request.v3AndBelowProducerEpoch,
        verifyOnly: false,
        partitions: partitionsOf(request.v3AndBelowTopics),
      },
    ];
  }
  return request.transactions.map((t) => ({
    transactionalId: t.transactionalId,
    producerId: t.producerId,
    producerEpoch: t.producerEpoch,
    verifyOnly: t.verifyOnly,
    partitions: partitionsOf(t.topics),
  }));
}

/** Kafka's AddPartitionsToTxnResponse.resultForTransaction: per-partition errors grouped by topic. */
export function addPartitionsToTxnResult(transactionalId: string, results: readonly PartitionResult[]): AddPartitionsToTxnResponseAddPartitionsToTxnResult {
  const byTopic = new Map<string, { partitionIndex: number; partitionErrorCode: number }[]>();
  for (const r of results) {
    let partitions = byTopic.get(r.topic);
    if (partitions === undefined) byTopic.set(r.topic, (partitions = []));
    partitions.push({ partitionIndex: r.partition, partitionErrorCode: r.errorCode });
  }
  return { transactionalId, topicResults: [...byTopic].map(([name, resultsByPartition]) => ({ name, resultsByPartition })) };
}

/** Every partition of a transaction with one error (Kafka's errorResponseForTransaction). */
export function addPartitionsErrorResult(transaction: AddPartitionsInput, errorCode: number): AddPartitionsToTxnResponseAddPartitionsToTxnResult {
  return addPartitionsToTxnResult(
    transaction.transactionalId,
    transaction.partitions.map(({ topic, partition }) => ({ topic, partition, errorCode })),
  );
}

/**
 * Kafka's check before the coordinator sees a transaction: partitions of unknown topics answer
 * UNKNOWN_TOPIC_OR_PARTITION (unauthorized ones, as the handler decides, TOPIC_AUTHORIZATION_FAILED)
 * and then every other partition OPERATION_NOT_ATTEMPTED; null when every partition may be added.
 */
export function rejectedPartitions(
  transaction: AddPartitionsInput,
  errorOf: (tp: TopicPartition) => number,
): PartitionResult[] | null {
  const errors = transaction.partitions.map((tp) => ({ ...tp, errorCode: errorOf(tp) }));
  if (errors.every((e) => e.errorCode === ErrorCode.NONE)) return null;
  return errors.map((e) => (e.errorCode === ErrorCode.NONE ? { ...e, errorCode: ErrorCode.OPERATION_NOT_ATTEMPTED } : e));
}

/** The response for the transactions' results: v0-3 carries the only transaction's topics, v4+ the batch. */
export function addPartitionsToTxnResponse(
  apiVersion: number,
  results: readonly AddPartitionsToTxnResponseAddPartitionsToTxnResult[],
): AddPartitionsToTxnResponse {
  if (apiVersion < 4) {
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, resultsByTransaction: [], resultsByTopicV3AndBelow: results[0]?.topicResults ?? [] };
  }
  return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, resultsByTransaction: [...results], resultsByTopicV3AndBelow: [] };
}
