import { EMPTY_ASSIGNMENT, assignmentEquals, type Assignment } from './assignment.js';

/** Kafka's MemberState, as stored in ConsumerGroupCurrentMemberAssignmentValue.state. */
export const MemberState = {
  /** Reconciled to the member epoch: owns exactly its assigned partitions. */
  STABLE: 0,
  /** Must give up `partitionsPendingRevocation` before its epoch can advance. */
  UNREVOKED_PARTITIONS: 1,
  /** At the target epoch, but some target partitions are still owned by other members. */
  UNRELEASED_PARTITIONS: 2,
  /** A state written by a newer coordinator; the member is reconciled again from scratch. */
  UNKNOWN: 127,
} as const;

/** Member epoch of a member leaving the group, and of a member whose current assignment was deleted. */
export const LEAVE_GROUP_MEMBER_EPOCH = -1;
/** Member epoch of a static member that left for a while and keeps its assignment. */
export const LEAVE_GROUP_STATIC_MEMBER_EPOCH = -2;

/**
 * One member of a consumer group: its subscription (ConsumerGroupMemberMetadata) and its current
 * assignment (ConsumerGroupCurrentMemberAssignment). Immutable: updates build a new object.
 */
export interface ConsumerGroupMember {
  readonly memberId: string;
  readonly instanceId: string | null;
  readonly rackId: string | null;
  readonly clientId: string;
  readonly clientHost: string;
  readonly rebalanceTimeoutMs: number;
  /** Sorted and without duplicates. */
  readonly subscribedTopicNames: readonly string[];
  /** Never empty: an empty regex in a request clears it. */
  readonly subscribedTopicRegex: string | null;
  readonly serverAssignor: string | null;
  readonly memberEpoch: number;
  readonly previousMemberEpoch: number;
  readonly state: number;
  readonly assignedPartitions: Assignment;
  readonly partitionsPendingRevocation: Assignment;
}

/** A member before any record: Kafka's ConsumerGroupMember.Builder defaults. */
export function newMember(memberId: string): ConsumerGroupMember {
  return {
    memberId,
    instanceId: null,
    rackId: null,
    clientId: '',
    clientHost: '',
    rebalanceTimeoutMs: -1,
    subscribedTopicNames: [],
    subscribedTopicRegex: null,
    serverAssignor: null,
    memberEpoch: 0,
    previousMemberEpoch: -1,
    state: MemberState.STABLE,
    assignedPartitions: EMPTY_ASSIGNMENT,
    partitionsPendingRevocation: EMPTY_ASSIGNMENT,
  };
}

export function isReconciledTo(member: ConsumerGroupMember, targetAssignmentEpoch: number): boolean {
  return member.state === MemberState.STABLE && member.memberEpoch === targetAssignmentEpoch;
}

export function normalizeTopicNames(names: readonly string[]): string[] {
  return [...new Set(names)].sort();
}

export function sameSubscription(a: ConsumerGroupMember, b: ConsumerGroupMember): boolean {
  return a.subscribedTopicRegex === b.subscribedTopicRegex && sameStrings(a.subscribedTopicNames, b.subscribedTopicNames);
}

/** Whether the fields of ConsumerGroupMemberMetadataValue are the same. */
export function sameMetadata(a: ConsumerGroupMember, b: ConsumerGroupMember): boolean {
  return (
    a.instanceId === b.instanceId &&
    a.rackId === b.rackId &&
    a.clientId === b.clientId &&
    a.clientHost === b.clientHost &&
    a.rebalanceTimeoutMs === b.rebalanceTimeoutMs &&
    a.serverAssignor === b.serverAssignor &&
    sameSubscription(a, b)
  );
}

/** Whether the fields of ConsumerGroupCurrentMemberAssignmentValue are the same. */
export function sameCurrentAssignment(a: ConsumerGroupMember, b: ConsumerGroupMember): boolean {
  return (
    a.memberEpoch === b.memberEpoch &&
    a.previousMemberEpoch === b.previousMemberEpoch &&
    a.state === b.state &&
    assignmentEquals(a.assignedPartitions, b.assignedPartitions) &&
    assignmentEquals(a.partitionsPendingRevocation, b.partitionsPendingRevocation)
  );
}

function sameStrings(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((value, i) => value === b[i]);
}
