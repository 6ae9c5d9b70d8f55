import path from 'node:path';
import { DecodeError } from '../protocol/decode-error.js';
import type { RecordBatchHeader } from '../protocol/records/batch-header.js';
import { AtomicFile } from '../util/atomic-file.js';
import type { FileSystem } from '../util/file-system.js';
import { validateFollowerAppend, validateLeaderAppend, type AppendOrigin } from './append-validation.js';
import { formatEpochCheckpoint } from './checkpoint-file.js';
import { CorruptRecordError, InvalidRecordError, OffsetOutOfRangeError } from './errors.js';
import type { FileSlice } from './file-slice.js';
import { CLEANED_SUFFIX, DELETED_SUFFIX, LEADER_EPOCH_CHECKPOINT, PARTITION_METADATA, SWAP_SUFFIX, type TopicPartition } from './file-names.js';
import type { EpochEndOffset, LeaderEpochCache } from './leader-epoch-cache.js';
import type { LogConfig } from './log-config.js';
import { LogDirHealth } from './log-dir-health.js';
import { loadLog } from './log-loader.js';
import { LogSegment, type IndexSettings } from './log-segment.js';
import { formatPartitionMetadata } from './partition-metadata.js';
import { analyzeProducerState, type ProducerStateAnalysis } from './producer-state/leader-append.js';
import { type ProducerStateConfig, ProducerStateManager } from './producer-state/producer-state-manager.js';
import { rebuildProducerState } from './producer-state/rebuild.js';
import { rebuildTxnIndexes } from './producer-state/txn-index-rebuild.js';
import { SnapshotFiles } from './producer-state/snapshot-files.js';
import { decideRetention, type RetentionReason } from './retention.js';
import { NO_TIMESTAMP, type TimestampOffset } from './time-index.js';
import { type AbortedTxn, CorruptTxnIndexError } from './transaction-index.js';

export interface OpenLogParams {
  readonly fs: FileSystem;
  /** The partition directory, `<log dir>/<topic>-<partition>`; created if missing. */
  readonly dir: string;
  readonly topicPartition: TopicPartition;
  readonly config: LogConfig;
  readonly now: number;
  readonly health?: LogDirHealth;
  readonly recoveryPoint?: number;
  readonly logStartOffset?: number;
  readonly highWatermark?: number;
  readonly hadCleanShutdown?: boolean;
  /** producer.id.expiration.ms; default one day. */
  readonly producerState?: ProducerStateConfig;
}

/** Kafka's default producer.id.expiration.ms. */
export const DEFAULT_PRODUCER_ID_EXPIRATION_MS = 24 * 60 * 60 * 1000;

export interface LogAppendInfo {
  readonly firstOffset: number;
  readonly lastOffset: number;
  readonly maxTimestamp: number;
  /** Last offset of the batch carrying maxTimestamp. */
  readonly offsetOfMaxTimestamp: number;
  /** The broker's timestamp for LogAppendTime topics, else NO_TIMESTAMP (-1). */
  readonly logAppendTime: number;
  readonly logStartOffset: number;
  readonly recordCount: number;
  readonly bytes: number;
  /**
   * The append repeated one of a producer's last five batches (same producer id, epoch and
   * sequences): nothing was written and the offsets are those of the original batch.
   */
  readonly duplicate: boolean;
}

export interface ReadOptions {
  /** Exclusive upper bound: the high watermark or last stable offset for consumers. Default: the log end. */
  readonly maxOffset?: number;
  /** Return the first batch even if it alone exceeds maxBytes (Kafka's minOneMessage). Default true. */
  readonly minOneBatch?: boolean;
  /** Also collect the aborted transactions overlapping the records read (read_committed fetches). */
  readonly abortedTransactions?: boolean;
}

export interface LogReadResult {
  /** Whole batches from the one holding the fetch offset; null when there is nothing to return. */
  readonly records: FileSlice | null;
  readonly logStartOffset: number;
  readonly logEndOffset: number;
  /** With `abortedTransactions`: those overlapping the records returned ([] when none); else null. */
  readonly abortedTransactions: AbortedTxn[] | null;
}

export interface DeletedSegments {
  readonly count: number;
  readonly reason: RetentionReason | null;
}

/** Segments whose indexes stay in memory after a read, besides the active one. */
const LOADED_INDEX_SEGMENTS = 4;

/**
 * One partition's log (Kafka's UnifiedLog + LocalLog): segments, offsets, leader epochs,
 * rolling, reads, retention, truncation and the flush policy. Every operation that touches
 * the disk is synchronous (page-cache I/O) except `flush` and `close`, which wait for fsync;
 * an append therefore runs from offset assignment to write without yielding.
 */
