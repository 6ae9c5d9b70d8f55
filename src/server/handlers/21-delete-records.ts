import { DeleteRecordsApi } from '../../protocol/generated/apis.js';
import {
  createDeleteRecordsResponse,
  createDeleteRecordsResponseDeleteRecordsPartitionResult,
  createDeleteRecordsResponseDeleteRecordsTopicResult,
} from '../../protocol/generated/clients/delete-records-response.js';
import type { ReplicaManager } from '../../replication/replica-manager.js';
import { ADMIN_CLIENT_ID } from './00-produce.js';
import type { ApiHandler } from './handler.js';

/** DeleteRecords v0-v2: moves log start offsets up and answers each partition's low watermark. */
export function deleteRecordsHandler(replicas: ReplicaManager): ApiHandler<21> {
  return {
    api: DeleteRecordsApi,
    minVersion: 0,
    maxVersion: 2,
    handle(request, { header }) {
      const results = replicas.deleteRecords({
        internalTopicsAllowed: header.clientId === ADMIN_CLIENT_ID,
        partitions: request.topics.flatMap((topic) =>
          topic.partitions.map((p) => ({ topic: topic.name, partition: p.partitionIndex, offset: p.offset })),
        ),
      });
      let next = 0;
      return createDeleteRecordsResponse({
        topics: request.topics.map((topic) =>
          createDeleteRecordsResponseDeleteRecordsTopicResult({
            name: topic.name,
            partitions: topic.partitions.map((p) =>
              createDeleteRecordsResponseDeleteRecordsPartitionResult({ partitionIndex: p.partitionIndex, ...results[next++] }),
            ),
          }),
        ),
      });
    },
  };
}
