import path from 'node:path';
import { TEMP_SUFFIX } from '../util/atomic-file.js';
import type { FileSystem } from '../util/file-system.js';
import { newHeaderScratch, readBatchHeader } from './batch-scan.js';
import { MalformedCheckpointError, parseEpochCheckpoint } from './checkpoint-file.js';
import {
  CLEANED_SUFFIX,
  DELETED_SUFFIX,
  LEADER_EPOCH_CHECKPOINT,
  LOG_SUFFIX,
  offsetFileName,
  parseSegmentFileName,
  SWAP_SUFFIX,
  TXN_INDEX_SUFFIX,
} from './file-names.js';
import { LeaderEpochCache } from './leader-epoch-cache.js';
import { LogSegment, type IndexSettings } from './log-segment.js';
import { SNAPSHOT_SUFFIX } from './producer-state/snapshot-files.js';

export interface LoadParams {
  readonly fs: FileSystem;
  readonly dir: string;
  readonly settings: IndexSettings;
  readonly now: number;
  /** From recovery-point-offset-checkpoint; 0 (recover everything) when unknown. */
  readonly recoveryPoint: number;
  /** From log-start-offset-checkpoint; the first segment's base offset when unknown. */
  readonly logStartOffset: number | undefined;
  /** The log directory had the clean-shutdown marker: checkpoints and indexes are trusted. */
  readonly hadCleanShutdown: boolean;
}

export interface LoadedLog {
  readonly segments: LogSegment[];
  readonly logStartOffset: number;
  readonly logEndOffset: number;
  readonly recoveryPoint: number;
  readonly epochCache: LeaderEpochCache;
  /** What recovery found and cut off, for the log. */
  readonly recoveryProblems: readonly string[];
  /** Base offset of the first segment recovery re-read (their txn indexes must be rebuilt), null if none. */
  readonly recoveredFrom: number | null;
}

/**
 * Opens a partition directory as Kafka's LogLoader does: removes leftovers of interrupted
 * deletions and cleanings, completes interrupted segment swaps, and, after an unclean shutdown,
 * re-validates every segment from the recovery point on, truncating at the first bad batch and
 * dropping the segments after it.
 */
export async function loadLog(params: LoadParams): Promise<LoadedLog> {
  const { fs, dir, settings, now } = params;
  const problems: string[] = [];
  removeLeftovers(fs, dir);
  await completeSwaps(params, problems);

  const segments = fs
    .readdir(dir)
    .map((name) => parseSegmentFileName(name))
    .filter((parsed) => parsed !== null && parsed.suffix === LOG_SUFFIX)
    .map((parsed) => parsed!.baseOffset)
    .sort((a, b) => a - b)
    .map((baseOffset) => LogSegment.open(fs, dir, baseOffset, settings));

  const epochCache = readEpochCache(fs, dir, segments);
  let recoveryPoint = params.recoveryPoint;
  let recoveredFrom = params.hadCleanShutdown ? null : recoverFrom(params, segments, epochCache, problems);

  if (segments.length === 0) {
    segments.push(LogSegment.create(fs, dir, params.logStartOffset ?? 0, settings, now));
  }
  let logEndOffset = segments[segments.length - 1].readNextOffset();
  const logStartOffset = Math.max(params.logStartOffset ?? 0, segments[0].baseOffset);
  if (logStartOffset > logEndOffset) {
    // Everything up to the checkpointed start was deleted and nothing after it survived: start
    // empty at the old start offset rather than hand out deleted offsets again.
    for (const segment of segments.splice(0)) segment.deleteFiles();
    segments.push(LogSegment.create(fs, dir, logStartOffset, settings, now));
    logEndOffset = logStartOffset;
    epochCache.clear();
    recoveredFrom = null;
  }
  recoveryPoint = Math.min(recoveryPoint, logEndOffset);
  epochCache.truncateFromEnd(logEndOffset);
  epochCache.truncateFromStart(logStartOffset);
  if (recoveredFrom !== null && !segments.some((s) => s.baseOffset === recoveredFrom)) recoveredFrom = null;
  return { segments, logStartOffset, logEndOffset, recoveryPoint, epochCache, recoveryProblems: problems, recoveredFrom };
}

/** Files Kafka also discards on load: pending deletions, unfinished cleanings, temporary checkpoints. */
function removeLeftovers(fs: FileSystem, dir: string): void {
  for (const name of fs.readdir(dir)) {
    if (name.endsWith(DELETED_SUFFIX) || name.endsWith(CLEANED_SUFFIX) || name.endsWith(TEMP_SUFFIX)) {
      fs.unlink(path.join(dir, name));
    }
  }
}

/**
 * A `.swap` segment is a cleaned segment whose replacement was interrupted after it became
 * durable: the segments it replaces (those with base offsets inside its offset range) go, and
 * it takes their place.
 */
