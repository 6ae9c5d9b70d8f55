import { OffsetForLeaderEpochApi } from '../../protocol/generated/apis.js';
import {
  createOffsetForLeaderEpochResponse,
  createOffsetForLeaderEpochResponseEpochEndOffset,
  createOffsetForLeaderEpochResponseOffsetForLeaderTopicResult,
} from '../../protocol/generated/clients/offset-for-leader-epoch-response.js';
import type { ReplicaManager } from '../../replication/replica-manager.js';
import type { ApiHandler } from './handler.js';

/**
 * OffsetForLeaderEpoch v0-v4: where each epoch ends in the leader's log. Followers use it to
 * truncate, consumers (librdkafka, the Java client) to validate their position after a leader
 * change; v2 adds the current leader epoch that fences stale callers.
 */
export function offsetForLeaderEpochHandler(replicas: ReplicaManager): ApiHandler<23> {
  return {
    api: OffsetForLeaderEpochApi,
    minVersion: 0,
    maxVersion: 4,
    handle(request) {
      const results = replicas.offsetForLeaderEpoch(
        request.topics.flatMap((topic) =>
          topic.partitions.map((p) => ({
            topic: topic.topic,
            partition: p.partition,
            currentLeaderEpoch: p.currentLeaderEpoch,
            leaderEpoch: p.leaderEpoch,
          })),
        ),
      );
      let next = 0;
      return createOffsetForLeaderEpochResponse({
        topics: request.topics.map((topic) =>
          createOffsetForLeaderEpochResponseOffsetForLeaderTopicResult({
            topic: topic.topic,
            partitions: topic.partitions.map((p) => createOffsetForLeaderEpochResponseEpochEndOffset({ partition: p.partition, ...results[next++] })),
          }),
        ),
      });
    },
  };
}
