import type { Assignment } from '../assignment.js';
import { isHomogeneous, sortedTopicIds, type GroupSpec, type PartitionAssignor } from './assignor.js';

/**
 * The uniform assignor: every member gets as many partitions as the others, give or take one,
 * and keeps as many of its current partitions as that allows.
 *
 * When every member subscribes to the same topics, this is Kafka's optimized homogeneous
 * algorithm: the quota is `total / members` and the first `total % members` members get one
 * more (here the members that already hold more than the minimum go first, which moves fewer
 * partitions than Kafka's map order); each member keeps its current partitions up to its quota
 * and the rest are handed out in topic and partition order to the members below their quota.
 *
 * Otherwise it is a simpler sticky algorithm than Kafka's heterogeneous one: members keep the
 * partitions of topics they still subscribe to, each free partition (topics with the fewest
 * subscribers first) goes to its least loaded subscriber, and then a partition moves from its
 * owner to another subscriber of its topic while that one has at least two partitions fewer.
 * That ends (each move lowers the sum of squared counts) with no partition that could move to a
 * subscriber two or more partitions behind its owner.
 *
 * Ties are broken by member id and topic id, so the result is a function of the input.
 */
export const uniformAssignor: PartitionAssignor = {
  name: 'uniform',
  assign(group: GroupSpec): Map<string, Assignment> {
    return new UniformAssignment(group, isHomogeneous(group)).run();
  },
};

class UniformAssignment {
  private readonly memberIds: string[];
  private readonly subscribersByTopic = new Map<string, number[]>();
  /** For each topic, the index of each partition's member, or -1. */
  private readonly owners = new Map<string, Int32Array>();
  private readonly counts: number[];

  constructor(
    private readonly group: GroupSpec,
    private readonly homogeneous: boolean,
  ) {
    this.memberIds = group.members.map((member) => member.memberId);
    this.counts = group.members.map(() => 0);
    for (const topicId of sortedTopicIds(group.partitionCounts.keys())) {
      const subscribers = group.members.flatMap((member, index) => (member.subscribedTopicIds.has(topicId) ? [index] : []));
      if (subscribers.length === 0) continue;
      this.subscribersByTopic.set(topicId, subscribers);
      this.owners.set(topicId, new Int32Array(group.partitionCounts.get(topicId) ?? 0).fill(-1));
    }
  }

  run(): Map<string, Assignment> {
    const retained = this.retainCurrentPartitions();
    if (this.homogeneous) this.assignHomogeneous(retained);
    else this.assignHeterogeneous();
    return this.result();
  }

  /** Claims, for each member in order, the current partitions it may keep; returns them per member. */
  private retainCurrentPartitions(): [string, number][][] {
    return this.group.members.map((member, index) => {
      const kept: [string, number][] = [];
      for (const topicId of sortedTopicIds(member.assignment.keys())) {
        const owners = this.owners.get(topicId);
        if (owners === undefined || !member.subscribedTopicIds.has(topicId)) continue;
        const partitions = [...(member.assignment.get(topicId) ?? [])].sort((a, b) => a - b);
        for (const partition of partitions) {
          if (partition >= owners.length || owners[partition] !== -1) continue;
          this.own(topicId, partition, index);
          kept.push([topicId, partition]);
        }
      }
      return kept;
    });
  }

  private assignHomogeneous(retained: [string, number][][]): void {
    const memberCount = this.memberIds.length;
    if (memberCount === 0) return;
    let total = 0;
    for (const owners of this.owners.values()) total += owners.length;
    const minQuota = Math.floor(total / memberCount);
    let extras = total % memberCount;
    const quotas = new Array<number>(memberCount).fill(minQuota);
    const byPreference = [...retained.keys()].sort((a, b) => Number(retained[b].length > minQuota) - Number(retained[a].length > minQuota) || a - b);
    for (const index of byPreference) if (extras-- > 0) quotas[index]++;
    retained.forEach((kept, index) => {
      for (const [topicId, partition] of kept.slice(quotas[index])) this.release(topicId, partition);
    });
    let member = 0;
    for (const [topicId, owners] of this.owners) {
      for (let partition = 0; partition < owners.length; partition++) {
        if (owners[partition] !== -1) continue;
        while (this.counts[member] >= quotas[member]) member++;
        this.own(topicId, partition, member);
      }
    }
  }

  private assignHeterogeneous(): void {
    const topicsByScarcity = [...this.subscribersByTopic.keys()].sort(
      (a, b) => (this.subscribersByTopic.get(a)?.length ?? 0) - (this.subscribersByTopic.get(b)?.length ?? 0) || (a < b ? -1 : 1),
    );
    for (const topicId of topicsByScarcity) {
      const owners = this.owners.get(topicId) as Int32Array;
      for (let partition = 0; partition < owners.length; partition++) {
        if (owners[partition] === -1) this.own(topicId, partition, this.leastLoaded(topicId));
      }
    }
    for (let moved = true; moved; ) {
      moved = false;
      for (const [topicId, owners] of this.owners) {
        for (let partition = 0; partition < owners.length; partition++) {
          const owner = owners[partition];
          const target = this.leastLoaded(topicId);
          if (this.counts[target] < this.counts[owner] - 1) {
            this.release(topicId, partition);
            this.own(topicId, partition, target);
            moved = true;
          }
        }
      }
    }
  }

  private leastLoaded(topicId: string): number {
    let best = -1;
    for (const index of this.subscribersByTopic.get(topicId) ?? []) if (best === -1 || this.counts[index] < this.counts[best]) best = index;
    return best;
  }

  private own(topicId: string, partition: number, member: number): void {
    (this.owners.get(topicId) as Int32Array)[partition] = member;
    this.counts[member]++;
  }

  private release(topicId: string, partition: number): void {
    const owners = this.owners.get(topicId) as Int32Array;
    this.counts[owners[partition]]--;
    owners[partition] = -1;
  }

  private result(): Map<string, Assignment> {
    const assignments = this.memberIds.map(() => new Map<string, Set<number>>());
    for (const [topicId, owners] of this.owners) {
      owners.forEach((member, partition) => {
        let partitions = assignments[member].get(topicId);
        if (partitions === undefined) assignments[member].set(topicId, (partitions = new Set()));
        partitions.add(partition);
      });
    }
    return new Map(this.memberIds.map((memberId, index) => [memberId, assignments[index]]));
  }
}