export class PartitionLog {
  private nextOffset: number;
  private startOffset: number;
  private recoveryPointOffset: number;
  private highWatermarkOffset: number;
  private activeConfig: LogConfig;
  /** Files were created, renamed or removed in the directory since it was last synced. */
  private dirDirty = true;
  /** Bumped on truncation, so a flush in flight does not advance the recovery point over replaced data. */
  private truncations = 0;
  private appendedMessages = 0;
  private messagesAtLastFlush = 0;
  private lastFlushMs: number;
  private flushChain: Promise<void> = Promise.resolve();
  private readonly pendingDeletes: { segment: LogSegment; dueMs: number }[] = [];
  private readonly recentlyRead: LogSegment[] = [];
  private readonly epochFile: AtomicFile;
  /** What leader-epoch-checkpoint holds, to skip rewriting it unchanged. */
  private writtenEpochs: string | null = null;
  private closed = false;
  /** The cleaner is swapping cleaned segments in: retention waits, truncation is refused. */
  private swapping = false;

  private constructor(
    private readonly fs: FileSystem,
    readonly dir: string,
    readonly topicPartition: TopicPartition,
    config: LogConfig,
    readonly health: LogDirHealth,
    private readonly segments: LogSegment[],
    readonly epochCache: LeaderEpochCache,
    state: { logStartOffset: number; logEndOffset: number; recoveryPoint: number; highWatermark: number; now: number },
    /** What recovery cut off while loading (empty after a clean shutdown or an intact log). */
    readonly recoveryProblems: readonly string[],
    /** Producer ids, epochs and sequences (idempotence), and open transactions. */
    readonly producerState: ProducerStateManager,
    private readonly snapshots: SnapshotFiles,
  ) {
    this.activeConfig = config;
    this.startOffset = state.logStartOffset;
    this.nextOffset = state.logEndOffset;
    this.recoveryPointOffset = state.recoveryPoint;
    this.highWatermarkOffset = Math.min(Math.max(state.highWatermark, state.logStartOffset), state.logEndOffset);
    this.lastFlushMs = state.now;
    this.epochFile = new AtomicFile(fs, path.join(dir, LEADER_EPOCH_CHECKPOINT));
    snapshots.onDirChange = () => (this.dirDirty = true);
    producerState.onHighWatermarkUpdated(this.highWatermarkOffset);
  }

  /** Opens (or creates) the log in `dir`, recovering it first if the shutdown was not clean. */
  static async open(params: OpenLogParams): Promise<PartitionLog> {
    const { fs, dir, config, now } = params;
    const health = params.health ?? new LogDirHealth(path.dirname(dir));
    try {
      if (!fs.exists(dir)) {
        fs.mkdir(dir);
        await fs.syncDir(path.dirname(dir));
      }
      const loaded = await loadLog({
        fs,
        dir,
        settings: indexSettings(config),
        now,
        recoveryPoint: params.recoveryPoint ?? 0,
        logStartOffset: params.logStartOffset,
        hadCleanShutdown: params.hadCleanShutdown ?? false,
      });
      const snapshots = new SnapshotFiles(fs, dir);
      const name = `${params.topicPartition.topic}-${params.topicPartition.partition}`;
      const producerState = new ProducerStateManager(name, snapshots, producerStateConfig(params));
      producerState.removeStraySnapshots(loaded.segments.map((s) => s.baseOffset));
      if (loaded.recoveredFrom !== null) {
        // Recovery re-read these segments: their aborted transactions are indexed again (Kafka's recoverSegment).
        const from = loaded.segments.findIndex((s) => s.baseOffset === loaded.recoveredFrom);
        if (from >= 0) {
          rebuildTxnIndexes({
            snapshots,
            config: producerStateConfig(params),
            partitionName: name,
            segments: loaded.segments,
            from,
            logStartOffset: loaded.logStartOffset,
          });
        }
      }
      rebuildProducerState(producerState, {
        segments: loaded.segments,
        logStartOffset: loaded.logStartOffset,
        lastOffset: loaded.logEndOffset,
        reloadFromCleanShutdown: params.hadCleanShutdown ?? false,
        now,
      });
      await snapshots.writePending();
      const problems = [
        ...loaded.recoveryProblems,
        ...producerState.snapshotProblems.map((p) => `producer snapshot at ${p.offset}: ${p.problem}; deleted`),
      ];
      return new PartitionLog(
        fs,
        dir,
        params.topicPartition,
        config,
        health,
        loaded.segments,
        loaded.epochCache,
        { ...loaded, highWatermark: params.highWatermark ?? loaded.logStartOffset, now },
        problems,
        producerState,
        snapshots,
      );
    } catch (err) {
      throw health.storageError(err, `loading ${dir}`);
    }
  }

