import { createPartitionRecord } from '../../protocol/generated/metadata/partition-record.js';
import { MetadataRecordType, type MetadataRecord } from '../../protocol/generated/records.js';
import type { MetadataImage } from '../image.js';
import { defaultDirectory, isActiveBroker } from './cluster.js';
import { metadataRecord } from './records.js';

/**
 * Why a manual assignment of `replicas` to one partition is refused (Kafka's
 * validateManualPartitionAssignment), as the INVALID_REPLICA_ASSIGNMENT message; null when it is
 * fine. Fenced brokers are allowed as long as they are registered; `replicationFactor` is that of
 * the other partitions, when known.
 */
export function manualAssignmentProblem(
  image: MetadataImage,
  replicas: readonly number[],
  replicationFactor: number | null,
): string | null {
  if (replicas.length === 0) return 'The manual partition assignment includes an empty replica list.';
  const sorted = [...replicas].sort((a, b) => a - b);
  for (let i = 0; i < sorted.length; i++) {
    if (!image.brokers.has(sorted[i])) {
      return `The manual partition assignment includes broker ${sorted[i]}, but no such broker is registered.`;
    }
    if (i > 0 && sorted[i] === sorted[i - 1]) {
      return `The manual partition assignment includes the broker ${sorted[i]} more than once.`;
    }
  }
  if (replicationFactor !== null && sorted.length !== replicationFactor) {
    return (
      `The manual partition assignment includes a partition with ${sorted.length} replica(s), but this is not ` +
      `consistent with previous partitions, which have ${replicationFactor} replica(s).`
    );
  }
  return null;
}

/** A new partition's ISR: its active replicas, in replica order. */
export function initialIsr(image: MetadataImage, replicas: readonly number[]): number[] {
  return replicas.filter((id) => isActiveBroker(image, id));
}

/**
 * The PartitionRecord of a new partition (Kafka's buildPartitionRegistration): the first ISR
 * member leads, both epochs start at 0, and each replica starts in its broker's default directory.
 */
export function newPartitionRecord(
  image: MetadataImage,
  topicId: string,
  partitionId: number,
  replicas: readonly number[],
  isr: readonly number[],
): MetadataRecord {
  return metadataRecord(
    MetadataRecordType.PartitionRecord,
    createPartitionRecord({
      topicId,
      partitionId,
      replicas: [...replicas],
      isr: [...isr],
      leader: isr[0],
      leaderEpoch: 0,
      partitionEpoch: 0,
      directories: replicas.map((id) => defaultDirectory(image, id)),
    }),
  );
}
