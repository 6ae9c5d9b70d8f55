import { AssignmentBuilder, type Assignment } from '../assignment.js';
import type { GroupSpec, MemberSpec, PartitionAssignor } from './assignor.js';

/**
 * Kafka's server-side RangeAssignor. Members are ordered by instance id (static members first),
 * then by member id; for each topic, its subscribers in that order get consecutive ranges, the
 * first `partitions % subscribers` one partition more. Members subscribed to the same topics
 * therefore get the same partition numbers of topics with equal partition counts
 * (co-partitioning). It is not sticky: a member joining or leaving can shift every range, which
 * static members (instance ids) avoid as long as the membership stays the same.
 */
export const rangeAssignor: PartitionAssignor = {
  name: 'range',
  assign(group: GroupSpec): Map<string, Assignment> {
    const members = [...group.members].sort(compareMembers);
    const builders = new Map(members.map((member) => [member.memberId, new AssignmentBuilder()]));
    for (const [topicId, partitions] of group.partitionCounts) {
      const subscribers = members.filter((member) => member.subscribedTopicIds.has(topicId));
      if (subscribers.length === 0) continue;
      const quota = Math.floor(partitions / subscribers.length);
      let extra = partitions % subscribers.length;
      let next = 0;
      for (const member of subscribers) {
        const end = next + quota + (extra-- > 0 ? 1 : 0);
        const builder = builders.get(member.memberId) as AssignmentBuilder;
        for (; next < end; next++) builder.add(topicId, next);
      }
    }
    return new Map([...builders].map(([memberId, builder]) => [memberId, builder.build()]));
  },
};

function compareMembers(a: MemberSpec, b: MemberSpec): number {
  if (a.instanceId !== null && b.instanceId !== null) return compareStrings(a.instanceId, b.instanceId);
  if (a.instanceId !== null) return -1;
  if (b.instanceId !== null) return 1;
  return compareStrings(a.memberId, b.memberId);
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
