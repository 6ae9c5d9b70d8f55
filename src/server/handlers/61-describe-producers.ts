import { invalidTopicNameMessage } from '../../metadata/controller/topic-names.js';
import { DescribeProducersApi } from '../../protocol/generated/apis.js';
import {
  createDescribeProducersResponse,
  createDescribeProducersResponsePartitionResponse,
  createDescribeProducersResponseProducerState,
  createDescribeProducersResponseTopicResponse,
} from '../../protocol/generated/clients/describe-producers-response.js';
import { ERRORS, ErrorCode } from '../../protocol/generated/error-codes.js';
import type { ReplicaManager } from '../../replication/replica-manager.js';
import type { ApiHandler } from './handler.js';

/**
 * DescribeProducers v0 (Kafka's handleDescribeProducersRequest): the producer ids each partition
 * keeps state for. An illegal topic name answers INVALID_TOPIC_EXCEPTION, an unknown topic
 * UNKNOWN_TOPIC_OR_PARTITION (both with Kafka's messages); a partition hosted on another broker
 * NOT_LEADER_OR_FOLLOWER. Followers answer too, as in Kafka.
 */
export function describeProducersHandler(replicas: ReplicaManager): ApiHandler<61> {
  return {
    api: DescribeProducersApi,
    minVersion: 0,
    maxVersion: 0,
    handle(request) {
      return createDescribeProducersResponse({
        topics: request.topics.map((topic) => {
          const invalid = invalidTopicNameMessage(topic.name);
          let topicError: { errorCode: number; errorMessage: string | null } | null = null;
          if (invalid !== null) topicError = { errorCode: ErrorCode.INVALID_TOPIC_EXCEPTION, errorMessage: invalid };
          else if (!replicas.image.topicsByName.has(topic.name)) {
            const errorCode = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
            topicError = { errorCode, errorMessage: ERRORS.get(errorCode)?.message ?? null };
          }
          return createDescribeProducersResponseTopicResponse({
            name: topic.name,
            partitions: topic.partitionIndexes.map((partitionIndex) => {
              if (topicError !== null) return createDescribeProducersResponsePartitionResponse({ partitionIndex, ...topicError });
              const { errorCode, producers } = replicas.activeProducers({ topic: topic.name, partition: partitionIndex });
              return createDescribeProducersResponsePartitionResponse({
                partitionIndex,
                errorCode,
                activeProducers: producers.map((p) => createDescribeProducersResponseProducerState(p)),
              });
            }),
          });
        }),
      });
    },
  };
}
