import { ErrorCode } from '../protocol/generated/error-codes.js';
import { OffsetOutOfRangeError } from '../storage/errors.js';
import { type FileSlice, readSlice } from '../storage/file-slice.js';
import type { AbortedTxn } from '../storage/transaction-index.js';
import { kafkaError } from './errors.js';
import type { PartitionFetchData } from './fetch-session.js';
import type { Partition } from './partition.js';

/** Fetch isolation levels. */
export const READ_UNCOMMITTED = 0;
export const READ_COMMITTED = 1;

/** How a fetch reads (Kafka's FetchParams). */
export interface ReadParams {
  /** -1 for consumers; a follower's broker id. */
  readonly replicaId: number;
  readonly isolationLevel: number;
  /** Consumers before Fetch v11 and followers read only from the leader. */
  readonly fetchOnlyLeader: boolean;
  /** Fetch v0-v2: a batch larger than the limits is not returned, even as the first one. */
  readonly hardMaxBytesLimit: boolean;
  /** The response's byte budget across partitions. */
  readonly maxBytes: number;
}

export interface EpochEndOffset {
  readonly epoch: number;
  readonly endOffset: number;
}

/** One partition's read: whole batches as a file slice, the offsets the response reports, or an error. */
export interface LogReadResult {
  readonly errorCode: number;
  readonly slice: FileSlice | null;
  readonly highWatermark: number;
  readonly lastStableOffset: number;
  readonly logStartOffset: number;
  readonly divergingEpoch: EpochEndOffset | null;
  /** read_committed consumers: the aborted transactions overlapping the records read ([] if none); otherwise null. */
  readonly abortedTransactions: readonly AbortedTxn[] | null;
}

/** A read that failed: no offsets (-1), no records (Kafka's createLogReadResult). */
export function failedRead(errorCode: number): LogReadResult {
  return { errorCode, slice: null, highWatermark: -1, lastStableOffset: -1, logStartOffset: -1, divergingEpoch: null, abortedTransactions: null };
}

/**
 * Reads one partition for a fetch (Kafka's Partition.fetchRecords / readRecords): checks the
 * leader epoch and leadership, reports divergence when the fetcher's last fetched epoch ends
 * before its fetch offset (KIP-320), then reads up to `maxBytes` of whole batches below the high
 * watermark (consumers), the last stable offset (read_committed) or the log end (followers).
 * Throws the KafkaError the partition answers with.
 */
export function readPartition(
  partition: Partition,
  data: PartitionFetchData,
  params: ReadParams,
  maxBytes: number,
  minOneBatch: boolean,
): LogReadResult {
  partition.checkReadable(data.currentLeaderEpoch, params.fetchOnlyLeader);
  const isFollower = params.replicaId >= 0;
  if (isFollower && !partition.replicas.includes(params.replicaId)) {
    throw kafkaError(ErrorCode.NOT_LEADER_OR_FOLLOWER, `Replica ${params.replicaId} is not recognized as a valid replica of ${partition.name}`);
  }
  const log = partition.log;
  const offsets = {
    highWatermark: log.highWatermark,
    lastStableOffset: partition.lastStableOffset,
    logStartOffset: log.logStartOffset,
  };
  if (data.lastFetchedEpoch >= 0) {
    const end = partition.lastOffsetForLeaderEpoch(data.currentLeaderEpoch, data.lastFetchedEpoch, false);
    if (end.errorCode !== ErrorCode.NONE) throw kafkaError(end.errorCode, `cannot check the last fetched epoch of ${partition.name}`);
    if (end.endOffset < 0 || end.leaderEpoch < 0) {
      throw new OffsetOutOfRangeError(`Could not determine the end offset of the last fetched epoch ${data.lastFetchedEpoch} from the request`);
    }
    if (data.fetchOffset < offsets.logStartOffset) {
      throw new OffsetOutOfRangeError(
        `Received request for offset ${data.fetchOffset} for partition ${partition.name}, but we only have log segments in the range ${offsets.logStartOffset} to ${log.logEndOffset}.`,
      );
    }
    if (end.leaderEpoch < data.lastFetchedEpoch || end.endOffset < data.fetchOffset) {
      const divergingEpoch = { epoch: end.leaderEpoch, endOffset: end.endOffset };
      return { errorCode: ErrorCode.NONE, slice: null, ...offsets, divergingEpoch, abortedTransactions: null };
    }
  }
  const readCommitted = !isFollower && params.isolationLevel === READ_COMMITTED;
  const maxOffset = isFollower ? undefined : readCommitted ? offsets.lastStableOffset : offsets.highWatermark;
  const { records, abortedTransactions } = log.read(data.fetchOffset, maxBytes, { maxOffset, minOneBatch, abortedTransactions: readCommitted });
  return { errorCode: ErrorCode.NONE, slice: records, ...offsets, divergingEpoch: null, abortedTransactions };
}

/**
 * Whole batches of a hosted partition from `startOffset`, copied into memory, up to `maxBytes`
 * (at least one batch) and below `maxOffset`; null at the end. Coordinators load their internal
 * partitions with it.
 */
export function readLocalBatches(partition: Partition, startOffset: number, maxBytes: number, maxOffset: number): Buffer | null {
  const { records } = partition.log.read(startOffset, maxBytes, { maxOffset });
  return records === null ? null : readSlice(records);
}
