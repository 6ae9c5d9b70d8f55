import type { LogConfig } from '../log-config.js';

export interface CleanableSegment {
  readonly baseOffset: number;
  readonly size: number;
  /** Largest batch timestamp (or last modification time) for min.compaction.lag.ms. */
  readonly largestTimestamp: number;
  /** Max timestamp of the first batch, NO_TIMESTAMP (-1) if unknown, for max.compaction.lag.ms. */
  readonly firstBatchTimestamp: number;
}

export interface CleanableState {
  /** All segments in offset order, the active one last. */
  readonly segments: readonly CleanableSegment[];
  readonly logStartOffset: number;
  readonly logEndOffset: number;
  readonly highWatermark: number;
  /** Kafka never cleans at or past the last stable offset (open transactions); default: the high watermark. */
  readonly lastStableOffset?: number;
  readonly recoveryPoint: number;
  /** From cleaner-offset-checkpoint: where the last cleaning stopped. */
  readonly checkpointedDirtyOffset: number | undefined;
  readonly config: LogConfig;
  readonly now: number;
}

export interface CleanableRange {
  /** Records from here on have not been deduplicated yet. */
  readonly firstDirtyOffset: number;
  /**
   * A segment base offset the cleaner stays below: the active segment, the segment holding the
   * high watermark, the last stable offset (no open transaction is cleaned) or the recovery point (only committed, fsynced data is compacted, so a crash
   * cannot keep a cleaned segment while losing the newer records that superseded what it
   * dropped), and segments younger than min.compaction.lag.ms.
   */
  readonly firstUncleanableOffset: number;
  readonly cleanBytes: number;
  readonly dirtyBytes: number;
  /** dirtyBytes / (cleanBytes + dirtyBytes), compared with min.cleanable.dirty.ratio. */
  readonly dirtyRatio: number;
  /** The oldest dirty record waited longer than max.compaction.lag.ms. */
  readonly pastMaxCompactionLag: boolean;
}

/**
 * Kafka's LogCleanerManager arithmetic for one compacted log: what part is dirty, what part
 * may not be cleaned yet, and how dirty it is.
 */
export function cleanableRange(state: CleanableState): CleanableRange {
  const { segments, config, now } = state;
  const checkpointed = state.checkpointedDirtyOffset;
  const firstDirtyOffset =
    checkpointed !== undefined && checkpointed >= state.logStartOffset && checkpointed <= state.logEndOffset
      ? checkpointed
      : state.logStartOffset;
  const active = segments[segments.length - 1];
  let firstUncleanableOffset = active.baseOffset;
  for (const bound of [state.highWatermark, state.lastStableOffset ?? state.highWatermark, state.recoveryPoint]) {
    const holding = floorSegment(segments, bound);
    if (holding !== undefined) firstUncleanableOffset = Math.min(firstUncleanableOffset, holding.baseOffset);
  }
  const minLag = config['min.compaction.lag.ms'];
  for (let i = 0; i < segments.length && segments[i].baseOffset < firstUncleanableOffset; i++) {
    if (endOf(segments, i) > firstDirtyOffset && segments[i].largestTimestamp > now - minLag) {
      firstUncleanableOffset = segments[i].baseOffset;
      break;
    }
  }
  let cleanBytes = 0;
  let dirtyBytes = 0;
  let firstDirtySegment: CleanableSegment | undefined;
  for (let i = 0; i < segments.length; i++) {
    const s = segments[i];
    const end = endOf(segments, i);
    if (end <= state.logStartOffset || s.baseOffset >= firstUncleanableOffset) continue;
    if (end <= firstDirtyOffset) {
      cleanBytes += s.size;
    } else {
      dirtyBytes += s.size;
      firstDirtySegment ??= s;
    }
  }
  const total = cleanBytes + dirtyBytes;
  const firstTimestamp = firstDirtySegment?.firstBatchTimestamp ?? -1;
  return {
    firstDirtyOffset,
    firstUncleanableOffset,
    cleanBytes,
    dirtyBytes,
    dirtyRatio: total === 0 ? 0 : dirtyBytes / total,
    pastMaxCompactionLag: firstTimestamp >= 0 && now - firstTimestamp > config['max.compaction.lag.ms'],
  };
}

/** Whether the cleaner should work on the log now. */
export function needsCleaning(range: CleanableRange, config: LogConfig): boolean {
  return range.dirtyBytes > 0 && (range.dirtyRatio >= config['min.cleanable.dirty.ratio'] || range.pastMaxCompactionLag);
}

function floorSegment(segments: readonly CleanableSegment[], offset: number): CleanableSegment | undefined {
  let found: CleanableSegment | undefined;
  for (const s of segments) {
    if (s.baseOffset > offset) break;
    found = s;
  }
  return found;
}

/** The offset where segment `i`'s successor starts (the segment's upper bound). */
function endOf(segments: readonly CleanableSegment[], i: number): number {
  return i + 1 < segments.length ? segments[i + 1].baseOffset : Infinity;
}