  get config(): LogConfig {
    return this.activeConfig;
  }

  /** A dynamic config change; index sizes apply to segments created from now on. */
  updateConfig(config: LogConfig): void {
    this.activeConfig = config;
  }

  get logStartOffset(): number {
    return this.startOffset;
  }

  get logEndOffset(): number {
    return this.nextOffset;
  }

  /** Offsets below this are on disk for sure: the log has been fsynced up to here. */
  get recoveryPoint(): number {
    return this.recoveryPointOffset;
  }

  get highWatermark(): number {
    return this.highWatermarkOffset;
  }

  /** Total bytes of all segments. */
  get size(): number {
    return this.segments.reduce((sum, s) => sum + s.size, 0);
  }

  get segmentBaseOffsets(): number[] {
    return this.segments.map((s) => s.baseOffset);
  }

  /** The segments in offset order, the active one last (for the cleaner, which must not modify them). */
  get segmentList(): readonly LogSegment[] {
    return this.segments;
  }

  /** How many truncations the log has had, so that work spanning several steps can notice one. */
  get truncationCount(): number {
    return this.truncations;
  }

  private get active(): LogSegment {
    return this.segments[this.segments.length - 1];
  }

  /** Replication moves the high watermark; it stays within [log start, log end]. */
  updateHighWatermark(offset: number): number {
    this.highWatermarkOffset = Math.min(Math.max(offset, this.startOffset), this.nextOffset);
    this.producerState.onHighWatermarkUpdated(this.highWatermarkOffset);
    return this.highWatermarkOffset;
  }

  /**
   * The first offset of the earliest transaction that is open or whose marker the high watermark
   * does not cover yet, never below the log start (Kafka's firstUnstableOffset); null if none.
   */
  get firstUnstableOffset(): number | null {
    const first = this.producerState.firstUnstableOffset();
    return first === null ? null : Math.max(first, this.startOffset);
  }

  /**
   * The last stable offset (Kafka's UnifiedLog.lastStableOffset): the first unstable offset if it
   * is below the high watermark, else the high watermark. read_committed consumers read below it.
   */
  get lastStableOffset(): number {
    const first = this.firstUnstableOffset;
    return first !== null && first < this.highWatermarkOffset ? first : this.highWatermarkOffset;
  }

  /**
   * The aborted transactions that overlap [startOffset, upperBoundOffset), from the `.txnindex` of
   * the segment holding `startOffset` and of later segments until one shows that no transaction
   * before the bound can be aborted further on (Kafka's UnifiedLog.collectAbortedTransactions).
   */
  collectAbortedTransactions(startOffset: number, upperBoundOffset: number): AbortedTxn[] {
    this.health.check();
    try {
      return this.collectAbortedFrom(this.segmentIndexFor(startOffset), startOffset, upperBoundOffset);
    } catch (err) {
      throw this.health.storageError(err, `reading the transaction index of ${this.dir}`);
    }
  }

  private collectAbortedFrom(first: number, startOffset: number, upperBoundOffset: number): AbortedTxn[] {
    const found: AbortedTxn[] = [];
    for (let i = first; i < this.segments.length; i++) {
      const result = this.searchTxnIndex(i, startOffset, upperBoundOffset);
      found.push(...result.abortedTransactions);
      if (result.isComplete) break;
    }
    return found;
  }

  /** Searches one segment's txn index, rebuilding it first if it cannot be read. */
  private searchTxnIndex(i: number, startOffset: number, upperBoundOffset: number): ReturnType<LogSegment['collectAbortedTxns']> {
    this.ensureTxnIndex(i);
    return this.segments[i].collectAbortedTxns(startOffset, upperBoundOffset);
  }

  /** Loads segment `i`'s txn index; one that cannot be read is rebuilt from the log (Kafka recovers the segment). */
  private ensureTxnIndex(i: number): void {
    try {
      this.segments[i].txnIndex.allAbortedTxns();
    } catch (err) {
      if (!(err instanceof CorruptTxnIndexError)) throw err;
      this.segments[i].txnIndex.reset();
      rebuildTxnIndexes({
        snapshots: this.snapshots,
        config: this.producerState.config,
        partitionName: this.producerState.partitionName,
        segments: this.segments,
        from: i,
        to: i + 1,
        logStartOffset: this.startOffset,
      });
      this.dirDirty = true;
    }
  }

