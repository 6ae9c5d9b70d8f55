import { EMPTY_ASSIGNMENT, assignmentEquals } from './assignment.js';
import type { MemberSpec, PartitionAssignor } from './assignors/assignor.js';
import type { ConsumerGroup } from './consumer-group.js';
import { targetAssignmentEpochRecord, targetAssignmentRecord, type ConsumerGroupRecord } from './records.js';
import { memberTopicIds } from './subscription.js';

/**
 * Kafka's TargetAssignmentBuilder: runs the assignor over the group's members and subscription
 * metadata and returns the records of the new target assignment at `groupEpoch`: one
 * ConsumerGroupTargetAssignmentMember for each member whose target changed (or who had none), then
 * ConsumerGroupTargetAssignmentMetadata with the new assignment epoch.
 */
export function targetAssignmentRecords(group: ConsumerGroup, groupEpoch: number, assignor: PartitionAssignor): ConsumerGroupRecord[] {
  const members: MemberSpec[] = [...group.allMembers()]
    .sort((a, b) => (a.memberId < b.memberId ? -1 : a.memberId > b.memberId ? 1 : 0))
    .map((member) => ({
      memberId: member.memberId,
      instanceId: member.instanceId,
      subscribedTopicIds: memberTopicIds(member, group.subscriptionMetadata),
      assignment: group.targetAssignment(member.memberId),
    }));
  const partitionCounts = new Map([...group.subscriptionMetadata.values()].map((topic) => [topic.id, topic.partitions]));
  const assignments = assignor.assign({ members, partitionCounts });
  const records: ConsumerGroupRecord[] = [];
  for (const { memberId } of members) {
    const assignment = assignments.get(memberId) ?? EMPTY_ASSIGNMENT;
    if (!group.hasTargetAssignment(memberId) || !assignmentEquals(assignment, group.targetAssignment(memberId))) {
      records.push(targetAssignmentRecord(group.groupId, memberId, assignment));
    }
  }
  records.push(targetAssignmentEpochRecord(group.groupId, groupEpoch));
  return records;
}