async function completeSwaps(params: LoadParams, problems: string[]): Promise<void> {
  const { fs, dir, settings } = params;
  const names = fs.readdir(dir);
  for (const name of names) {
    const parsed = parseSegmentFileName(name);
    if (parsed === null || parsed.suffix !== LOG_SUFFIX + SWAP_SUFFIX) continue;
    const swap = LogSegment.open(fs, dir, parsed.baseOffset, settings, SWAP_SUFFIX);
    const recovery = swap.recover({ minOffset: parsed.baseOffset, offsetLimit: Infinity });
    if (recovery.problem !== null) problems.push(`swap segment ${name}: ${recovery.problem}`);
    const end = swap.readNextOffset();
    swap.onBecomeInactive();
    await swap.flush();
    for (const other of names) {
      const replaced = parseSegmentFileName(other);
      // Producer snapshots stay: compaction keeps offsets, so the state they hold is still right.
      if (replaced === null || replaced.suffix.endsWith(SWAP_SUFFIX) || replaced.suffix === SNAPSHOT_SUFFIX) continue;
      if (replaced.baseOffset >= parsed.baseOffset && replaced.baseOffset < Math.max(end, parsed.baseOffset + 1)) {
        fs.unlink(path.join(dir, other));
      }
    }
    // The replaced segments must be gone for good before the swap segment takes their name.
    await fs.syncDir(dir);
    swap.changeSuffix('');
    swap.close();
    await fs.syncDir(dir);
  }
  // Index files of a swap whose log file already has its final name: offset and time indexes are
  // rebuilt, the txn index (which the log alone cannot rebuild without producer state) is kept.
  for (const name of fs.readdir(dir)) {
    if (!name.endsWith(SWAP_SUFFIX)) continue;
    const parsed = parseSegmentFileName(name);
    if (parsed !== null && parsed.suffix === TXN_INDEX_SUFFIX + SWAP_SUFFIX && fs.exists(path.join(dir, offsetFileName(parsed.baseOffset, LOG_SUFFIX)))) {
      fs.rename(path.join(dir, name), path.join(dir, offsetFileName(parsed.baseOffset, TXN_INDEX_SUFFIX)));
    } else {
      fs.unlink(path.join(dir, name));
    }
  }
}

function readEpochCache(fs: FileSystem, dir: string, segments: readonly LogSegment[]): LeaderEpochCache {
  const file = path.join(dir, LEADER_EPOCH_CHECKPOINT);
  if (fs.exists(file)) {
    try {
      return new LeaderEpochCache(parseEpochCheckpoint(fs.readFile(file), file));
    } catch (err) {
      if (!(err instanceof MalformedCheckpointError)) throw err;
    }
  }
  return rebuildEpochCache(segments);
}

/** Reads every batch header to rebuild a missing or malformed leader-epoch-checkpoint. */
function rebuildEpochCache(segments: readonly LogSegment[]): LeaderEpochCache {
  const cache = new LeaderEpochCache();
  const scratch = newHeaderScratch();
  for (const segment of segments) {
    let position = 0;
    while (position < segment.size) {
      const header = readBatchHeader(segment.handle, position, scratch);
      if (header === null || header.sizeInBytes <= 0) break;
      cache.assign(header.partitionLeaderEpoch, header.baseOffset);
      position += header.sizeInBytes;
    }
  }
  return cache;
}

/**
 * Re-validates the segments that may hold unflushed data; cuts at the first bad batch. Returns the
 * base offset of the first segment re-read, null if none.
 */
function recoverFrom(params: LoadParams, segments: LogSegment[], epochCache: LeaderEpochCache, problems: string[]): number | null {
  let first = segments.findIndex((s, i) => i + 1 === segments.length || segments[i + 1].baseOffset > params.recoveryPoint);
  if (first < 0) return null;
  const recoveredFrom = segments[first].baseOffset;
  while (first < segments.length) {
    const segment = segments[first];
    const next = segments[first + 1];
    const recovery = segment.recover(
      { minOffset: segment.baseOffset, offsetLimit: next?.baseOffset ?? Infinity },
      (batch) => epochCache.assign(batch.partitionLeaderEpoch, batch.baseOffset),
    );
    if (recovery.problem !== null) {
      const name = offsetFileName(segment.baseOffset, LOG_SUFFIX);
      problems.push(`${name}: ${recovery.problem}; truncated ${recovery.truncatedBytes} bytes`);
      for (const dropped of segments.splice(first + 1)) {
        problems.push(`${offsetFileName(dropped.baseOffset, LOG_SUFFIX)}: dropped after the truncation`);
        dropped.deleteFiles();
      }
    }
    first++;
  }
  return recoveredFrom;
}
