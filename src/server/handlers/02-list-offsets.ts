import { ListOffsetsApi } from '../../protocol/generated/apis.js';
import {
  createListOffsetsResponse,
  createListOffsetsResponseListOffsetsPartitionResponse,
  createListOffsetsResponseListOffsetsTopicResponse,
} from '../../protocol/generated/clients/list-offsets-response.js';
import type { ReplicaManager } from '../../replication/replica-manager.js';
import type { ApiHandler } from './handler.js';

/** ListOffsets v4 returns the leader epoch of the offset found. */
const FIRST_LEADER_EPOCH_VERSION = 4;

/**
 * ListOffsets v0-v9: v0 answers a list of segment boundaries (maxNumOffsets), later versions one
 * offset and its timestamp per partition, with its leader epoch from v4.
 */
export function listOffsetsHandler(replicas: ReplicaManager): ApiHandler<2> {
  return {
    api: ListOffsetsApi,
    minVersion: 0,
    maxVersion: 9,
    handle(request, { apiVersion }) {
      const flat = request.topics.flatMap((topic) => topic.partitions.map((p) => ({ topic: topic.name, partition: p.partitionIndex, ...p })));
      let next = 0;
      if (apiVersion === 0) {
        const results = replicas.legacyListOffsets({ replicaId: request.replicaId, partitions: flat });
        return createListOffsetsResponse({
          topics: request.topics.map((topic) =>
            createListOffsetsResponseListOffsetsTopicResponse({
              name: topic.name,
              partitions: topic.partitions.map((p) => {
                const { errorCode, offsets } = results[next++];
                return createListOffsetsResponseListOffsetsPartitionResponse({
                  partitionIndex: p.partitionIndex,
                  errorCode,
                  oldStyleOffsets: [...offsets],
                });
              }),
            }),
          ),
        });
      }
      const results = replicas.listOffsets({
        version: apiVersion,
        replicaId: request.replicaId,
        isolationLevel: request.isolationLevel,
        partitions: flat,
      });
      return createListOffsetsResponse({
        topics: request.topics.map((topic) =>
          createListOffsetsResponseListOffsetsTopicResponse({
            name: topic.name,
            partitions: topic.partitions.map((p) => {
              const { errorCode, timestamp, offset, leaderEpoch } = results[next++];
              return createListOffsetsResponseListOffsetsPartitionResponse({
                partitionIndex: p.partitionIndex,
                errorCode,
                timestamp,
                offset,
                leaderEpoch: apiVersion >= FIRST_LEADER_EPOCH_VERSION ? leaderEpoch : -1,
              });
            }),
          }),
        ),
      });
    },
  };
}
