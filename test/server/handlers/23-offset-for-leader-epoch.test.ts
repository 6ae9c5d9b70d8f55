import { describe, expect, it } from 'vitest';
import { OffsetForLeaderEpochApi } from '../../../src/protocol/generated/apis.js';
import {
  createOffsetForLeaderEpochRequest,
  createOffsetForLeaderEpochRequestOffsetForLeaderPartition,
  createOffsetForLeaderEpochRequestOffsetForLeaderTopic,
} from '../../../src/protocol/generated/clients/offset-for-leader-epoch-request.js';
import { ErrorCode } from '../../../src/protocol/generated/error-codes.js';
import { ordersInTwoEpochs, versions } from './data-plane.js';

describe('OffsetForLeaderEpoch handler', () => {
  it.each(versions(0, 4))('answers where an epoch ends at v%i', async (version) => {
    const { client } = await ordersInTwoEpochs();
    const request = createOffsetForLeaderEpochRequest({
      replicaId: -1,
      topics: [
        createOffsetForLeaderEpochRequestOffsetForLeaderTopic({
          topic: 'orders',
          partitions: [0, 1, 7].map((leaderEpoch) =>
            createOffsetForLeaderEpochRequestOffsetForLeaderPartition({ partition: 0, leaderEpoch, currentLeaderEpoch: version >= 2 ? 1 : -1 }),
          ),
        }),
      ],
    });
    const response = await client.answer(OffsetForLeaderEpochApi, version, request);
    const epochs = (e: number) => (version >= 1 ? e : -1);
    expect(response.topics[0].partitions.map((p) => [p.errorCode, p.leaderEpoch, p.endOffset])).toEqual([
      [ErrorCode.NONE, epochs(0), 2],
      [ErrorCode.NONE, epochs(1), 3],
      [ErrorCode.NONE, -1, -1],
    ]);
  });

  it('fences a stale current leader epoch from v2', async () => {
    const { client } = await ordersInTwoEpochs();
    const request = createOffsetForLeaderEpochRequest({
      topics: [
        createOffsetForLeaderEpochRequestOffsetForLeaderTopic({
          topic: 'orders',
          partitions: [createOffsetForLeaderEpochRequestOffsetForLeaderPartition({ partition: 0, leaderEpoch: 0, currentLeaderEpoch: 0 })],
        }),
        createOffsetForLeaderEpochRequestOffsetForLeaderTopic({
          topic: 'missing',
          partitions: [createOffsetForLeaderEpochRequestOffsetForLeaderPartition({ partition: 0, leaderEpoch: 0 })],
        }),
      ],
    });
    const response = await client.answer(OffsetForLeaderEpochApi, 3, request);
    expect(response.topics.map((t) => t.partitions[0].errorCode)).toEqual([ErrorCode.FENCED_LEADER_EPOCH, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]);
  });
});
