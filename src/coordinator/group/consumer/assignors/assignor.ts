import type { Assignment } from '../assignment.js';

/** What an assignor knows of one member. */
export interface MemberSpec {
  readonly memberId: string;
  readonly instanceId: string | null;
  /** Ids of the subscribed topics that exist in the group's subscription metadata. */
  readonly subscribedTopicIds: ReadonlySet<string>;
  /** The member's current target assignment, the starting point of a sticky assignor. */
  readonly assignment: Assignment;
}

export interface GroupSpec {
  /** Sorted by member id. */
  readonly members: readonly MemberSpec[];
  /** Partition counts of the subscribed topics, by topic id. */
  readonly partitionCounts: ReadonlyMap<string, number>;
}

/**
 * A server-side assignor (KIP-848): a pure, deterministic function from the group's members and
 * topics to a target assignment that gives every subscribed partition to exactly one subscriber.
 */
export interface PartitionAssignor {
  readonly name: string;
  assign(group: GroupSpec): Map<string, Assignment>;
}

export function isHomogeneous(group: GroupSpec): boolean {
  const [first, ...rest] = group.members;
  if (first === undefined) return true;
  return rest.every((member) => sameSet(member.subscribedTopicIds, first.subscribedTopicIds));
}

function sameSet(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  if (a.size !== b.size) return false;
  for (const value of a) if (!b.has(value)) return false;
  return true;
}

/** Topic ids in a fixed order, so the assignors never depend on insertion order. */
export function sortedTopicIds(ids: Iterable<string>): string[] {
  return [...ids].sort();
}
