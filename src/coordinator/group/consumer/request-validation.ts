import type { ConsumerGroupHeartbeatRequest } from '../../../protocol/generated/clients/consumer-group-heartbeat-request.js';
import { ERRORS, ErrorCode } from '../../../protocol/generated/error-codes.js';
import { KafkaError } from '../../../util/kafka-error.js';
import { LEAVE_GROUP_MEMBER_EPOCH, LEAVE_GROUP_STATIC_MEMBER_EPOCH } from './member.js';

/** A heartbeat refused with a Kafka error code and message, before any record is written. */
export class GroupError extends KafkaError {
  constructor(errorCode: number, message: string) {
    super(ERRORS.get(errorCode)?.name ?? 'UNKNOWN_SERVER_ERROR', errorCode, message);
  }
}

/** ConsumerGroupHeartbeat v1+ (KIP-1082): the client generates its member id before joining. */
const CONSUMER_GENERATED_MEMBER_ID_VERSION = 1;

/**
 * Kafka 4.0's throwIfConsumerGroupHeartbeatRequestIsInvalid, check for check and message for
 * message. `assignors` are the names group.consumer.assignors enables.
 */
export function validateHeartbeatRequest(request: ConsumerGroupHeartbeatRequest, apiVersion: number, assignors: readonly string[]): void {
  const invalid = (message: string): GroupError => new GroupError(ErrorCode.INVALID_REQUEST, message);
  const { memberEpoch } = request;
  if (apiVersion >= CONSUMER_GENERATED_MEMBER_ID_VERSION || memberEpoch > 0 || memberEpoch === LEAVE_GROUP_MEMBER_EPOCH) {
    if (request.memberId === '') throw invalid("MemberId can't be empty.");
  }
  if (request.groupId === '') throw invalid("GroupId can't be empty.");
  if (request.instanceId === '') throw invalid("InstanceId can't be empty.");
  if (request.rackId === '') throw invalid("RackId can't be empty.");
  if (memberEpoch === 0) {
    if (request.rebalanceTimeoutMs === -1) throw invalid('RebalanceTimeoutMs must be provided in first request.');
    if (request.topicPartitions === null || request.topicPartitions.length > 0) throw invalid('TopicPartitions must be empty when (re-)joining.');
    if (request.subscribedTopicNames === null && request.subscribedTopicRegex === null) {
      throw invalid('Either SubscribedTopicNames or SubscribedTopicRegex must be non-null when (re-)joining.');
    }
  } else if (memberEpoch === LEAVE_GROUP_STATIC_MEMBER_EPOCH) {
    if (request.instanceId === null) throw invalid("InstanceId can't be null.");
  } else if (memberEpoch < LEAVE_GROUP_STATIC_MEMBER_EPOCH) {
    throw invalid('MemberEpoch is invalid.');
  }
  if (request.serverAssignor !== null && !assignors.includes(request.serverAssignor)) {
    throw new GroupError(
      ErrorCode.UNSUPPORTED_ASSIGNOR,
      `ServerAssignor ${request.serverAssignor} is not supported. Supported assignors: ${assignors.join(', ')}.`,
    );
  }
}
