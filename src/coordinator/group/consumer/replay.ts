import { EMPTY_ASSIGNMENT, assignmentFromList } from './assignment.js';
import { ConsumerGroup } from './consumer-group.js';
import { type ConsumerGroupMember, LEAVE_GROUP_MEMBER_EPOCH, newMember, normalizeTopicNames } from './member.js';
import type { ConsumerGroupRecord } from './records.js';

/**
 * Applies one ConsumerGroup* record to the groups of a partition, as Kafka's GroupMetadataManager
 * replays them: a value creates the group (and member) it names, a tombstone for something that
 * does not exist is ignored, and a tombstone that would break the order in which Kafka writes them
 * (a member's assignments before the member, every member before the group) throws, since it
 * means the log is not one Kafka or Gregor wrote.
 */
export function replayConsumerGroupRecord(groups: Map<string, ConsumerGroup>, record: ConsumerGroupRecord): void {
  const groupId = record.key.groupId;
  const existing = groups.get(groupId);
  const group = (): ConsumerGroup => {
    let found = groups.get(groupId);
    if (found === undefined) groups.set(groupId, (found = new ConsumerGroup(groupId)));
    return found;
  };
  switch (record.type) {
    case 'ConsumerGroupMetadata':
      if (record.value !== null) group().setGroupEpoch(record.value.epoch);
      else if (existing !== undefined) {
        if (existing.memberCount > 0 || existing.hasTargetAssignments() || existing.assignmentEpoch !== -1) {
          throw new Error(`group ${groupId}: tombstone of a group that still has members or a target assignment`);
        }
        groups.delete(groupId);
      }
      return;
    case 'ConsumerGroupPartitionMetadata':
      if (record.value !== null) {
        group().setSubscriptionMetadata(
          new Map(record.value.topics.map((topic) => [topic.topicName, { id: topic.topicId, name: topic.topicName, partitions: topic.numPartitions }])),
        );
      } else existing?.setSubscriptionMetadata(new Map());
      return;
    case 'ConsumerGroupMemberMetadata': {
      const { memberId } = record.key;
      if (record.value !== null) {
        const value = record.value;
        updateMember(group(), memberId, {
          instanceId: value.instanceId,
          rackId: value.rackId,
          clientId: value.clientId,
          clientHost: value.clientHost,
          subscribedTopicNames: normalizeTopicNames(value.subscribedTopicNames),
          subscribedTopicRegex: value.subscribedTopicRegex === '' ? null : value.subscribedTopicRegex,
          rebalanceTimeoutMs: value.rebalanceTimeoutMs,
          serverAssignor: value.serverAssignor,
        });
        return;
      }
      const member = existing?.member(memberId);
      if (existing === undefined || member === undefined) return;
      if (member.memberEpoch !== LEAVE_GROUP_MEMBER_EPOCH || existing.targetAssignment(memberId).size > 0) {
        throw new Error(`group ${groupId}: tombstone of member ${memberId} before the tombstones of its assignments`);
      }
      existing.removeMember(memberId);
      return;
    }
    case 'ConsumerGroupTargetAssignmentMember':
      if (record.value !== null) group().updateTargetAssignment(record.key.memberId, assignmentFromList(record.value.topicPartitions));
      else existing?.removeTargetAssignment(record.key.memberId);
      return;
    case 'ConsumerGroupTargetAssignmentMetadata':
      if (record.value !== null) group().setAssignmentEpoch(record.value.assignmentEpoch);
      else if (existing !== undefined) {
        if (existing.hasTargetAssignments()) throw new Error(`group ${groupId}: tombstone of the target assignment epoch before its members'`);
        existing.setAssignmentEpoch(-1);
      }
      return;
    case 'ConsumerGroupCurrentMemberAssignment': {
      const { memberId } = record.key;
      if (record.value !== null) {
        const value = record.value;
        updateMember(group(), memberId, {
          memberEpoch: value.memberEpoch,
          previousMemberEpoch: value.previousMemberEpoch,
          state: value.state,
          assignedPartitions: assignmentFromList(value.assignedPartitions),
          partitionsPendingRevocation: assignmentFromList(value.partitionsPendingRevocation),
        });
        return;
      }
      const member = existing?.member(memberId);
      if (existing === undefined || member === undefined) return;
      existing.updateMember({
        ...member,
        memberEpoch: LEAVE_GROUP_MEMBER_EPOCH,
        previousMemberEpoch: LEAVE_GROUP_MEMBER_EPOCH,
        assignedPartitions: EMPTY_ASSIGNMENT,
        partitionsPendingRevocation: EMPTY_ASSIGNMENT,
      });
      return;
    }
  }
}

/** A member's record sets some of its fields; the member is created by whichever of its records comes first. */
function updateMember(group: ConsumerGroup, memberId: string, fields: Partial<ConsumerGroupMember>): void {
  group.updateMember({ ...(group.member(memberId) ?? newMember(memberId)), ...fields });
}