  /**
   * Validates a produce's batches, assigns their offsets (patching baseOffset and
   * partitionLeaderEpoch in place, and maxTimestamp for LogAppendTime topics) and writes them.
   */
  appendAsLeader(records: Buffer, leaderEpoch: number, now: number, origin: AppendOrigin = 'client'): LogAppendInfo {
    this.health.check();
    const batches = validateLeaderAppend(records, this.activeConfig, origin, now);
    const logAppendTime = this.activeConfig['message.timestamp.type'] === 'LogAppendTime' ? now : NO_TIMESTAMP;
    let offset = this.nextOffset;
    for (const batch of batches) {
      batch.baseOffset = offset;
      batch.partitionLeaderEpoch = leaderEpoch;
      if (logAppendTime !== NO_TIMESTAMP) batch.setLogAppendTime(logAppendTime);
      offset += batch.lastOffsetDelta + 1;
    }
    const producers = analyzeProducerState(this.producerState, batches, origin);
    if (producers.duplicate !== null) {
      const { firstOffset, lastOffset, timestamp } = producers.duplicate;
      return {
        firstOffset,
        lastOffset,
        maxTimestamp: NO_TIMESTAMP,
        offsetOfMaxTimestamp: -1,
        // Kafka answers the original batch's timestamp here, whatever the timestamp type.
        logAppendTime: timestamp,
        logStartOffset: this.startOffset,
        recordCount: 0,
        bytes: 0,
        duplicate: true,
      };
    }
    return this.write(records, batches, now, logAppendTime, producers);
  }

  /** Appends batches replicated from the leader, offsets as the leader assigned them. */
  appendAsFollower(records: Buffer, now: number): LogAppendInfo {
    this.health.check();
    const batches = validateFollowerAppend(records);
    if (batches.length > 0 && batches[0].baseOffset < this.nextOffset) {
      throw new InvalidRecordError(`replicated batch at offset ${batches[0].baseOffset} is below the log end ${this.nextOffset}`);
    }
    return this.write(records, batches, now, NO_TIMESTAMP, analyzeProducerState(this.producerState, batches, 'replication'));
  }

  private write(
    records: Buffer,
    batches: readonly RecordBatchHeader[],
    now: number,
    logAppendTime: number,
    producers: ProducerStateAnalysis,
  ): LogAppendInfo {
    if (batches.length === 0) {
      return {
        firstOffset: -1,
        lastOffset: -1,
        maxTimestamp: NO_TIMESTAMP,
        offsetOfMaxTimestamp: -1,
        logAppendTime,
        logStartOffset: this.startOffset,
        recordCount: 0,
        bytes: 0,
        duplicate: false,
      };
    }
    let maxTimestamp = NO_TIMESTAMP;
    let offsetOfMaxTimestamp = -1;
    let recordCount = 0;
    for (const batch of batches) {
      const batchMaxTimestamp = batch.maxTimestamp;
      if (batchMaxTimestamp > maxTimestamp) {
        maxTimestamp = batchMaxTimestamp;
        offsetOfMaxTimestamp = batch.lastOffset;
      }
      recordCount += batch.recordCount;
    }
    const firstOffset = batches[0].baseOffset;
    const lastOffset = batches[batches.length - 1].lastOffset;
    let segment: LogSegment;
    try {
      segment = this.maybeRoll(records.length, maxTimestamp, firstOffset, lastOffset, now);
      if (producers.completedTxns.some((txn) => txn.isAborted)) this.ensureTxnIndex(this.segments.length - 1);
      segment.append(records, batches, now);
    } catch (err) {
      throw this.health.storageError(err, `append to ${this.dir}`);
    }
    this.nextOffset = lastOffset + 1;
    this.appendedMessages += recordCount;
    for (const batch of batches) this.epochCache.assign(batch.partitionLeaderEpoch, batch.baseOffset);
    for (const info of producers.appends.values()) this.producerState.update(info);
    // Aborted transactions go to the txn index with the last stable offset as it is when their
    // marker is written (Kafka's UnifiedLog.append).
    for (const txn of producers.completedTxns) {
      const lastStableOffset = this.producerState.lastStableOffset(txn);
      try {
        if (segment.updateTxnIndex(txn, lastStableOffset)) this.dirDirty = true;
      } catch (err) {
        throw this.health.storageError(err, `transaction index update in ${this.dir}`);
      }
      this.producerState.completeTxn(txn);
    }
    this.producerState.updateMapEndOffset(this.nextOffset);
    return {
      firstOffset,
      lastOffset,
      maxTimestamp,
      offsetOfMaxTimestamp,
      logAppendTime,
      logStartOffset: this.startOffset,
      recordCount,
      bytes: records.length,
      duplicate: false,
    };
  }

