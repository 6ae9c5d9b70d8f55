import type { CoordinatorRecord } from '../coordinator-records.js';
import { assignmentToList, type Assignment } from './assignment.js';
import type { ConsumerGroupMember } from './member.js';

/** A subscribed topic as ConsumerGroupPartitionMetadataValue stores it. */
export interface SubscribedTopicMetadata {
  readonly id: string;
  readonly name: string;
  readonly partitions: number;
}

/** The group's subscribed topics that exist, by name. */
export type SubscriptionMetadata = ReadonlyMap<string, SubscribedTopicMetadata>;

export type ConsumerGroupRecord = Extract<CoordinatorRecord, { type: `ConsumerGroup${string}` }>;

export function isConsumerGroupRecord(record: CoordinatorRecord): record is ConsumerGroupRecord {
  return record.type.startsWith('ConsumerGroup');
}

export function groupEpochRecord(groupId: string, epoch: number | null): ConsumerGroupRecord {
  return { type: 'ConsumerGroupMetadata', key: { groupId }, value: epoch === null ? null : { epoch } };
}

export function partitionMetadataRecord(groupId: string, metadata: SubscriptionMetadata | null): ConsumerGroupRecord {
  const value =
    metadata === null
      ? null
      : {
          topics: [...metadata.values()]
            .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
            .map((topic) => ({ topicId: topic.id, topicName: topic.name, numPartitions: topic.partitions, partitionMetadata: [] })),
        };
  return { type: 'ConsumerGroupPartitionMetadata', key: { groupId }, value };
}

export function memberMetadataRecord(groupId: string, member: ConsumerGroupMember): ConsumerGroupRecord {
  return {
    type: 'ConsumerGroupMemberMetadata',
    key: { groupId, memberId: member.memberId },
    value: {
      instanceId: member.instanceId,
      rackId: member.rackId,
      clientId: member.clientId,
      clientHost: member.clientHost,
      subscribedTopicNames: [...member.subscribedTopicNames],
      subscribedTopicRegex: member.subscribedTopicRegex,
      rebalanceTimeoutMs: member.rebalanceTimeoutMs,
      serverAssignor: member.serverAssignor,
      classicMemberMetadata: null,
    },
  };
}

export function memberMetadataTombstone(groupId: string, memberId: string): ConsumerGroupRecord {
  return { type: 'ConsumerGroupMemberMetadata', key: { groupId, memberId }, value: null };
}

export function targetAssignmentRecord(groupId: string, memberId: string, assignment: Assignment | null): ConsumerGroupRecord {
  return {
    type: 'ConsumerGroupTargetAssignmentMember',
    key: { groupId, memberId },
    value: assignment === null ? null : { topicPartitions: assignmentToList(assignment) },
  };
}

export function targetAssignmentEpochRecord(groupId: string, assignmentEpoch: number | null): ConsumerGroupRecord {
  return {
    type: 'ConsumerGroupTargetAssignmentMetadata',
    key: { groupId },
    value: assignmentEpoch === null ? null : { assignmentEpoch },
  };
}

export function currentAssignmentRecord(groupId: string, member: ConsumerGroupMember): ConsumerGroupRecord {
  return {
    type: 'ConsumerGroupCurrentMemberAssignment',
    key: { groupId, memberId: member.memberId },
    value: {
      memberEpoch: member.memberEpoch,
      previousMemberEpoch: member.previousMemberEpoch,
      state: member.state,
      assignedPartitions: assignmentToList(member.assignedPartitions),
      partitionsPendingRevocation: assignmentToList(member.partitionsPendingRevocation),
    },
  };
}

export function currentAssignmentTombstone(groupId: string, memberId: string): ConsumerGroupRecord {
  return { type: 'ConsumerGroupCurrentMemberAssignment', key: { groupId, memberId }, value: null };
}

/** Kafka's removeMember: the order matters, replay drops the member only after its assignments. */
export function memberTombstones(groupId: string, memberId: string): ConsumerGroupRecord[] {
  return [currentAssignmentTombstone(groupId, memberId), targetAssignmentRecord(groupId, memberId, null), memberMetadataTombstone(groupId, memberId)];
}
