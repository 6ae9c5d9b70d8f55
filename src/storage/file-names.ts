export const LOG_SUFFIX = '.log';
export const INDEX_SUFFIX = '.index';
export const TIME_INDEX_SUFFIX = '.timeindex';
/** The aborted transactions whose ABORT marker is in the segment (created by the first one). */
export const TXN_INDEX_SUFFIX = '.txnindex';
/** Files of a segment removed from the log, unlinked after file.delete.delay.ms. */
export const DELETED_SUFFIX = '.deleted';
/** A segment being written by the cleaner. */
export const CLEANED_SUFFIX = '.cleaned';
/** A cleaned segment about to replace the segments it was built from. */
export const SWAP_SUFFIX = '.swap';

export const LEADER_EPOCH_CHECKPOINT = 'leader-epoch-checkpoint';
export const PARTITION_METADATA = 'partition.metadata';
export const RECOVERY_POINT_CHECKPOINT = 'recovery-point-offset-checkpoint';
export const LOG_START_OFFSET_CHECKPOINT = 'log-start-offset-checkpoint';
export const REPLICATION_OFFSET_CHECKPOINT = 'replication-offset-checkpoint';
export const CLEANER_OFFSET_CHECKPOINT = 'cleaner-offset-checkpoint';
export const META_PROPERTIES = 'meta.properties';
/** The metadata quorum's partition: it may share a log dir, but it is the quorum's log, not the LogManager's. */
export const CLUSTER_METADATA_PARTITION_DIR = '__cluster_metadata-0';
export const CLEAN_SHUTDOWN_MARKER = '.kafka_cleanshutdown';

/** Segment files are named by their base offset, zero-padded to 20 digits. */
export function offsetFileName(offset: number, suffix: string): string {
  return String(offset).padStart(20, '0') + suffix;
}

/** The base offset in a segment file name such as `00000000000000000042.log.swap`, or null. */
export function parseSegmentFileName(name: string): { baseOffset: number; suffix: string } | null {
  const match = /^(\d{20})(\.[a-z]+(?:\.[a-z]+)?)$/.exec(name);
  if (match === null) return null;
  const baseOffset = Number(match[1]);
  if (!Number.isSafeInteger(baseOffset)) return null;
  return { baseOffset, suffix: match[2] };
}

export interface TopicPartition {
  readonly topic: string;
  readonly partition: number;
}

export function partitionDirName(tp: TopicPartition): string {
  return `${tp.topic}-${tp.partition}`;
}

/** `<topic>-<partition>` (topic names may contain '-'); null for other directories. */
export function parsePartitionDirName(name: string): TopicPartition | null {
  const dash = name.lastIndexOf('-');
  if (dash <= 0) return null;
  const partition = Number(name.slice(dash + 1));
  if (!/^\d+$/.test(name.slice(dash + 1)) || partition > 0x7fffffff) return null;
  return { topic: name.slice(0, dash), partition };
}