  /** Kafka's roll conditions: segment.bytes, segment.ms, a full index, a relative offset past int32. */
  private maybeRoll(size: number, maxTimestamp: number, firstOffset: number, lastOffset: number, now: number): LogSegment {
    const segment = this.active;
    const config = this.activeConfig;
    const full =
      segment.size > config['segment.bytes'] - size ||
      (segment.size > 0 && segment.timeWaitedForRoll(now, maxTimestamp) > config['segment.ms']) ||
      segment.indexesFull ||
      !segment.offsetIndex.canAppendOffset(lastOffset);
    return full ? this.rollAt(Math.max(firstOffset, this.nextOffset), now) : segment;
  }

  /** Starts a new active segment at the log end offset. */
  roll(now: number): void {
    this.health.check();
    try {
      this.rollAt(this.nextOffset, now);
    } catch (err) {
      throw this.health.storageError(err, `roll of ${this.dir}`);
    }
  }

  private rollAt(baseOffset: number, now: number): LogSegment {
    const previous = this.active;
    if (previous.isEmpty && previous.baseOffset === baseOffset) return previous;
    previous.onBecomeInactive();
    this.rememberRead(previous);
    const segment = LogSegment.create(this.fs, this.dir, baseOffset, indexSettings(this.activeConfig), now);
    this.segments.push(segment);
    this.dirDirty = true;
    // The state at the new segment's start, so recovery of this segment starts from it (written at the next flush).
    this.producerState.updateMapEndOffset(baseOffset);
    this.producerState.takeSnapshot();
    return segment;
  }

  /**
   * Reads whole batches from the one holding `startOffset`, up to `maxBytes` (but at least one
   * batch unless `minOneBatch` is false), from a single segment as Kafka does.
   */
  read(startOffset: number, maxBytes: number, options: ReadOptions = {}): LogReadResult {
    this.health.check();
    if (startOffset < this.startOffset || startOffset > this.nextOffset) {
      throw new OffsetOutOfRangeError(
        `offset ${startOffset} is outside [${this.startOffset}, ${this.nextOffset}] of ${this.topicPartition.topic}-${this.topicPartition.partition}`,
      );
    }
    const maxOffset = Math.min(options.maxOffset ?? this.nextOffset, this.nextOffset);
    const minOneBatch = options.minOneBatch ?? true;
    const wantAborted = options.abortedTransactions ?? false;
    const result = (records: FileSlice | null, abortedTransactions: AbortedTxn[] | null = wantAborted ? [] : null): LogReadResult => ({
      records,
      logStartOffset: this.startOffset,
      logEndOffset: this.nextOffset,
      abortedTransactions,
    });
    try {
      for (let i = this.segmentIndexFor(startOffset); i < this.segments.length; i++) {
        const segment = this.segments[i];
        if (startOffset >= maxOffset || segment.baseOffset >= maxOffset) return result(null);
        const slice = segment.read(startOffset, maxBytes, this.maxPositionIn(i, maxOffset), minOneBatch);
        if (segment !== this.active) this.rememberRead(segment);
        if (slice === null) continue;
        if (slice.size === 0) return result(null);
        if (!wantAborted) return result(slice);
        // The offsets the slice covers end before the next batch (Kafka's addAbortedTransactions).
        const upperBound = segment.offsetAfter(slice.position, slice.size) ?? this.segments[i + 1]?.baseOffset ?? this.nextOffset;
        return result(slice, this.collectAbortedFrom(i, startOffset, upperBound));
      }
      return result(null);
    } catch (err) {
      throw this.health.storageError(err, `read from ${this.dir}`);
    }
  }

  /** Position in segment `i` where data at or past `maxOffset` begins (the segment end if none). */
  private maxPositionIn(i: number, maxOffset: number): number {
    const segment = this.segments[i];
    const next = this.segments[i + 1];
    if (maxOffset >= this.nextOffset || (next !== undefined && next.baseOffset <= maxOffset)) return segment.size;
    return segment.translateOffset(maxOffset)?.position ?? segment.size;
  }

