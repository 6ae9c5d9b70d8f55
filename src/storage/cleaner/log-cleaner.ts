import path from 'node:path';
import { DecodeError } from '../../protocol/decode-error.js';
import { AtomicFile } from '../../util/atomic-file.js';
import type { FileSystem } from '../../util/file-system.js';
import { formatOffsetCheckpoint, MalformedCheckpointError, parseOffsetCheckpoint } from '../checkpoint-file.js';
import { KafkaStorageError } from '../errors.js';
import { CLEANER_OFFSET_CHECKPOINT, partitionDirName, type TopicPartition } from '../file-names.js';
import { isCompacted } from '../log-config.js';
import type { PartitionLog } from '../partition-log.js';
import { cleanableRange, needsCleaning, type CleanableRange } from './cleanable-range.js';
import { CleaningJob } from './cleaning-job.js';
import { OffsetMap } from './offset-map.js';

export interface LogCleanerParams {
  readonly fs: FileSystem;
  readonly logDirs: readonly string[];
  /** The logs to consider; the cleaner picks the compacted, online ones. */
  readonly logs: () => readonly PartitionLog[];
  /** log.cleaner.dedupe.buffer.size, bounding the offset map. */
  readonly dedupeBufferBytes: number;
}

/**
 * The background compactor (Kafka's LogCleaner + LogCleanerManager). It is driven, not
 * threaded: each `work` call does a bounded amount of cleaning and returns, so a driver can
 * interleave it with the event loop; swaps are the only awaits. Where each log was cleaned up to
 * is kept in `cleaner-offset-checkpoint` per log directory.
 */
export class LogCleaner {
  private job: CleaningJob | null = null;
  private inFlight: Promise<unknown> = Promise.resolve();
  private readonly cleanedUpTo = new Map<string, number>();
  private readonly checkpoints = new Map<string, AtomicFile>();
  /** Logs whose data could not be decoded; skipped until restart, as Kafka marks them uncleanable. */
  private readonly uncleanable = new Set<string>();
  /** Logs being truncated: no cleaning starts or continues on them. */
  private readonly paused = new Set<PartitionLog>();

  constructor(private readonly params: LogCleanerParams) {
    for (const dir of params.logDirs) {
      const file = new AtomicFile(params.fs, path.join(dir, CLEANER_OFFSET_CHECKPOINT));
      this.checkpoints.set(dir, file);
      this.readCheckpoint(file);
    }
  }

  private readCheckpoint(file: AtomicFile): void {
    let bytes: Buffer | null;
    try {
      bytes = file.read();
    } catch {
      return;
    }
    if (bytes === null) return;
    try {
      for (const entry of parseOffsetCheckpoint(bytes, file.path)) this.cleanedUpTo.set(partitionDirName(entry), entry.offset);
    } catch (err) {
      // Without the checkpoint every log is simply treated as dirty from its start.
      if (!(err instanceof MalformedCheckpointError)) throw err;
    }
  }

  /** Where the next cleaning of a log starts, if it was cleaned before. */
  checkpointedOffset(tp: TopicPartition): number | undefined {
    return this.cleanedUpTo.get(partitionDirName(tp));
  }

  /**
   * Does up to about `budgetBytes` of cleaning: continues the current job or starts one on the
   * dirtiest log that needs it. Returns false when there was nothing to do.
   */
  async work(now: number, budgetBytes: number): Promise<boolean> {
    const step = this.inFlight.then(() => this.step(now, budgetBytes));
    this.inFlight = step.catch(() => undefined);
    return step;
  }

