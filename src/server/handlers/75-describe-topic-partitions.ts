import { isInternalTopic } from '../../metadata/controller/topic-names.js';
import type { MetadataImage, TopicImage } from '../../metadata/image.js';
import { ZERO_UUID } from '../../protocol/codec-runtime.js';
import { DescribeTopicPartitionsApi } from '../../protocol/generated/apis.js';
import {
  type DescribeTopicPartitionsResponseCursor,
  type DescribeTopicPartitionsResponseTopic,
  createDescribeTopicPartitionsResponse,
  createDescribeTopicPartitionsResponseCursor,
  createDescribeTopicPartitionsResponsePartition,
  createDescribeTopicPartitionsResponseTopic,
} from '../../protocol/generated/clients/describe-topic-partitions-response.js';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import { TOPIC_OPERATIONS } from '../authorized-operations.js';
import type { BrokerServices } from '../broker-services.js';
import { offlineReplicas, partitionErrorCode, sortedPartitions } from '../metadata-view.js';
import type { ApiHandler } from './handler.js';

/** Kafka's max.request.partition.size.limit: no response carries more partitions than this. */
const MAX_RESPONSE_PARTITIONS = 2000;

function describePartitions(image: MetadataImage, topic: TopicImage, fromPartition: number, limit: number) {
  return sortedPartitions(topic.partitions)
    .filter((p) => p.partitionId >= fromPartition)
    .slice(0, limit)
    .map((p) =>
      createDescribeTopicPartitionsResponsePartition({
        errorCode: partitionErrorCode(image, p),
        partitionIndex: p.partitionId,
        leaderId: p.leader,
        leaderEpoch: p.leaderEpoch,
        replicaNodes: [...p.replicas],
        isrNodes: [...p.isr],
        eligibleLeaderReplicas: [...p.eligibleLeaderReplicas],
        lastKnownElr: [...p.lastKnownElr],
        offlineReplicas: offlineReplicas(image, p),
      }),
    );
}

/**
 * DescribeTopicPartitions v0: topics in name order (all of them when none are named), starting
 * at the cursor, with at most `responsePartitionLimit` partitions; the next cursor says where
 * the following page starts.
 */
export function describeTopicPartitionsHandler(services: BrokerServices): ApiHandler<75> {
  return {
    api: DescribeTopicPartitionsApi,
    minVersion: 0,
    maxVersion: 0,
    handle(request) {
      const image = services.image();
      const names = (request.topics.length > 0 ? [...new Set(request.topics.map((t) => t.name))] : [...image.topicsByName.keys()]).sort();
      const cursor = request.cursor;
      let budget = Math.min(Math.max(request.responsePartitionLimit, 1), MAX_RESPONSE_PARTITIONS);
      const topics: DescribeTopicPartitionsResponseTopic[] = [];
      let nextCursor: DescribeTopicPartitionsResponseCursor | null = null;
      for (const name of names.filter((n) => cursor === null || n >= cursor.topicName)) {
        const topic = image.topicsByName.get(name);
        if (!topic) {
          topics.push(createDescribeTopicPartitionsResponseTopic({ errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, name, topicId: ZERO_UUID }));
          continue;
        }
        if (budget === 0) {
          nextCursor = createDescribeTopicPartitionsResponseCursor({ topicName: name, partitionIndex: 0 });
          break;
        }
        const from = cursor !== null && name === cursor.topicName ? cursor.partitionIndex : 0;
        const partitions = describePartitions(image, topic, from, budget);
        budget -= partitions.length;
        const last = partitions.at(-1)?.partitionIndex ?? from - 1;
        if (budget === 0 && sortedPartitions(topic.partitions).some((p) => p.partitionId > last)) {
          nextCursor = createDescribeTopicPartitionsResponseCursor({ topicName: name, partitionIndex: last + 1 });
        }
        topics.push(
          createDescribeTopicPartitionsResponseTopic({
            errorCode: ErrorCode.NONE,
            name,
            topicId: topic.id,
            isInternal: isInternalTopic(name),
            partitions,
            topicAuthorizedOperations: TOPIC_OPERATIONS,
          }),
        );
        if (nextCursor !== null) break;
      }
      return createDescribeTopicPartitionsResponse({ topics, nextCursor });
    },
  };
}
