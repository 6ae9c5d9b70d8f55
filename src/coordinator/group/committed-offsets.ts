import type { OffsetCommitValue } from '../../protocol/generated/group-coordinator/offset-commit-value.js';
import type { OffsetCommitRecord } from './coordinator-records.js';

/** A committed offset as `__consumer_offsets` holds it (Kafka's OffsetAndMetadata). */
export interface CommittedOffset {
  readonly offset: number;
  readonly leaderEpoch: number;
  readonly metadata: string;
  readonly commitTimestamp: number;
  /** Set only by OffsetCommit v2-v4 with a retention time; -1 otherwise. */
  readonly expireTimestamp: number;
}

/** The committed offsets of the groups of one `__consumer_offsets` partition, by group, topic and partition. */
export class CommittedOffsets {
  private readonly byGroup = new Map<string, Map<string, Map<number, CommittedOffset>>>();

  /** Applies an OffsetCommit record: the latest value wins, a tombstone removes the offset. */
  replay(record: OffsetCommitRecord): void {
    const { group, topic, partition } = record.key;
    if (record.value === null) {
      const topics = this.byGroup.get(group);
      const partitions = topics?.get(topic);
      partitions?.delete(partition);
      if (partitions?.size === 0) topics!.delete(topic);
      if (topics?.size === 0) this.byGroup.delete(group);
      return;
    }
    let topics = this.byGroup.get(group);
    if (topics === undefined) this.byGroup.set(group, (topics = new Map()));
    let partitions = topics.get(topic);
    if (partitions === undefined) topics.set(topic, (partitions = new Map()));
    const { offset, leaderEpoch, metadata, commitTimestamp, expireTimestamp } = record.value;
    partitions.set(partition, { offset, leaderEpoch, metadata, commitTimestamp, expireTimestamp });
  }

  get(groupId: string, topic: string, partition: number): CommittedOffset | undefined {
    return this.byGroup.get(groupId)?.get(topic)?.get(partition);
  }

  hasOffsets(groupId: string): boolean {
    return this.byGroup.has(groupId);
  }

  groupIds(): IterableIterator<string> {
    return this.byGroup.keys();
  }

  /** Every committed offset of a group, topic by topic in commit order. */
  *offsetsOf(groupId: string): Generator<{ topic: string; partition: number; committed: CommittedOffset }> {
    for (const [topic, partitions] of this.byGroup.get(groupId) ?? []) {
      for (const [partition, committed] of partitions) yield { topic, partition, committed };
    }
  }

  topicsOf(groupId: string): string[] {
    return [...(this.byGroup.get(groupId)?.keys() ?? [])];
  }
}

export function offsetCommitRecord(
  groupId: string,
  topic: string,
  partition: number,
  value: OffsetCommitValue | null,
): OffsetCommitRecord {
  return { type: 'OffsetCommit', key: { group: groupId, topic, partition }, value };
}
