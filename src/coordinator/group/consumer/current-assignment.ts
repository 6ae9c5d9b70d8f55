import { AssignmentBuilder, EMPTY_ASSIGNMENT, type Assignment, type TopicPartitionList } from './assignment.js';
import { MemberState, type ConsumerGroupMember } from './member.js';

/** The epoch at which a partition is owned (assigned or pending revocation), or -1 when free. */
export type PartitionEpochLookup = (topicId: string, partition: number) => number;

export interface ReconcileInput {
  readonly targetAssignmentEpoch: number;
  readonly targetAssignment: Assignment;
  readonly partitionEpoch: PartitionEpochLookup;
  /** The partitions the member says it owns; null when the heartbeat left them out. */
  readonly ownedPartitions: readonly TopicPartitionList[] | null;
}

/**
 * Kafka's CurrentAssignmentBuilder: moves a member's current assignment one step towards the target.
 * Partitions that leave the member are first revoked (UNREVOKED_PARTITIONS, the epoch stays until
 * the member reports them gone); partitions that come to it are only given once their previous
 * owner released them (UNRELEASED_PARTITIONS until then). A member in a state this code does not
 * know must be fenced before calling this (see `needsFencingForUnknownState`).
 */
export function reconcile(member: ConsumerGroupMember, input: ReconcileInput): ConsumerGroupMember {
  switch (member.state) {
    case MemberState.STABLE:
      return member.memberEpoch === input.targetAssignmentEpoch ? member : nextAssignment(member, member.memberEpoch, input);
    case MemberState.UNREVOKED_PARTITIONS:
      if (ownsAnyOf(input.ownedPartitions, member.partitionsPendingRevocation)) return member;
      return nextAssignment(member, member.memberEpoch + 1, input);
    case MemberState.UNRELEASED_PARTITIONS:
      return nextAssignment(member, member.memberEpoch, input);
    default:
      return nextAssignment(member, input.targetAssignmentEpoch, input);
  }
}

/** A member in an unknown state is reconciled from scratch, but only if it reports owning nothing. */
export function needsFencingForUnknownState(member: ConsumerGroupMember, ownedPartitions: readonly TopicPartitionList[] | null): boolean {
  const known = member.state === MemberState.STABLE || member.state === MemberState.UNREVOKED_PARTITIONS || member.state === MemberState.UNRELEASED_PARTITIONS;
  return !known && (ownedPartitions === null || ownedPartitions.length > 0);
}

/** A member that did not report its partitions is assumed to still own all of them. */
function ownsAnyOf(owned: readonly TopicPartitionList[] | null, partitions: Assignment): boolean {
  if (owned === null) return true;
  return owned.some(({ topicId, partitions: ownedPartitions }) => {
    const pending = partitions.get(topicId);
    return pending !== undefined && ownedPartitions.some((partition) => pending.has(partition));
  });
}

function nextAssignment(member: ConsumerGroupMember, memberEpoch: number, input: ReconcileInput): ConsumerGroupMember {
  const kept = new AssignmentBuilder();
  const revoked = new AssignmentBuilder();
  const added: [string, number][] = [];
  let hasRevoked = false;
  let hasUnreleased = false;
  const topicIds = new Set([...input.targetAssignment.keys(), ...member.assignedPartitions.keys()]);
  for (const topicId of topicIds) {
    const target = input.targetAssignment.get(topicId) ?? new Set<number>();
    const current = member.assignedPartitions.get(topicId) ?? new Set<number>();
    for (const partition of current) {
      if (target.has(partition)) kept.add(topicId, partition);
      else {
        revoked.add(topicId, partition);
        hasRevoked = true;
      }
    }
    for (const partition of target) {
      if (current.has(partition)) continue;
      if (input.partitionEpoch(topicId, partition) !== -1) hasUnreleased = true;
      else added.push([topicId, partition]);
    }
  }
  const partitionsPendingRevocation = revoked.build();
  if (hasRevoked && ownsAnyOf(input.ownedPartitions, partitionsPendingRevocation)) {
    return {
      ...withEpoch(member, memberEpoch),
      state: MemberState.UNREVOKED_PARTITIONS,
      assignedPartitions: kept.build(),
      partitionsPendingRevocation,
    };
  }
  for (const [topicId, partition] of added) kept.add(topicId, partition);
  return {
    ...withEpoch(member, input.targetAssignmentEpoch),
    state: hasUnreleased ? MemberState.UNRELEASED_PARTITIONS : MemberState.STABLE,
    assignedPartitions: kept.build(),
    partitionsPendingRevocation: EMPTY_ASSIGNMENT,
  };
}

/** Kafka's updateMemberEpoch: the epoch being left becomes the previous one. */
function withEpoch(member: ConsumerGroupMember, memberEpoch: number): ConsumerGroupMember {
  return { ...member, memberEpoch, previousMemberEpoch: member.memberEpoch };
}
