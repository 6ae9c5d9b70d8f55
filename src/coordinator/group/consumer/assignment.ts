/**
 * The partitions of a member, by topic id. Treated as immutable: every change builds a new map.
 * Topics without partitions are left out, so two equal assignments have the same keys.
 */
export type Assignment = ReadonlyMap<string, ReadonlySet<number>>;

export const EMPTY_ASSIGNMENT: Assignment = new Map();

/** The shape shared by the topic-partition lists of the records and of the heartbeat. */
export interface TopicPartitionList {
  readonly topicId: string;
  readonly partitions: readonly number[];
}

export function assignmentFromList(list: readonly TopicPartitionList[]): Assignment {
  const assignment = new Map<string, Set<number>>();
  for (const { topicId, partitions } of list) {
    if (partitions.length === 0) continue;
    let set = assignment.get(topicId);
    if (set === undefined) assignment.set(topicId, (set = new Set()));
    for (const partition of partitions) set.add(partition);
  }
  return assignment;
}

/** Topics and partitions in ascending order, so records and responses are deterministic. */
export function assignmentToList(assignment: Assignment): { topicId: string; partitions: number[] }[] {
  return [...assignment.keys()].sort().map((topicId) => ({
    topicId,
    partitions: [...(assignment.get(topicId) ?? [])].sort((a, b) => a - b),
  }));
}

export function assignmentEquals(a: Assignment, b: Assignment): boolean {
  if (a.size !== b.size) return false;
  for (const [topicId, partitions] of a) {
    const other = b.get(topicId);
    if (other === undefined || other.size !== partitions.size) return false;
    for (const partition of partitions) if (!other.has(partition)) return false;
  }
  return true;
}

export function hasPartition(assignment: Assignment, topicId: string, partition: number): boolean {
  return assignment.get(topicId)?.has(partition) ?? false;
}

/** Builds an assignment partition by partition; `build()` drops topics left empty. */
export class AssignmentBuilder {
  private readonly topics = new Map<string, Set<number>>();

  add(topicId: string, partition: number): this {
    let set = this.topics.get(topicId);
    if (set === undefined) this.topics.set(topicId, (set = new Set()));
    set.add(partition);
    return this;
  }

  build(): Assignment {
    const result = new Map<string, ReadonlySet<number>>();
    for (const [topicId, partitions] of this.topics) if (partitions.size > 0) result.set(topicId, partitions);
    return result;
  }
}
