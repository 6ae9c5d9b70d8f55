import { ErrorCode } from '../protocol/generated/error-codes.js';
import { NO_TIMESTAMP } from '../protocol/records/timestamp-type.js';
import type { EpochEntry } from '../storage/checkpoint-file.js';
import { kafkaError } from './errors.js';
import { READ_COMMITTED } from './log-reads.js';
import { NO_LEADER_EPOCH, type Partition } from './partition.js';

/** ListOffsets' special timestamps. */
export const LATEST_TIMESTAMP = -1;
export const EARLIEST_TIMESTAMP = -2;
export const MAX_TIMESTAMP = -3;
export const EARLIEST_LOCAL_TIMESTAMP = -4;
export const LATEST_TIERED_TIMESTAMP = -5;

/** The first ListOffsets version that may ask for each special timestamp. */
const FIRST_VERSION: ReadonlyMap<number, number> = new Map([
  [EARLIEST_TIMESTAMP, 1],
  [LATEST_TIMESTAMP, 1],
  [MAX_TIMESTAMP, 7],
  [EARLIEST_LOCAL_TIMESTAMP, 8],
  [LATEST_TIERED_TIMESTAMP, 9],
]);

/** Kafka's isListOffsetsTimestampUnsupported: a negative timestamp the version does not define answers UNSUPPORTED_VERSION. */
export function isTimestampUnsupported(timestamp: number, version: number): boolean {
  if (timestamp >= 0) return false;
  const first = FIRST_VERSION.get(timestamp);
  return first === undefined || version < first;
}

/** A ListOffsets answer for one partition; -1 fields mean "none". */
export interface OffsetAnswer {
  readonly timestamp: number;
  readonly offset: number;
  readonly leaderEpoch: number;
}

export const NO_OFFSET: OffsetAnswer = { timestamp: NO_TIMESTAMP, offset: -1, leaderEpoch: NO_LEADER_EPOCH };

/**
 * Kafka's Partition.fetchOffsetForTimestamp. `isolationLevel` is null for requests from other
 * brokers, which see up to the log end; clients see up to the high watermark (or the last stable
 * offset with read_committed). Earliest is the log start with its epoch, latest the last offset
 * a client may read with the current leader epoch, max timestamp the first record carrying the
 * largest timestamp, and a time the first record at or after it; answers at or past the last
 * readable offset are none (-1). A leader whose high watermark has not yet caught up with the
 * start of its epoch answers OFFSET_NOT_AVAILABLE where the answer depends on it.
 */
export function offsetForTimestamp(
  partition: Partition,
  timestamp: number,
  isolationLevel: number | null,
  currentLeaderEpoch: number,
  fetchOnlyFromLeader: boolean,
): OffsetAnswer {
  partition.checkReadable(currentLeaderEpoch, fetchOnlyFromLeader);
  const log = partition.log;
  const lastFetchable =
    isolationLevel === null ? log.logEndOffset : isolationLevel === READ_COMMITTED ? partition.lastStableOffset : log.highWatermark;
  const epochStart = partition.leaderEpochStartOffset;
  const notAvailable = (): Error =>
    kafkaError(
      ErrorCode.OFFSET_NOT_AVAILABLE,
      `Failed to fetch offsets for partition ${partition.name} with leader epoch ${partition.leaderEpoch} as this partition's high watermark (${log.highWatermark}) is lagging behind the start offset from the beginning of this epoch (${epochStart}).`,
    );
  const lagging = isolationLevel !== null && epochStart !== null && epochStart > log.highWatermark;
  switch (timestamp) {
    case LATEST_TIMESTAMP:
      if (lagging) throw notAvailable();
      return { timestamp: NO_TIMESTAMP, offset: lastFetchable, leaderEpoch: partition.leaderEpoch };
    case EARLIEST_TIMESTAMP:
    case EARLIEST_LOCAL_TIMESTAMP: {
      const earliest = log.epochCache.entries[0];
      const leaderEpoch = earliest !== undefined && earliest.startOffset <= log.logStartOffset ? earliest.epoch : NO_LEADER_EPOCH;
      return { timestamp: NO_TIMESTAMP, offset: log.logStartOffset, leaderEpoch };
    }
    case LATEST_TIERED_TIMESTAMP:
      // No tiered storage: Kafka answers -1 with epoch -1.
      return NO_OFFSET;
  }
  const found = timestamp === MAX_TIMESTAMP ? log.maxTimestampOffset() : log.offsetForTimestamp(timestamp);
  if (found !== null && found.offset < lastFetchable) {
    return { timestamp: found.timestamp, offset: found.offset, leaderEpoch: epochForOffset(log.epochCache.entries, found.offset) };
  }
  if (lagging) throw notAvailable();
  return NO_OFFSET;
}

/** The epoch in force at `offset` (Kafka's LeaderEpochFileCache.epochForOffset), -1 if none. */
export function epochForOffset(entries: readonly EpochEntry[], offset: number): number {
  let epoch = NO_LEADER_EPOCH;
  for (const entry of entries) {
    if (entry.startOffset > offset) break;
    epoch = entry.epoch;
  }
  return epoch;
}

/**
 * ListOffsets v0 (Kafka's legacyFetchOffsetsForTimestamp): up to `maxNumOffsets` segment start
 * offsets, newest first, from the last segment modified at or before `timestamp` (the log end
 * counts as modified now). Latest starts at the log end, earliest returns the log start.
 * Consumers never see offsets past the high watermark: those are replaced by it.
 */
export function legacyOffsetsBefore(
  partition: Partition,
  timestamp: number,
  maxNumOffsets: number,
  isFromConsumer: boolean,
  fetchOnlyFromLeader: boolean,
  now: number,
): number[] {
  partition.checkReadable(NO_LEADER_EPOCH, fetchOnlyFromLeader);
  const log = partition.log;
  const segments = log.segmentList;
  const points = segments.map((s) => ({ offset: Math.max(s.baseOffset, log.logStartOffset), modifiedMs: s.lastModifiedMs }));
  if (segments[segments.length - 1].size > 0) points.push({ offset: log.logEndOffset, modifiedMs: now });
  let start: number;
  if (timestamp === LATEST_TIMESTAMP) start = points.length - 1;
  else if (timestamp === EARLIEST_TIMESTAMP) start = 0;
  else {
    start = points.length - 1;
    while (start >= 0 && points[start].modifiedMs > timestamp) start--;
  }
  const offsets: number[] = [];
  for (let i = start; i >= 0 && offsets.length < maxNumOffsets; i--) offsets.push(points[i].offset);
  offsets.sort((a, b) => b - a);
  if (!isFromConsumer) return offsets;
  const hw = log.highWatermark;
  if (!offsets.some((o) => o > hw)) return offsets;
  const firstReadable = offsets.findIndex((o) => o <= hw);
  return [hw, ...(firstReadable < 0 ? [] : offsets.slice(firstReadable))];
}
