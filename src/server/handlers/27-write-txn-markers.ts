import { WriteTxnMarkersApi } from '../../protocol/generated/apis.js';
import {
  createWriteTxnMarkersResponse,
  createWriteTxnMarkersResponseWritableTxnMarkerPartitionResult,
  createWriteTxnMarkersResponseWritableTxnMarkerTopicResult,
  createWriteTxnMarkersResponseWritableTxnMarkerResult,
  type WriteTxnMarkersResponseWritableTxnMarkerTopicResult,
} from '../../protocol/generated/clients/write-txn-markers-response.js';
import type { ReplicaManager } from '../../replication/replica-manager.js';
import type { ApiHandler } from './handler.js';

/**
 * WriteTxnMarkers v0-v1 (Kafka's handleWriteTxnMarkersRequest): a transaction coordinator asks
 * the leaders of a transaction's partitions to write its COMMIT or ABORT marker. Each marker is
 * appended by `ReplicaManager.appendTxnMarkers` (acks=all, the broker's own append), which the
 * local transaction coordinator calls directly; the answer lists every partition of every marker
 * with its error, partitions of one topic grouped while they follow each other.
 */
export function writeTxnMarkersHandler(replicas: ReplicaManager): ApiHandler<27> {
  return {
    api: WriteTxnMarkersApi,
    minVersion: 0,
    maxVersion: 1,
    async handle(request) {
      const results = await replicas.appendTxnMarkers(
        request.markers.map((marker) => ({
          producerId: marker.producerId,
          producerEpoch: marker.producerEpoch,
          coordinatorEpoch: marker.coordinatorEpoch,
          commit: marker.transactionResult,
          partitions: marker.topics.flatMap((topic) => topic.partitionIndexes.map((partition) => ({ topic: topic.name, partition }))),
        })),
      );
      return createWriteTxnMarkersResponse({
        markers: results.map((result) => {
          const topics: WriteTxnMarkersResponseWritableTxnMarkerTopicResult[] = [];
          for (const p of result.partitions) {
            let topic = topics[topics.length - 1];
            if (topic === undefined || topic.name !== p.topic) {
              topic = createWriteTxnMarkersResponseWritableTxnMarkerTopicResult({ name: p.topic, partitions: [] });
              topics.push(topic);
            }
            topic.partitions.push(createWriteTxnMarkersResponseWritableTxnMarkerPartitionResult({ partitionIndex: p.partition, errorCode: p.errorCode }));
          }
          return createWriteTxnMarkersResponseWritableTxnMarkerResult({ producerId: result.producerId, topics });
        }),
      });
    },
  };
}
