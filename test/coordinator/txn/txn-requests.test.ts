import { describe, expect, it } from 'vitest';
import {
  addPartitionsErrorResult,
  addPartitionsToTxnResponse,
  addPartitionsToTxnResult,
  addPartitionsToTxnTransactions,
  legacyFencedError,
  rejectedPartitions,
} from '../../../src/coordinator/txn/txn-requests.js';
import { ApiKey } from '../../../src/protocol/generated/apis.js';
import { createAddPartitionsToTxnRequest } from '../../../src/protocol/generated/clients/add-partitions-to-txn-request.js';
import { ErrorCode } from '../../../src/protocol/generated/error-codes.js';

const E = ErrorCode;

describe('legacyFencedError', () => {
  it('turns PRODUCER_FENCED into INVALID_PRODUCER_EPOCH for clients that predate it', () => {
    expect(legacyFencedError(ApiKey.InitProducerId, 3, E.PRODUCER_FENCED)).toBe(E.INVALID_PRODUCER_EPOCH);
    expect(legacyFencedError(ApiKey.InitProducerId, 4, E.PRODUCER_FENCED)).toBe(E.PRODUCER_FENCED);
    for (const key of [ApiKey.AddPartitionsToTxn, ApiKey.AddOffsetsToTxn, ApiKey.EndTxn]) {
      expect(legacyFencedError(key, 1, E.PRODUCER_FENCED)).toBe(E.INVALID_PRODUCER_EPOCH);
      expect(legacyFencedError(key, 2, E.PRODUCER_FENCED)).toBe(E.PRODUCER_FENCED);
    }
    expect(legacyFencedError(ApiKey.EndTxn, 0, E.CONCURRENT_TRANSACTIONS)).toBe(E.CONCURRENT_TRANSACTIONS);
  });
});

describe('AddPartitionsToTxn requests and responses', () => {
  it('reads v0-3 as one transaction that adds', () => {
    const request = createAddPartitionsToTxnRequest({
      v3AndBelowTransactionalId: 'tx',
      v3AndBelowProducerId: 5,
      v3AndBelowProducerEpoch: 1,
      v3AndBelowTopics: [
        { name: 't', partitions: [0, 1] },
        { name: 'u', partitions: [3] },
      ],
    });
    expect(addPartitionsToTxnTransactions(request, 3)).toEqual([
      {
        transactionalId: 'tx',
        producerId: 5,
        producerEpoch: 1,
        verifyOnly: false,
        partitions: [
          { topic: 't', partition: 0 },
          { topic: 't', partition: 1 },
          { topic: 'u', partition: 3 },
        ],
      },
    ]);
  });

  it('reads v4+ as a batch with verifyOnly', () => {
    const request = createAddPartitionsToTxnRequest({
      transactions: [
        { transactionalId: 'a', producerId: 1, producerEpoch: 0, verifyOnly: true, topics: [{ name: 't', partitions: [2] }] },
        { transactionalId: 'b', producerId: 2, producerEpoch: 3, verifyOnly: false, topics: [] },
      ],
    });
    expect(addPartitionsToTxnTransactions(request, 4)).toEqual([
      { transactionalId: 'a', producerId: 1, producerEpoch: 0, verifyOnly: true, partitions: [{ topic: 't', partition: 2 }] },
      { transactionalId: 'b', producerId: 2, producerEpoch: 3, verifyOnly: false, partitions: [] },
    ]);
  });

  it('groups results by topic and shapes the response by version', () => {
    const result = addPartitionsToTxnResult('tx', [
      { topic: 't', partition: 0, errorCode: E.NONE },
      { topic: 'u', partition: 1, errorCode: E.TRANSACTION_ABORTABLE },
      { topic: 't', partition: 1, errorCode: E.NONE },
    ]);
    expect(result).toEqual({
      transactionalId: 'tx',
      topicResults: [
        { name: 't', resultsByPartition: [{ partitionIndex: 0, partitionErrorCode: 0 }, { partitionIndex: 1, partitionErrorCode: 0 }] },
        { name: 'u', resultsByPartition: [{ partitionIndex: 1, partitionErrorCode: E.TRANSACTION_ABORTABLE }] },
      ],
    });
    expect(addPartitionsToTxnResponse(3, [result])).toEqual({ throttleTimeMs: 0, errorCode: 0, resultsByTransaction: [], resultsByTopicV3AndBelow: result.topicResults });
    expect(addPartitionsToTxnResponse(5, [result])).toEqual({ throttleTimeMs: 0, errorCode: 0, resultsByTransaction: [result], resultsByTopicV3AndBelow: [] });
  });

  it('repeats one error for every partition of a transaction', () => {
    const txn = { transactionalId: 'tx', producerId: 1, producerEpoch: 0, partitions: [{ topic: 't', partition: 0 }, { topic: 't', partition: 4 }] };
    expect(addPartitionsErrorResult(txn, E.PRODUCER_FENCED).topicResults[0].resultsByPartition.map((p) => p.partitionErrorCode)).toEqual([
      E.PRODUCER_FENCED,
      E.PRODUCER_FENCED,
    ]);
  });

  it('marks the other partitions OPERATION_NOT_ATTEMPTED when one is unknown', () => {
    const txn = { transactionalId: 'tx', producerId: 1, producerEpoch: 0, partitions: [{ topic: 't', partition: 0 }, { topic: 'gone', partition: 0 }] };
    const known = (tp: { topic: string }) => (tp.topic === 'gone' ? E.UNKNOWN_TOPIC_OR_PARTITION : E.NONE);
    expect(rejectedPartitions(txn, known)).toEqual([
      { topic: 't', partition: 0, errorCode: E.OPERATION_NOT_ATTEMPTED },
      { topic: 'gone', partition: 0, errorCode: E.UNKNOWN_TOPIC_OR_PARTITION },
    ]);
    expect(rejectedPartitions(txn, () => E.NONE)).toBeNull();
  });
});
