import { createPartitionChangeRecord, type PartitionChangeRecord } from '../../protocol/generated/metadata/partition-change-record.js';
import { MetadataRecordType, type MetadataRecord } from '../../protocol/generated/records.js';
import { NO_LEADER_CHANGE } from '../delta.js';
import type { MetadataImage, PartitionImage, TopicImage } from '../image.js';
import { isActiveBroker } from './cluster.js';
import { metadataRecord } from './records.js';

/** unclean.leader.election.enable in force for a topic (its override, else the broker's). */
export type UncleanLeaderElection = (topicName: string) => boolean;

const NO_LEADER = -1;
/** PartitionRecord.leaderRecoveryState of a leader elected uncleanly that has not yet recovered. */
const RECOVERING = 1;

/**
 * The partition changes when `brokerId` is fenced, starts a controlled shutdown or unregisters
 * (Kafka's generateLeaderAndIsrUpdates with brokerToRemove): it leaves every ISR and leads
 * nothing. Its leaderships move to the first other active ISR member in replica order; with none,
 * the partition goes leaderless, keeping its last ISR member so that a clean election stays
 * possible when that broker returns, unless the topic allows unclean election, which picks any
 * active replica and makes it the only ISR member.
 */
export function partitionChangesForRemovedBroker(image: MetadataImage, brokerId: number, unclean: UncleanLeaderElection): MetadataRecord[] {
  return leaderAndIsrUpdates(
    image,
    (p) => p.isr.includes(brokerId),
    (id) => id !== brokerId && isActiveBroker(image, id),
    (p) => p.isr.filter((id) => id !== brokerId),
    unclean,
  );
}

/**
 * The partition changes when `brokerId` is unfenced (Kafka's generateLeaderAndIsrUpdates with
 * brokerToAdd): every leaderless partition elects a leader, the newly unfenced broker counting as
 * active though the image still shows it fenced.
 */
export function partitionChangesForAddedBroker(image: MetadataImage, brokerId: number, unclean: UncleanLeaderElection): MetadataRecord[] {
  return leaderAndIsrUpdates(
    image,
    (p) => p.leader === NO_LEADER,
    (id) => id === brokerId || isActiveBroker(image, id),
    (p) => p.isr,
    unclean,
  );
}

function leaderAndIsrUpdates(
  image: MetadataImage,
  affected: (p: PartitionImage) => boolean,
  isAcceptableLeader: (brokerId: number) => boolean,
  targetIsr: (p: PartitionImage) => readonly number[],
  unclean: UncleanLeaderElection,
): MetadataRecord[] {
  const records: MetadataRecord[] = [];
  for (const topic of image.topicsById.values()) {
    for (const partition of topic.partitions.values()) {
      if (!affected(partition)) continue;
      const change = partitionChange(topic, partition, targetIsr(partition), isAcceptableLeader, unclean(topic.name));
      if (change !== null) records.push(metadataRecord(MetadataRecordType.PartitionChangeRecord, change));
    }
  }
  return records;
}

/**
 * Kafka's PartitionChangeBuilder for a new target ISR and an election from the ISR (ONLINE), or
 * from any acceptable replica when unclean election is allowed (UNCLEAN). Null when nothing
 * changes. An empty target ISR leaves the ISR as it is: without eligible leader replicas, the
 * last member stays in it.
 */
export function partitionChange(
  topic: TopicImage,
  partition: PartitionImage,
  targetIsr: readonly number[],
  isAcceptableLeader: (brokerId: number) => boolean,
  uncleanElection: boolean,
): PartitionChangeRecord | null {
  const isValidLeader = (id: number) => targetIsr.includes(id) && isAcceptableLeader(id);
  let leader = NO_LEADER;
  let electedUncleanly = false;
  if (isValidLeader(partition.leader)) {
    leader = partition.leader;
  } else {
    const clean = partition.replicas.find(isValidLeader);
    const uncleanChoice = clean === undefined && uncleanElection ? partition.replicas.find(isAcceptableLeader) : undefined;
    leader = clean ?? uncleanChoice ?? NO_LEADER;
    electedUncleanly = uncleanChoice !== undefined;
  }

  const record = createPartitionChangeRecord({ topicId: topic.id, partitionId: partition.partitionId });
  if (leader !== partition.leader) {
    record.leader = leader;
    if (electedUncleanly) {
      record.isr = [leader];
      if (partition.leaderRecoveryState !== RECOVERING) record.leaderRecoveryState = RECOVERING;
    }
  }
  if (record.isr === null && targetIsr.length > 0 && !sameList(targetIsr, partition.isr)) record.isr = [...targetIsr];
  return record.leader === NO_LEADER_CHANGE && record.isr === null && record.leaderRecoveryState === -1 ? null : record;
}

function sameList(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((id, i) => id === b[i]);
}