  /** Index of the segment whose offsets include `offset`: the last one starting at or before it. */
  private segmentIndexFor(offset: number): number {
    let lo = 0;
    let hi = this.segments.length - 1;
    let found = 0;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.segments[mid].baseOffset <= offset) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found;
  }

  /** Keeps the indexes of recently read segments loaded and releases the others'. */
  private rememberRead(segment: LogSegment): void {
    const at = this.recentlyRead.indexOf(segment);
    if (at >= 0) this.recentlyRead.splice(at, 1);
    this.recentlyRead.unshift(segment);
    for (const evicted of this.recentlyRead.splice(LOADED_INDEX_SEGMENTS)) {
      if (evicted !== this.active && this.segments.includes(evicted)) evicted.releaseIndexes();
    }
  }

  /**
   * ListOffsets by time: the first record at or after the log start whose timestamp is at least
   * `timestamp`, with that timestamp, or null when no record is that recent.
   */
  offsetForTimestamp(timestamp: number): TimestampOffset | null {
    this.health.check();
    return this.readingRecords(() => {
      for (const segment of this.segments) {
        if (segment.largestTimestamp < timestamp) continue;
        const found = segment.findOffsetByTimestamp(timestamp, this.startOffset);
        if (segment !== this.active) this.rememberRead(segment);
        if (found !== null) return found;
      }
      return null;
    });
  }

  /** ListOffsets MAX_TIMESTAMP: the first record carrying the largest timestamp, or null if none has one. */
  maxTimestampOffset(): TimestampOffset | null {
    this.health.check();
    return this.readingRecords(() => {
      let best: LogSegment | null = null;
      for (const segment of this.segments) {
        const max = segment.maxTimestampSoFar().timestamp;
        if (max !== NO_TIMESTAMP && (best === null || max > best.maxTimestampSoFar().timestamp)) best = segment;
      }
      return best?.findMaxTimestampRecord() ?? null;
    });
  }

  /** Runs a lookup that decodes records: I/O errors take the directory offline, undecodable bytes are corrupt. */
  private readingRecords<T>(lookup: () => T): T {
    try {
      return lookup();
    } catch (err) {
      if (err instanceof DecodeError) throw new CorruptRecordError(`corrupt batch in ${this.dir}: ${err.message}`);
      throw this.health.storageError(err, `timestamp lookup in ${this.dir}`);
    }
  }

  /** OffsetForLeaderEpoch against this log. */
  endOffsetForEpoch(epoch: number): EpochEndOffset {
    return this.epochCache.endOffsetFor(epoch, this.nextOffset);
  }

  /**
   * Removes every batch ending at or after `offset` (replication truncating a diverged
   * follower); the log end becomes `offset`. Returns whether anything was removed. The broker
   * truncates through LogManager.truncateTo, which also makes the truncation durable.
   */
  truncateTo(offset: number, now: number): boolean {
    this.health.check();
    this.refuseDuringSwap();
    if (offset >= this.nextOffset) return false;
    if (offset < this.startOffset) {
      this.truncateFullyAndStartAt(offset, now);
      return true;
    }
    try {
      const i = this.segmentIndexFor(offset);
      const removed = this.segments.splice(i + 1);
      this.scheduleDeletion(removed, now);
      this.segments[i].truncateTo(offset, now);
      this.afterTruncation(offset);
      this.rebuildProducerState(offset, now);
    } catch (err) {
      throw this.health.storageError(err, `truncation of ${this.dir}`);
    }
    return true;
  }

  /** Drops the whole log and restarts it empty at `offset` (a follower far behind the leader's start). */
  truncateFullyAndStartAt(offset: number, now: number): void {
    this.health.check();
    this.refuseDuringSwap();
    try {
      this.scheduleDeletion(this.segments.splice(0), now);
      this.segments.push(LogSegment.create(this.fs, this.dir, offset, indexSettings(this.activeConfig), now));
      this.epochCache.clear();
      this.startOffset = offset;
      this.afterTruncation(offset);
      this.producerState.truncateFullyAndStartAt(offset);
      this.rebuildProducerState(offset, now);
    } catch (err) {
      throw this.health.storageError(err, `truncation of ${this.dir}`);
    }
  }

  /** Producer state back to what the log holds up to `offset` (after a truncation), as Kafka's rebuildProducerState. */
  private rebuildProducerState(offset: number, now: number): void {
    rebuildProducerState(this.producerState, {
      segments: this.segments,
      logStartOffset: this.startOffset,
      lastOffset: offset,
      reloadFromCleanShutdown: false,
      now,
    });
    this.producerState.onHighWatermarkUpdated(this.highWatermarkOffset);
  }

  /** Forgets producers idle for producer.id.expiration.ms (Kafka's periodic removeExpiredProducers). */
  removeExpiredProducers(now: number): number {
    return this.producerState.removeExpiredProducers(now);
  }

  private refuseDuringSwap(): void {
    if (this.swapping) throw new Error(`truncation of ${this.dir} during a segment swap: abort the cleaner first (LogManager.truncateTo)`);
  }

  private afterTruncation(offset: number): void {
    this.nextOffset = offset;
    this.recoveryPointOffset = Math.min(this.recoveryPointOffset, offset);
    this.highWatermarkOffset = Math.min(this.highWatermarkOffset, offset);
    this.epochCache.truncateFromEnd(offset);
    this.truncations++;
    this.dirDirty = true;
  }

  /**
   * Moves the log start offset forward (DeleteRecords); segments wholly below it are deleted
   * by the next retention pass. Returns whether it moved.
   */
  advanceLogStartOffset(offset: number): boolean {
    this.health.check();
    if (offset > this.highWatermarkOffset) {
      throw new OffsetOutOfRangeError(`cannot move the log start to ${offset}, above the high watermark ${this.highWatermarkOffset}`);
    }
    if (offset <= this.startOffset) return false;
    this.startOffset = offset;
    this.epochCache.truncateFromStart(offset);
    this.producerState.onLogStartOffsetIncremented(offset);
    return true;
  }

  /**
   * One retention pass: deletes the oldest segments that fall below the log start offset or,
   * with the delete policy, break retention.ms or retention.bytes. If every segment qualifies
   * the log rolls first, so the active segment itself is never deleted.
   */
  deleteOldSegments(now: number): DeletedSegments {
    this.health.check();
    if (this.swapping) return { count: 0, reason: null };
    const decision = decideRetention({
      segments: this.segments.map((s) => ({ baseOffset: s.baseOffset, size: s.size, largestTimestamp: s.largestTimestamp })),
      logStartOffset: this.startOffset,
      logEndOffset: this.nextOffset,
      highWatermark: this.highWatermarkOffset,
      now,
      config: this.activeConfig,
    });
    if (decision.count === 0) return decision;
    try {
      if (decision.count === this.segments.length) this.rollAt(this.nextOffset, now);
      const deleted = this.segments.splice(0, decision.count);
      this.scheduleDeletion(deleted, now);
    } catch (err) {
      throw this.health.storageError(err, `retention in ${this.dir}`);
    }
    const firstKept = this.segments[0].baseOffset;
    if (firstKept > this.startOffset) {
      this.startOffset = firstKept;
      this.epochCache.truncateFromStart(firstKept);
    }
    try {
      // The snapshots of the deleted segments go with them (Kafka's deleteProducerSnapshots).
      this.producerState.deleteSnapshotsBefore(firstKept);
    } catch (err) {
      throw this.health.storageError(err, `retention in ${this.dir}`);
    }
    this.producerState.onLogStartOffsetIncremented(this.startOffset);
    return decision;
  }

  /** A new `.cleaned` segment for the cleaner to fill (Kafka's createNewCleanedSegment). */
  createCleanedSegment(baseOffset: number, now: number): LogSegment {
    try {
      return LogSegment.create(this.fs, this.dir, baseOffset, indexSettings(this.activeConfig), now, CLEANED_SUFFIX);
    } catch (err) {
      throw this.health.storageError(err, `creating a cleaned segment in ${this.dir}`);
    }
  }

  /**
   * Swaps a cleaned segment in for the segments it was built from, so that a crash at any point
   * leaves either the old segments or the cleaned one: the cleaned files are fsynced, renamed
   * `.cleaned` -> `.swap` and the directory synced (from here recovery completes the swap), the
   * old segments move to `.deleted` and the directory is synced again, then `.swap` -> final name.
   * Returns false, discarding the cleaned segment, when the log changed under the cleaner.
   */
  async replaceSegments(cleaned: LogSegment, replaced: readonly LogSegment[], truncationCount: number, now: number): Promise<boolean> {
    this.health.check();
    const at = this.segments.indexOf(replaced[0]);
    const intact =
      truncationCount === this.truncations &&
      at >= 0 &&
      at + replaced.length < this.segments.length &&
      replaced.every((s, i) => this.segments[at + i] === s);
    if (!intact) {
      cleaned.deleteFiles();
      return false;
    }
    this.swapping = true;
    try {
      cleaned.onBecomeInactive();
      await cleaned.flush();
      cleaned.changeSuffix(SWAP_SUFFIX);
      await this.fs.syncDir(this.dir);
      cleaned.lastModifiedMs = Math.max(...replaced.map((s) => s.lastModifiedMs));
      this.segments.splice(at, replaced.length, cleaned);
      this.scheduleDeletion(replaced, now);
      await this.fs.syncDir(this.dir);
      cleaned.changeSuffix('');
      this.dirDirty = true;
      return true;
    } catch (err) {
      throw this.health.storageError(err, `segment swap in ${this.dir}`);
    } finally {
      this.swapping = false;
    }
  }

  /** Renames the segments' files to `.deleted`; they are unlinked once file.delete.delay.ms passes. */
  private scheduleDeletion(segments: readonly LogSegment[], now: number): void {
    const dueMs = now + this.activeConfig['file.delete.delay.ms'];
    for (const segment of segments) {
      segment.changeSuffix(DELETED_SUFFIX);
      this.pendingDeletes.push({ segment, dueMs });
      const at = this.recentlyRead.indexOf(segment);
      if (at >= 0) this.recentlyRead.splice(at, 1);
    }
    if (segments.length > 0) this.dirDirty = true;
  }

  /** Unlinks the files of deleted segments whose delay has passed. */
  deleteExpiredFiles(now: number): void {
    try {
      while (this.pendingDeletes.length > 0 && (this.pendingDeletes[0].dueMs <= now || this.closed)) {
        this.pendingDeletes.shift()!.segment.deleteFiles();
        this.dirDirty = true;
      }
    } catch (err) {
      throw this.health.storageError(err, `file deletion in ${this.dir}`);
    }
  }

  /** Whether flush.messages or flush.ms asks for a flush, or a rolled segment awaits its fsync. */
  isFlushDue(now: number): boolean {
    if (this.recoveryPointOffset >= this.nextOffset) return false;
    const config = this.activeConfig;
    return (
      this.appendedMessages - this.messagesAtLastFlush >= config['flush.messages'] ||
      now - this.lastFlushMs >= config['flush.ms'] ||
      this.active.baseOffset > this.recoveryPointOffset
    );
  }

  /**
   * Fsyncs everything appended so far (segments, their indexes, the directory when files
   * changed in it, the leader epoch checkpoint) and then moves the recovery point to the log end
   * as it was when flush was called, unless the log was truncated meanwhile. Flushes run one at
   * a time.
   */
  flush(now: number): Promise<void> {
    const target = { upTo: this.nextOffset, truncations: this.truncations, messages: this.appendedMessages };
    const run = this.flushChain.then(() => this.flushNow(now, target));
    this.flushChain = run.catch(() => undefined);
    return run;
  }

  private async flushNow(now: number, target: { upTo: number; truncations: number; messages: number }): Promise<void> {
    this.health.check();
    if (this.closed) return;
    const segments = this.segments.filter((s) => s.needsFlush);
    const syncDir = this.dirDirty;
    this.dirDirty = false;
    try {
      await Promise.all(segments.map((s) => s.flush()));
      await this.snapshots.writePending();
      if (syncDir) await this.fs.syncDir(this.dir);
      const epochs = formatEpochCheckpoint(this.epochCache.entries);
      if (epochs.toString() !== this.writtenEpochs) {
        await this.epochFile.write(epochs);
        this.writtenEpochs = epochs.toString();
      }
    } catch (err) {
      this.dirDirty ||= syncDir;
      throw this.health.storageError(err, `flush of ${this.dir}`);
    }
    this.messagesAtLastFlush = Math.max(this.messagesAtLastFlush, target.messages);
    this.lastFlushMs = now;
    if (this.truncations === target.truncations && target.upTo > this.recoveryPointOffset) {
      this.recoveryPointOffset = target.upTo;
    }
  }

  /** Writes `partition.metadata` with the topic id. */
  async writePartitionMetadata(topicId: string): Promise<void> {
    try {
      await new AtomicFile(this.fs, path.join(this.dir, PARTITION_METADATA)).write(formatPartitionMetadata(topicId));
    } catch (err) {
      throw this.health.storageError(err, `writing partition.metadata in ${this.dir}`);
    }
  }

  /**
   * Clean close: the active segment gets its final time index entry, everything is fsynced (so
   * the recovery point reaches the log end), pending deletions are carried out and files closed.
   */
  async close(now: number): Promise<void> {
    if (this.closed) return;
    if (!this.health.isOffline) {
      try {
        this.active.onBecomeInactive();
        // A snapshot at the log end, so the next start need not scan the log (Kafka's close).
        this.producerState.takeSnapshot();
      } catch (err) {
        throw this.health.storageError(err, `close of ${this.dir}`);
      }
      await this.flush(now);
    }
    this.closed = true;
    if (!this.health.isOffline) this.deleteExpiredFiles(now);
    for (const segment of this.segments) segment.close();
  }

  /** Closes the files without flushing anything: the directory went offline, or a simulated crash. */
  abandon(): void {
    this.closed = true;
    this.snapshots.dropPending();
    for (const segment of this.segments) segment.closeHandles();
  }
}

function producerStateConfig(params: OpenLogParams): ProducerStateConfig {
  return params.producerState ?? { producerIdExpirationMs: () => DEFAULT_PRODUCER_ID_EXPIRATION_MS };
}

export function indexSettings(config: LogConfig): IndexSettings {
  return { maxIndexBytes: config['segment.index.bytes'], indexIntervalBytes: config['index.interval.bytes'] };
}
