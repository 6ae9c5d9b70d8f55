import { ZERO_UUID } from '../../protocol/codec-runtime.js';
import { FetchApi } from '../../protocol/generated/apis.js';
import {
  createFetchResponse,
  createFetchResponseAbortedTransaction,
  createFetchResponseEpochEndOffset,
  createFetchResponseFetchableTopicResponse,
  createFetchResponseLeaderIdAndEpoch,
  createFetchResponseNodeEndpoint,
  createFetchResponsePartitionData,
  type FetchResponseFetchableTopicResponse,
  type FetchResponseNodeEndpoint,
  type FetchResponsePartitionData,
} from '../../protocol/generated/clients/fetch-response.js';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import type { FetchPartitionId, FetchTarget } from '../../replication/fetch-session.js';
import type { FetchedPartition } from '../../replication/fetched-partition.js';
import type { ReplicaManager } from '../../replication/replica-manager.js';
import type { ApiHandler } from './handler.js';

/** Fetch v13 names topics by id (KIP-516). */
const FIRST_TOPIC_ID_VERSION = 13;
/** Fetch v15 moves the replica id into ReplicaState (KIP-903). */
const FIRST_REPLICA_STATE_VERSION = 15;
/** Fetch v16 names the current leader on NOT_LEADER_OR_FOLLOWER and FENCED_LEADER_EPOCH (KIP-951). */
const FIRST_CURRENT_LEADER_VERSION = 16;

/**
 * Fetch v0-v17: translates the request for the replica manager (names or topic ids, session,
 * limits) and its answer back, partitions of one topic grouped as long as they follow each other
 * (Kafka keeps the order of partitions rather than merging topics).
 */
export function fetchHandler(replicas: ReplicaManager): ApiHandler<1> {
  return {
    api: FetchApi,
    minVersion: 0,
    maxVersion: 17,
    async handle(request, { apiVersion, connection }) {
      const usesTopicIds = apiVersion >= FIRST_TOPIC_ID_VERSION;
      const idOf = (topic: { topic: string; topicId: string }, partition: number): FetchPartitionId =>
        usesTopicIds ? { topicId: topic.topicId, topic: null, partition } : { topicId: ZERO_UUID, topic: topic.topic, partition };
      const targets = request.topics.flatMap((topic) =>
        topic.partitions.map(
          (p): FetchTarget => ({
            ...idOf(topic, p.partition),
            data: {
              fetchOffset: p.fetchOffset,
              logStartOffset: p.logStartOffset,
              maxBytes: p.partitionMaxBytes,
              currentLeaderEpoch: p.currentLeaderEpoch,
              lastFetchedEpoch: p.lastFetchedEpoch,
            },
          }),
        ),
      );
      const result = await replicas.fetch({
        version: apiVersion,
        replicaId: apiVersion >= FIRST_REPLICA_STATE_VERSION ? request.replicaState.replicaId : request.replicaId,
        maxWaitMs: request.maxWaitMs,
        minBytes: request.minBytes,
        maxBytes: request.maxBytes,
        isolationLevel: request.isolationLevel,
        sessionId: request.sessionId,
        sessionEpoch: request.sessionEpoch,
        targets,
        forgotten: request.forgottenTopicsData.flatMap((topic) => topic.partitions.map((p) => idOf(topic, p))),
      });

      const nodeEndpoints = new Map<number, FetchResponseNodeEndpoint>();
      const partitionData = (p: FetchedPartition): FetchResponsePartitionData => {
        const data = createFetchResponsePartitionData({
          partitionIndex: p.partition,
          errorCode: p.errorCode,
          highWatermark: p.highWatermark,
          lastStableOffset: p.lastStableOffset,
          logStartOffset: p.logStartOffset,
          abortedTransactions:
            p.abortedTransactions === null
              ? null
              : p.abortedTransactions.map((txn) =>
                  createFetchResponseAbortedTransaction({ producerId: txn.producerId, firstOffset: txn.firstOffset }),
                ),
          records: p.records,
        });
        if (p.divergingEpoch !== null) data.divergingEpoch = createFetchResponseEpochEndOffset(p.divergingEpoch);
        const leaderMoved = p.errorCode === ErrorCode.NOT_LEADER_OR_FOLLOWER || p.errorCode === ErrorCode.FENCED_LEADER_EPOCH;
        if (apiVersion >= FIRST_CURRENT_LEADER_VERSION && leaderMoved && p.topic !== null) {
          const leader = replicas.currentLeader({ topic: p.topic, partition: p.partition }, connection.listenerName);
          data.currentLeader = createFetchResponseLeaderIdAndEpoch({ leaderId: leader.leaderId, leaderEpoch: leader.leaderEpoch });
          if (leader.node !== null) nodeEndpoints.set(leader.node.nodeId, createFetchResponseNodeEndpoint(leader.node));
        }
        return data;
      };
      const responses: FetchResponseFetchableTopicResponse[] = [];
      let previous: FetchedPartition | null = null;
      for (const p of result.partitions) {
        const sameTopic = previous !== null && (usesTopicIds ? previous.topicId === p.topicId : previous.topic === p.topic);
        if (!sameTopic) responses.push(createFetchResponseFetchableTopicResponse({ topic: p.topic ?? '', topicId: p.topicId, partitions: [] }));
        responses[responses.length - 1].partitions.push(partitionData(p));
        previous = p;
      }
      return createFetchResponse({
        errorCode: result.errorCode,
        sessionId: result.sessionId,
        responses,
        nodeEndpoints: [...nodeEndpoints.values()],
      });
    },
  };
}
