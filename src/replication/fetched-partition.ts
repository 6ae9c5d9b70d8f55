import { DecodeError } from '../protocol/decode-error.js';
import { ErrorCode } from '../protocol/generated/error-codes.js';
import { CompressionType } from '../protocol/records/batch-header.js';
import { recordBatchToMessageSet } from '../protocol/records/legacy/down-convert.js';
import type { LegacyMagic } from '../protocol/records/legacy/message.js';
import { KafkaStorageError } from '../storage/errors.js';
import { readSlice } from '../storage/file-slice.js';
import type { AbortedTxn } from '../storage/transaction-index.js';
import { batchViews } from './batch-views.js';
import type { FetchPartitionId, FetchTarget, SessionPartitionResult } from './fetch-session.js';
import { type EpochEndOffset, failedRead, type LogReadResult, READ_COMMITTED } from './log-reads.js';
import type { Partition } from './partition.js';

/** Fetch v4 is the first whose clients read message format v2. */
const FIRST_V2_FETCH_VERSION = 4;
/** Fetch v6 is the first that knows KAFKA_STORAGE_ERROR. */
const FIRST_STORAGE_ERROR_FETCH_VERSION = 6;
/** Fetch v10 is the first a client may use only if it can read zstd (KIP-110). */
const FIRST_ZSTD_FETCH_VERSION = 10;

const EMPTY = Buffer.alloc(0);

/** What a fetch answers for one partition. */
export interface FetchedPartition extends FetchPartitionId {
  readonly errorCode: number;
  readonly highWatermark: number;
  readonly lastStableOffset: number;
  readonly logStartOffset: number;
  readonly divergingEpoch: EpochEndOffset | null;
  /** read_committed reads: the aborted transactions overlapping the records ([] if none); null otherwise. */
  readonly abortedTransactions: readonly AbortedTxn[] | null;
  /** Whole batches as stored (converted for versions before v4); null for partitions refused before reading. */
  readonly records: Buffer | null;
}

/** A partition read for a fetch, its records still in the file: what the fetch session compares. */
export interface PendingPartition extends SessionPartitionResult {
  /** Null for partitions refused before reading (unknown topic or topic id). */
  readonly read: LogReadResult | null;
}

/** How the fetch that asked reads its answer. */
export interface FetchReader {
  readonly version: number;
  readonly replicaId: number;
  readonly isolationLevel: number;
}

export function pendingPartition(target: FetchTarget, read: LogReadResult): PendingPartition {
  const { topicId, topic, partition } = target;
  return {
    topicId,
    topic,
    partition,
    errorCode: read.errorCode,
    highWatermark: read.highWatermark,
    logStartOffset: read.logStartOffset,
    recordsSize: read.slice?.size ?? 0,
    hasDivergingEpoch: read.divergingEpoch !== null,
    read,
  };
}

export function refusedPartition(target: FetchTarget, errorCode: number): PendingPartition {
  const { topicId, topic, partition } = target;
  return { topicId, topic, partition, errorCode, highWatermark: -1, logStartOffset: -1, recordsSize: 0, hasDivergingEpoch: false, read: null };
}

/**
 * The answer for a partition the fetch session decided to send: its records loaded from the file
 * and fitted to the version (Kafka's maybeConvertFetchedData). A zstd topic refuses fetches
 * before v10 and a topic with message.downconversion.enable=false consumers before v4, both with
 * no records at all, as Kafka's partitionResponse.
 */
