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
  /**
   * Where the record of this offset stands among the records the shard replayed (Kafka's
   * recordOffset): only compared with another offset's, to decide which of a transactional and a
   * plain commit of the same partition is the later one when the transaction commits.
   */
  readonly recordSeq: number;
}

/** The offsets of the groups of one `__consumer_offsets` partition, by group, topic and partition. */
export class CommittedOffsets {
  private readonly byGroup = new Map<string, Map<string, Map<number, CommittedOffset>>>();

  /** Applies an OffsetCommit record: the latest value wins, a tombstone removes the offset. */
  replay(record: OffsetCommitRecord, recordSeq = 0): void {
    const { group, topic, partition } = record.key;
    if (record.value === null) this.remove(group, topic, partition);
    else this.put(group, topic, partition, committedOffset(record.value, recordSeq));
  }

  put(groupId: string, topic: string, partition: number, committed: CommittedOffset): void {
    let topics = this.byGroup.get(groupId);
    if (topics === undefined) this.byGroup.set(groupId, (topics = new Map()));
    let partitions = topics.get(topic);
    if (partitions === undefined) topics.set(topic, (partitions = new Map()));
    partitions.set(partition, committed);
  }

  remove(groupId: string, topic: string, partition: number): void {
    const topics = this.byGroup.get(groupId);
    const partitions = topics?.get(topic);
    partitions?.delete(partition);
    if (partitions?.size === 0) topics!.delete(topic);
    if (topics?.size === 0) this.byGroup.delete(groupId);
  }

  get(groupId: string, topic: string, partition: number): CommittedOffset | undefined {
    return this.byGroup.get(groupId)?.get(topic)?.get(partition);
  }

  hasOffsets(groupId: string): boolean {
    return this.byGroup.has(groupId);
  }

  isEmpty(): boolean {
    return this.byGroup.size === 0;
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

  /** Every offset, group by group. */
  *all(): Generator<{ groupId: string; topic: string; partition: number; committed: CommittedOffset }> {
    for (const groupId of this.byGroup.keys()) {
      for (const entry of this.offsetsOf(groupId)) yield { groupId, ...entry };
    }
  }

  topicsOf(groupId: string): string[] {
    return [...(this.byGroup.get(groupId)?.keys() ?? [])];
  }
}

/**
 * The offsets committed inside transactions that have not ended yet (Kafka's
 * pendingTransactionalOffsets and openTransactionsByGroup): by producer id, then group, topic and
 * partition. A COMMIT marker moves a producer's offsets to the committed ones, an ABORT marker
 * drops them.
 */
export class PendingTransactionalOffsets {
  private readonly byProducer = new Map<number, CommittedOffsets>();
  /** The producers with a transaction that wrote offsets of the group (possibly since deleted). */
  private readonly openByGroup = new Map<string, Set<number>>();

  put(producerId: number, groupId: string, topic: string, partition: number, committed: CommittedOffset): void {
    let offsets = this.byProducer.get(producerId);
    if (offsets === undefined) this.byProducer.set(producerId, (offsets = new CommittedOffsets()));
    offsets.put(groupId, topic, partition, committed);
    let producers = this.openByGroup.get(groupId);
    if (producers === undefined) this.openByGroup.set(groupId, (producers = new Set()));
    producers.add(producerId);
  }

  /** Puts back what a refused TxnOffsetCommit replaced: the earlier pending offset, or none. */
  restore(producerId: number, groupId: string, topic: string, partition: number, previous: CommittedOffset | undefined): void {
    if (previous !== undefined) {
      this.put(producerId, groupId, topic, partition, previous);
      return;
    }
    const offsets = this.byProducer.get(producerId);
    offsets?.remove(groupId, topic, partition);
    if (offsets === undefined || offsets.hasOffsets(groupId)) return;
    const producers = this.openByGroup.get(groupId);
    producers?.delete(producerId);
    if (producers?.size === 0) this.openByGroup.delete(groupId);
    if (offsets.isEmpty()) this.byProducer.delete(producerId);
  }

  /** A tombstone of the partition removes it from every open transaction of the group. */
  removePartition(groupId: string, topic: string, partition: number): void {
    for (const producerId of this.openByGroup.get(groupId) ?? []) this.byProducer.get(producerId)?.remove(groupId, topic, partition);
  }

  /** Ends a producer's transaction: its offsets, group by group, for the caller to commit or drop. */
  complete(producerId: number): CommittedOffsets | undefined {
    const offsets = this.byProducer.get(producerId);
    if (offsets === undefined) return undefined;
    this.byProducer.delete(producerId);
    for (const [groupId, producers] of this.openByGroup) {
      producers.delete(producerId);
      if (producers.size === 0) this.openByGroup.delete(groupId);
    }
    return offsets;
  }

  get(producerId: number, groupId: string, topic: string, partition: number): CommittedOffset | undefined {
    return this.byProducer.get(producerId)?.get(groupId, topic, partition);
  }

  /** Whether an open transaction holds an offset of this partition for the group (Kafka's hasPendingTransactionalOffsets). */
  has(groupId: string, topic: string, partition: number): boolean {
    for (const producerId of this.openByGroup.get(groupId) ?? []) {
      if (this.byProducer.get(producerId)?.get(groupId, topic, partition) !== undefined) return true;
    }
    return false;
  }

  /** Whether a transaction that wrote offsets of the group is still open. */
  hasOpenTransactions(groupId: string): boolean {
    return this.openByGroup.has(groupId);
  }

  /** The producers with open transactions that wrote offsets of the group. */
  openTransactionsOf(groupId: string): ReadonlySet<number> {
    return this.openByGroup.get(groupId) ?? EMPTY_SET;
  }

  /** The pending partitions of a group, over all its open transactions, each once. */
  partitionsOf(groupId: string): { topic: string; partition: number }[] {
    const seen = new Map<string, { topic: string; partition: number }>();
    for (const producerId of this.openTransactionsOf(groupId)) {
      for (const { topic, partition } of this.byProducer.get(producerId)?.offsetsOf(groupId) ?? []) {
        seen.set(`${partition}:${topic}`, { topic, partition });
      }
    }
    return [...seen.values()];
  }
}

const EMPTY_SET: ReadonlySet<number> = new Set();

export function committedOffset(value: OffsetCommitValue, recordSeq: number): CommittedOffset {
  const { offset, leaderEpoch, metadata, commitTimestamp, expireTimestamp } = value;
  return { offset, leaderEpoch, metadata, commitTimestamp, expireTimestamp, recordSeq };
}

export function offsetCommitRecord(
  groupId: string,
  topic: string,
  partition: number,
  value: OffsetCommitValue | null,
): OffsetCommitRecord {
  return { type: 'OffsetCommit', key: { group: groupId, topic, partition }, value };
}