  private async step(now: number, budgetBytes: number): Promise<boolean> {
    if (this.job !== null && this.paused.has(this.job.log)) {
      this.job.abort();
      this.job = null;
    }
    const job = this.job ?? this.startJob(now);
    if (job === null) return false;
    this.job = job;
    const key = partitionDirName(job.log.topicPartition);
    try {
      let status = job.advance(budgetBytes, now);
      if (status === 'swap') status = await job.swap(now);
      if (status === 'done') await this.recordCleaned(job.log, job.cleanedUpTo);
      if (status === 'done' || status === 'aborted') this.job = null;
    } catch (err) {
      this.job = null;
      job.abort();
      if (err instanceof DecodeError) {
        this.uncleanable.add(key);
      } else if (!(job.log.health.storageError(err, `cleaning ${job.log.dir}`) instanceof KafkaStorageError)) {
        throw err;
      }
    }
    return true;
  }

  private startJob(now: number): CleaningJob | null {
    let best: { log: PartitionLog; range: CleanableRange } | null = null;
    for (const log of this.params.logs()) {
      if (!isCompacted(log.config) || log.health.isOffline || this.paused.has(log)) continue;
      if (this.uncleanable.has(partitionDirName(log.topicPartition))) continue;
      const range = this.rangeOf(log, now);
      if (needsCleaning(range, log.config) && (best === null || range.dirtyRatio > best.range.dirtyRatio)) best = { log, range };
    }
    if (best === null) return null;
    return new CleaningJob(best.log, best.range, OffsetMap.forBufferSize(this.params.dedupeBufferBytes));
  }

  /** The dirty and uncleanable parts of a compacted log at `now`. */
  private rangeOf(log: PartitionLog, now: number): CleanableRange {
    return cleanableRange({
      segments: log.segmentList.map((s) => ({
        baseOffset: s.baseOffset,
        size: s.size,
        largestTimestamp: s.largestTimestamp,
        firstBatchTimestamp: s.firstBatchMaxTimestamp(),
      })),
      logStartOffset: log.logStartOffset,
      logEndOffset: log.logEndOffset,
      highWatermark: log.highWatermark,
      lastStableOffset: log.lastStableOffset,
      recoveryPoint: log.recoveryPoint,
      checkpointedDirtyOffset: this.checkpointedOffset(log.topicPartition),
      config: log.config,
      now,
    });
  }

  private async recordCleaned(log: PartitionLog, offset: number): Promise<void> {
    this.cleanedUpTo.set(partitionDirName(log.topicPartition), offset);
    await this.writeCheckpoint(path.dirname(log.dir));
  }

  private async writeCheckpoint(dir: string): Promise<void> {
    const file = this.checkpoints.get(dir);
    if (file === undefined) return;
    const entries = this.params
      .logs()
      .filter((log) => path.dirname(log.dir) === dir && this.cleanedUpTo.has(partitionDirName(log.topicPartition)))
      .map((log) => ({ ...log.topicPartition, offset: this.cleanedUpTo.get(partitionDirName(log.topicPartition))! }));
    await file.write(formatOffsetCheckpoint(entries));
  }

  /**
   * Stops cleaning the log until `resume`, waiting for a swap in progress, so that the log can be
   * truncated (Kafka's abortAndPauseCleaning).
   */
  async abortAndPause(log: PartitionLog): Promise<void> {
    this.paused.add(log);
    await this.inFlight;
    if (this.job?.log === log) {
      this.job.abort();
      this.job = null;
    }
  }

  /** Lets the cleaner work on a paused log again, after lowering its checkpoint to the truncation point. */
  async resume(log: PartitionLog, truncatedTo: number): Promise<void> {
    this.paused.delete(log);
    const key = partitionDirName(log.topicPartition);
    const cleaned = this.cleanedUpTo.get(key);
    if (cleaned !== undefined && cleaned > truncatedTo) {
      this.cleanedUpTo.set(key, truncatedTo);
      await this.writeCheckpoint(path.dirname(log.dir));
    }
  }

  /** Finishes the step in progress and drops the current job (its cleaned files are removed). */
  async shutdown(): Promise<void> {
    await this.inFlight;
    this.job?.abort();
    this.job = null;
  }
}