export function loadFetched(pending: PendingPartition, partition: Partition | undefined, reader: FetchReader): FetchedPartition {
  const { topicId, topic, partition: partitionId, read } = pending;
  const id = { topicId, topic, partition: partitionId };
  if (read === null) return refusedFetch(id, pending.errorCode);
  const config = partition?.config;
  if (config !== undefined && config['compression.type'] === 'zstd' && reader.version < FIRST_ZSTD_FETCH_VERSION) {
    return refusedFetch(id, ErrorCode.UNSUPPORTED_COMPRESSION_TYPE);
  }
  if (config !== undefined && reader.version < FIRST_V2_FETCH_VERSION && reader.replicaId < 0 && !config['message.downconversion.enable']) {
    return refusedFetch(id, ErrorCode.UNSUPPORTED_VERSION);
  }
  let records: Buffer = EMPTY;
  if (read.slice !== null && partition !== undefined) {
    try {
      records = readSlice(read.slice);
    } catch (err) {
      const failure = partition.log.health.storageError(err, `reading ${partition.name} for a fetch`);
      if (!(failure instanceof KafkaStorageError)) throw failure;
      const failed = failedRead(fetchErrorCode(ErrorCode.KAFKA_STORAGE_ERROR, reader.version));
      return { ...id, ...failed, abortedTransactions: null, records: EMPTY };
    }
  }
  const fitted = recordsForVersion(records, reader.version);
  if ('errorCode' in fitted) return refusedFetch(id, fitted.errorCode);
  const readCommitted = reader.isolationLevel === READ_COMMITTED && read.errorCode === ErrorCode.NONE && read.divergingEpoch === null;
  const abortedTransactions = readCommitted ? (read.abortedTransactions ?? []) : null;
  return {
    ...id,
    errorCode: fetchErrorCode(read.errorCode, reader.version),
    highWatermark: read.highWatermark,
    lastStableOffset: read.lastStableOffset,
    logStartOffset: read.logStartOffset,
    divergingEpoch: read.divergingEpoch,
    abortedTransactions,
    records: fitted.records,
  };
}

/** Kafka's FetchResponse.partitionResponse: an error, no offsets, no records. */
function refusedFetch(id: FetchPartitionId, errorCode: number): FetchedPartition {
  return {
    ...id,
    errorCode,
    highWatermark: -1,
    lastStableOffset: -1,
    logStartOffset: -1,
    divergingEpoch: null,
    abortedTransactions: null,
    records: null,
  };
}

/** Fetch before v6 does not know KAFKA_STORAGE_ERROR; its clients are sent to refresh metadata instead. */
function fetchErrorCode(errorCode: number, version: number): number {
  return errorCode === ErrorCode.KAFKA_STORAGE_ERROR && version < FIRST_STORAGE_ERROR_FETCH_VERSION ? ErrorCode.NOT_LEADER_OR_FOLLOWER : errorCode;
}

/** Kafka's rule for the message format an old fetch version reads: v0-v1 read v0, v2-v3 read v1. */
function downConversionMagic(version: number): LegacyMagic | null {
  if (version <= 1) return 0;
  return version < FIRST_V2_FETCH_VERSION ? 1 : null;
}

/**
 * Fits stored batches to what a fetch version can read. From v4 they go as they are, zstd
 * batches a producer chose included, as Kafka sends them: clients that fetch with v4-v9 and
 * decompress zstd exist (kafka-python 2.0). Before v4 every batch is rewritten as a v0/v1
 * message set (recordBatchToMessageSet). Those formats have no zstd, so the answer stops before
 * the first zstd batch, and is UNSUPPORTED_COMPRESSION_TYPE when that is the first one (Kafka's
 * "Down-conversion of zstandard-compressed batches is not supported"); a batch that cannot be
 * decoded ends the answer the same way, with CORRUPT_MESSAGE.
 */
function recordsForVersion(records: Buffer, version: number): { readonly records: Buffer } | { readonly errorCode: number } {
  const magic = downConversionMagic(version);
  if (magic === null || records.length === 0) return { records };
  const batches = batchViews(records) ?? [];
  const parts: Buffer[] = [];
  for (const batch of batches) {
    if (batch.compression === CompressionType.Zstd) {
      if (parts.length === 0) return { errorCode: ErrorCode.UNSUPPORTED_COMPRESSION_TYPE };
      break;
    }
    try {
      parts.push(recordBatchToMessageSet(batch, magic));
    } catch (err) {
      if (!(err instanceof DecodeError)) throw err;
      if (parts.length === 0) return { errorCode: ErrorCode.CORRUPT_MESSAGE };
      break;
    }
  }
  return { records: Buffer.concat(parts) };
}
