import path from 'node:path';
import { BATCH_HEADER, RecordBatchHeader } from '../protocol/records/batch-header.js';
import { decodeBatchRecords, recordOffset, recordTimestamp } from '../protocol/records/batch-records.js';
import { isNotFound, readFully, type FileHandle, type FileSystem } from '../util/file-system.js';
import { CURRENT_MAGIC, newHeaderScratch, readBatchHeader, scanBatches } from './batch-scan.js';
import type { FileSlice } from './file-slice.js';
import { INDEX_SUFFIX, LOG_SUFFIX, offsetFileName, TIME_INDEX_SUFFIX, TXN_INDEX_SUFFIX } from './file-names.js';
import { MAX_RELATIVE_OFFSET, OffsetIndex, type OffsetPosition } from './offset-index.js';
import type { CompletedTxn } from './producer-state/producer-append-info.js';
import { NO_TIMESTAMP, TimeIndex, type TimestampOffset } from './time-index.js';
import { CorruptTxnIndexError, TransactionIndex, type TxnIndexSearchResult } from './transaction-index.js';

/** The files of a segment, the log first (renames stop at the first failure, and only the log file must exist). */
const SEGMENT_FILE_KINDS = [LOG_SUFFIX, INDEX_SUFFIX, TIME_INDEX_SUFFIX, TXN_INDEX_SUFFIX];

/** Where a batch sits in its segment. */
export interface BatchLocation {
  readonly position: number;
  readonly size: number;
  readonly baseOffset: number;
  readonly lastOffset: number;
  readonly maxTimestamp: number;
}

export interface SegmentRecovery {
  /** Bytes cut off at the first invalid batch. */
  readonly truncatedBytes: number;
  /** Why the cut was made, or null when every batch was valid. */
  readonly problem: string | null;
}

/** Index settings of a segment (segment.index.bytes, index.interval.bytes). */
export interface IndexSettings {
  readonly maxIndexBytes: number;
  readonly indexIntervalBytes: number;
}

/** Bounds a recovered segment's batches must respect besides their own integrity. */
export interface RecoveryBounds {
  /** Batches must start at or after this offset. */
  readonly minOffset: number;
  /** Batches must end before this offset (the next segment's base offset). */
  readonly offsetLimit: number;
}

/**
 * One segment of a partition log: `<base offset>.log` holding batches exactly as appended, its
 * sparse offset index and its time index. The segment does not validate what it is given; the
 * log does that, and recovery re-checks everything it reads back.
 */
export class LogSegment {
  private bytes: number;
  private bytesSinceLastIndexEntry = 0;
  /** Largest batch timestamp and the last offset of its batch; null until read from the time index. */
  private maxTimestampOffset: TimestampOffset | null;
  /** Max timestamp of the first batch (segment.ms is measured from it); undefined until read. */
  private firstBatchTimestamp: number | undefined;
  private readonly scratch = newHeaderScratch();
  /** The header last read into `scratch`: an index check and the walk after it read the same batch. */
  private lastHeader: { position: number; header: RecordBatchHeader } | null = null;
  private closed = false;
  /** Something was written to the segment's files since its last flush. */
  private unsynced: boolean;

  readonly offsetIndex: OffsetIndex;
  readonly timeIndex: TimeIndex;
  readonly txnIndex: TransactionIndex;

  private constructor(
    private readonly fs: FileSystem,
    readonly dir: string,
    readonly baseOffset: number,
    private readonly file: FileHandle,
    private suffix: string,
    private readonly settings: IndexSettings,
    /** When the segment was created: the roll clock when it holds no timestamps. */
    readonly createdMs: number,
    /** Stand-in for the largest timestamp of a segment without any (retention). */
    public lastModifiedMs: number,
  ) {
    this.bytes = file.size();
    this.offsetIndex = new OffsetIndex(fs, this.filePath(INDEX_SUFFIX), baseOffset, settings.maxIndexBytes);
    this.timeIndex = new TimeIndex(fs, this.filePath(TIME_INDEX_SUFFIX), baseOffset, settings.maxIndexBytes);
    this.txnIndex = new TransactionIndex(fs, this.filePath(TXN_INDEX_SUFFIX), baseOffset);
    this.maxTimestampOffset = this.bytes === 0 ? { timestamp: NO_TIMESTAMP, offset: baseOffset } : null;
    this.firstBatchTimestamp = this.bytes === 0 ? NO_TIMESTAMP : undefined;
    this.unsynced = this.bytes === 0;
  }

  /** A new, empty segment; stale files with the same base offset are overwritten. */
  static create(fs: FileSystem, dir: string, baseOffset: number, settings: IndexSettings, now: number, suffix = ''): LogSegment {
    const file = fs.open(path.join(dir, offsetFileName(baseOffset, LOG_SUFFIX + suffix)), 'create');
    const segment = new LogSegment(fs, dir, baseOffset, file, suffix, settings, now, now);
    segment.offsetIndex.reset();
    segment.timeIndex.reset();
    segment.txnIndex.deleteStaleFile();
    return segment;
  }

  /** An existing segment; its indexes are loaded on first use. */
  static open(fs: FileSystem, dir: string, baseOffset: number, settings: IndexSettings, suffix = ''): LogSegment {
    const logPath = path.join(dir, offsetFileName(baseOffset, LOG_SUFFIX + suffix));
    const file = fs.open(logPath, 'readWrite');
    const { mtimeMs } = fs.stat(logPath);
    return new LogSegment(fs, dir, baseOffset, file, suffix, settings, mtimeMs, mtimeMs);
  }

  get size(): number {
    return this.bytes;
  }

  get isEmpty(): boolean {
    return this.bytes === 0;
  }

  private filePath(suffix: string): string {
    return path.join(this.dir, offsetFileName(this.baseOffset, suffix + this.suffix));
  }

  /** Loads the indexes if needed; an index that is missing or inconsistent is rebuilt from the log. */
  ensureIndexes(): void {
    if (this.offsetIndex.isLoaded && this.timeIndex.isLoaded) return;
    const loaded = this.offsetIndex.load() && this.timeIndex.load();
    if (!loaded || !this.indexesConsistent()) this.rebuildIndexes();
  }

  private rebuildIndexes(): void {
    this.recover({ minOffset: this.baseOffset, offsetLimit: Infinity });
  }

  /**
   * Entries in order and inside the segment, the last offset entry naming the batch at its
   * position, and no time index entry past the last batch. Entries in between are checked when
   * a lookup lands on them (see `indexedPosition`).
   */
  private indexesConsistent(): boolean {
    const offsetLimit = this.baseOffset + MAX_RELATIVE_OFFSET + 1;
    if (!this.offsetIndex.isConsistentWith(this.bytes, offsetLimit)) return false;
    const n = this.offsetIndex.entryCount;
    let position = 0;
    if (n > 0) {
      position = this.offsetIndex.positionAt(n - 1);
      if (this.headerAt(position)?.lastOffset !== this.offsetIndex.offsetAt(n - 1)) return false;
    }
    let nextOffset = this.baseOffset;
    for (let header = this.headerAt(position); header !== null; header = this.headerAt(position)) {
      nextOffset = header.lastOffset + 1;
      position += header.sizeInBytes;
    }
    return position === this.bytes && this.timeIndex.isConsistentWith(nextOffset);
  }

  /** The header of the batch at `position`, or null past the end or where no plausible batch starts. */
  private headerAt(position: number): RecordBatchHeader | null {
    if (position >= this.bytes) return null;
    if (this.lastHeader?.position === position) return this.lastHeader.header;
    const header = readBatchHeader(this.file, position, this.scratch);
    this.lastHeader = null;
    if (header === null || header.magic !== CURRENT_MAGIC || header.sizeInBytes < BATCH_HEADER.size) return null;
    if (position + header.sizeInBytes > this.bytes) return null;
    this.lastHeader = { position, header };
    return header;
  }

  /**
   * The file position of an index entry, after checking that the batch there is the one the
   * entry names; a stale or corrupt index is rebuilt and the search starts from the beginning.
   */
  private indexedPosition(entry: OffsetPosition): number {
    if (entry.position === 0) return 0;
    if (this.headerAt(entry.position)?.lastOffset === entry.offset) return entry.position;
    this.rebuildIndexes();
    return 0;
  }

  /** Drops the in-memory indexes of a segment that is no longer written (they reload on use). */
  releaseIndexes(): void {
    if (!this.offsetIndex.isLoaded) return;
    this.persistIndexes();
    this.offsetIndex.release();
    this.timeIndex.release();
    this.txnIndex.release();
  }

  /**
   * Records a transaction that an ABORT marker in this segment ended, with the last stable offset
   * at the time (Kafka's updateTxnIndex); commits are not indexed. Returns whether the
   * `.txnindex` file was created.
   */
  updateTxnIndex(txn: CompletedTxn, lastStableOffset: number): boolean {
    if (!txn.isAborted) return false;
    this.unsynced = true;
    return this.txnIndex.append({ producerId: txn.producerId, firstOffset: txn.firstOffset, lastOffset: txn.lastOffset, lastStableOffset });
  }

  /** The aborted transactions of this segment's index that overlap [fetchOffset, upperBoundOffset). */
  collectAbortedTxns(fetchOffset: number, upperBoundOffset: number): TxnIndexSearchResult {
    return this.txnIndex.collectAbortedTxns(fetchOffset, upperBoundOffset);
  }

  /**
   * The offset following the last whole batch of a read that starts at `position` and spans
   * `size` bytes: the base offset of the next batch, or null when the read reaches the segment
   * end (Kafka's fetchUpperBoundOffset, exact rather than from the index).
   */
  offsetAfter(position: number, size: number): number | null {
    return this.headerAt(position + size)?.baseOffset ?? null;
  }

  /**
   * Writes `data`, the bytes of `batches` (views into it) whose offsets the log has assigned;
   * the indexes follow every index interval.
   */
  append(data: Buffer, batches: readonly RecordBatchHeader[], now: number): void {
    this.ensureIndexes();
    let position = this.bytes;
    try {
      this.file.write(data, position);
    } catch (err) {
      this.cutPartialWrite(position);
      throw err;
    }
    this.bytes += data.length;
    this.unsynced = true;
    this.lastModifiedMs = now;
    if (this.firstBatchTimestamp === NO_TIMESTAMP && position === 0) this.firstBatchTimestamp = batches[0].maxTimestamp;
    const max = this.maxTimestampSoFar();
    let maxTimestamp = max.timestamp;
    let maxTimestampOffset = max.offset;
    for (const batch of batches) {
      const lastOffset = batch.lastOffset;
      const batchMaxTimestamp = batch.maxTimestamp;
      const size = batch.sizeInBytes;
      if (batchMaxTimestamp > maxTimestamp) {
        maxTimestamp = batchMaxTimestamp;
        maxTimestampOffset = lastOffset;
      }
      if (this.bytesSinceLastIndexEntry > this.settings.indexIntervalBytes && this.indexesHaveRoom()) {
        this.offsetIndex.append(lastOffset, position);
        this.timeIndex.maybeAppend(maxTimestamp, maxTimestampOffset);
        this.bytesSinceLastIndexEntry = 0;
      }
      position += size;
      this.bytesSinceLastIndexEntry += size;
    }
    this.maxTimestampOffset = { timestamp: maxTimestamp, offset: maxTimestampOffset };
  }

  /** After a failed write, tries to remove whatever part of it reached the file. */
  private cutPartialWrite(size: number): void {
    try {
      this.file.truncate(size);
    } catch {
      // The directory goes offline; recovery cuts the torn bytes on the next start.
    }
  }

  /** Largest batch timestamp in the segment (NO_TIMESTAMP if none) and the last offset of its batch. */
  maxTimestampSoFar(): TimestampOffset {
    if (this.maxTimestampOffset === null && !this.timeIndex.isLoaded) {
      this.maxTimestampOffset = this.timeIndex.readLastEntry();
    }
    if (this.maxTimestampOffset === null) {
      this.ensureIndexes();
      this.maxTimestampOffset ??= this.timeIndex.lastEntry;
    }
    return this.maxTimestampOffset;
  }

  /** The largest timestamp, or the last modification time for a segment without timestamps (Kafka's rule). */
  get largestTimestamp(): number {
    const { timestamp } = this.maxTimestampSoFar();
    return timestamp >= 0 ? timestamp : this.lastModifiedMs;
  }

  /** Max timestamp of the first batch, NO_TIMESTAMP when empty or unknown. */
  firstBatchMaxTimestamp(): number {
    this.firstBatchTimestamp ??= this.headerAt(0)?.maxTimestamp ?? NO_TIMESTAMP;
    return this.firstBatchTimestamp;
  }

  /** How long the segment has been open for segment.ms: from its first batch's timestamp, else its creation. */
  timeWaitedForRoll(now: number, incomingMaxTimestamp: number): number {
    const first = this.firstBatchMaxTimestamp();
    return first >= 0 ? incomingMaxTimestamp - first : now - this.createdMs;
  }

  get indexesFull(): boolean {
    this.ensureIndexes();
    return !this.indexesHaveRoom();
  }

  /**
   * Logs roll before an index fills, but a cleaned segment or a smaller segment.index.bytes
   * can meet a full index; the index then just stays sparser.
   */
  private indexesHaveRoom(): boolean {
    return !this.offsetIndex.isFull && !this.timeIndex.isFull;
  }

  /** The first batch ending at or after `offset`. */
  translateOffset(offset: number): BatchLocation | null {
    this.ensureIndexes();
    // A sequential reader asks for the batch whose header the previous read stopped at.
    const last = this.lastHeader;
    if (last !== null && last.header.baseOffset <= offset && last.header.lastOffset >= offset) {
      return locationOf(last.header, last.position);
    }
    let position = this.indexedPosition(this.offsetIndex.lookup(offset));
    for (let header = this.headerAt(position); header !== null; header = this.headerAt(position)) {
      if (header.lastOffset >= offset) return locationOf(header, position);
      position += header.sizeInBytes;
    }
    return null;
  }

  /**
   * Whole batches from the one holding `startOffset`, at most `maxBytes` of them and none at or
   * past `maxPosition`; with `minOneBatch`, the first batch even if it alone exceeds `maxBytes`.
   * Null when no batch in the segment ends at or after `startOffset`.
   */
  read(startOffset: number, maxBytes: number, maxPosition: number, minOneBatch: boolean): FileSlice | null {
    const first = this.translateOffset(startOffset);
    if (first === null) return null;
    const limit = Math.min(maxPosition, this.bytes);
    if (first.position >= limit) return { file: this.file, position: first.position, size: 0 };
    const byteLimit = Math.min(limit, first.position + maxBytes);
    let end: number;
    if (first.position + first.size > byteLimit) {
      end = minOneBatch ? first.position + first.size : first.position;
    } else {
      end = this.lastBatchEndWithin(first.position + first.size, byteLimit);
    }
    return { file: this.file, position: first.position, size: end - first.position };
  }

  /** The end of the last whole batch between `from` (a batch boundary) and `limit`. */
  private lastBatchEndWithin(from: number, limit: number): number {
    const entry = this.offsetIndex.lookupByPosition(limit);
    let position = entry.position > from ? Math.max(from, this.indexedPosition(entry)) : from;
    for (let header = this.headerAt(position); header !== null; header = this.headerAt(position)) {
      if (position + header.sizeInBytes > limit) break;
      position += header.sizeInBytes;
    }
    return position;
  }

  /**
   * The first record at or after `startingOffset` whose timestamp reaches `timestamp`, found
   * through the time index and then by decoding the batches that may hold it (Kafka's
   * findOffsetByTimestamp).
   */
  findOffsetByTimestamp(timestamp: number, startingOffset: number): TimestampOffset | null {
    this.ensureIndexes();
    const indexed = this.timeIndex.lookup(timestamp);
    let position = this.indexedPosition(this.offsetIndex.lookup(Math.max(indexed.offset, startingOffset)));
    for (let header = this.headerAt(position); header !== null; header = this.headerAt(position)) {
      const size = header.sizeInBytes;
      if (header.maxTimestamp >= timestamp && header.lastOffset >= startingOffset) {
        const found = this.firstRecordWhere(position, (t, o) => t >= timestamp && o >= startingOffset);
        if (found !== null) return found;
      }
      position += size;
    }
    return null;
  }

  /** The first record with the segment's largest timestamp (ListOffsets MAX_TIMESTAMP, KIP-734). */
  findMaxTimestampRecord(): TimestampOffset | null {
    const max = this.maxTimestampSoFar();
    if (max.timestamp === NO_TIMESTAMP) return null;
    const batch = this.translateOffset(max.offset);
    if (batch === null) return null;
    return this.firstRecordWhere(batch.position, (t) => t === max.timestamp) ?? { timestamp: max.timestamp, offset: batch.lastOffset };
  }

  private firstRecordWhere(position: number, matches: (timestamp: number, offset: number) => boolean): TimestampOffset | null {
    const bytes = this.batchAt(position);
    if (bytes === null) return null;
    const batch = new RecordBatchHeader(bytes);
    for (const record of decodeBatchRecords(batch)) {
      const timestamp = recordTimestamp(batch, record);
      const offset = recordOffset(batch, record);
      if (matches(timestamp, offset)) return { timestamp, offset };
    }
    return null;
  }

  /** The whole batch starting at `position` (a batch boundary), or null at the end of the segment. */
  batchAt(position: number): Buffer | null {
    const header = this.headerAt(position);
    if (header === null) return null;
    const bytes = Buffer.allocUnsafe(header.sizeInBytes);
    return bytes.subarray(0, readFully(this.file, bytes, 0, bytes.length, position));
  }

  /** The offset after the last batch, or the base offset when empty. */
  readNextOffset(): number {
    this.ensureIndexes();
    let position = this.indexedPosition(this.offsetIndex.lookupByPosition(this.bytes));
    let next = this.baseOffset;
    for (let header = this.headerAt(position); header !== null; header = this.headerAt(position)) {
      next = header.lastOffset + 1;
      position += header.sizeInBytes;
    }
    return next;
  }

  /**
   * Re-reads every batch, checking its integrity and offsets, rebuilds both indexes and cuts the
   * file at the first batch that fails (a torn or corrupt write); nothing before it is lost.
   */
  recover(bounds: RecoveryBounds, onBatch?: (batch: RecordBatchHeader) => void): SegmentRecovery {
    this.unsynced = true;
    this.lastHeader = null;
    this.offsetIndex.reset();
    this.timeIndex.reset();
    this.bytesSinceLastIndexEntry = 0;
    let maxTimestamp = NO_TIMESTAMP;
    let maxTimestampOffset = this.baseOffset;
    let nextOffset = Math.max(bounds.minOffset, this.baseOffset);
    let firstTimestamp = NO_TIMESTAMP;
    let offsetProblem: string | null = null;
    const scan = scanBatches(this.file, 0, this.bytes, true, (batch, position) => {
      const lastOffset = batch.lastOffset;
      if (batch.baseOffset < nextOffset) {
        offsetProblem = `batch at offset ${batch.baseOffset} does not follow offset ${nextOffset - 1}`;
      } else if (lastOffset >= bounds.offsetLimit || lastOffset - this.baseOffset > MAX_RELATIVE_OFFSET) {
        offsetProblem = `batch ending at offset ${lastOffset} is outside the segment`;
      }
      if (offsetProblem !== null) return false;
      if (position === 0) firstTimestamp = batch.maxTimestamp;
      if (batch.maxTimestamp > maxTimestamp) {
        maxTimestamp = batch.maxTimestamp;
        maxTimestampOffset = lastOffset;
      }
      if (this.bytesSinceLastIndexEntry > this.settings.indexIntervalBytes && this.indexesHaveRoom()) {
        this.offsetIndex.append(lastOffset, position);
        this.timeIndex.maybeAppend(maxTimestamp, maxTimestampOffset);
        this.bytesSinceLastIndexEntry = 0;
      }
      this.bytesSinceLastIndexEntry += batch.sizeInBytes;
      nextOffset = lastOffset + 1;
      onBatch?.(batch);
    });
    const truncatedBytes = this.bytes - scan.end;
    if (truncatedBytes > 0) {
      this.file.truncate(scan.end);
      this.bytes = scan.end;
    }
    this.maxTimestampOffset = { timestamp: maxTimestamp, offset: maxTimestampOffset };
    this.firstBatchTimestamp = firstTimestamp;
    return { truncatedBytes, problem: scan.problem ?? offsetProblem };
  }

  /** Removes the batches ending at or after `offset`; returns the bytes removed. */
  truncateTo(offset: number, now: number): number {
    const cut = this.translateOffset(offset);
    if (cut === null) return 0;
    this.offsetIndex.truncateTo(offset);
    this.timeIndex.truncateTo(offset);
    try {
      this.txnIndex.truncateTo(offset);
    } catch (err) {
      // An unreadable index stays as it is: its next use finds it corrupt and the log rebuilds it.
      if (!(err instanceof CorruptTxnIndexError)) throw err;
    }
    const removed = this.bytes - cut.position;
    this.unsynced = true;
    this.lastHeader = null;
    this.file.truncate(cut.position);
    this.bytes = cut.position;
    this.bytesSinceLastIndexEntry = this.bytes - this.offsetIndex.lookupByPosition(this.bytes).position;
    this.maxTimestampOffset = this.rescanMaxTimestamp();
    if (this.bytes === 0) {
      this.firstBatchTimestamp = NO_TIMESTAMP;
      this.lastModifiedMs = now;
    }
    return removed;
  }

  /** The time index's last entry covers the segment up to its batch; batches after it are read. */
  private rescanMaxTimestamp(): TimestampOffset {
    let best = this.timeIndex.lastEntry;
    let position = this.indexedPosition(this.offsetIndex.lookup(best.offset));
    for (let header = this.headerAt(position); header !== null; header = this.headerAt(position)) {
      if (header.maxTimestamp > best.timestamp) best = { timestamp: header.maxTimestamp, offset: header.lastOffset };
      position += header.sizeInBytes;
    }
    return best;
  }

  /** The segment stops being written: its final time index entry is added and indexes written out. */
  onBecomeInactive(): void {
    this.ensureIndexes();
    const max = this.maxTimestampSoFar();
    if (max.timestamp !== NO_TIMESTAMP) this.timeIndex.maybeAppend(max.timestamp, max.offset, true);
    this.persistIndexes();
  }

  private persistIndexes(): void {
    const wroteOffsets = this.offsetIndex.persist();
    const wroteTimes = this.timeIndex.persist();
    if (wroteOffsets || wroteTimes) this.unsynced = true;
  }

  /** Whether a flush has anything to make durable. */
  get needsFlush(): boolean {
    return (this.unsynced || this.txnIndex.needsFlush) && !this.closed;
  }

  /** Writes out the indexes and makes the segment's files durable. */
  async flush(): Promise<void> {
    if (!this.needsFlush) return;
    this.persistIndexes();
    this.unsynced = false;
    try {
      await Promise.all([this.file.sync(), this.offsetIndex.sync(), this.timeIndex.sync(), this.txnIndex.flush()]);
    } catch (err) {
      this.unsynced = true;
      throw err;
    }
  }

  /** Renames the segment's files from one suffix to another (`.deleted`, `.cleaned`, `.swap`). */
  changeSuffix(newSuffix: string): void {
    for (const kind of SEGMENT_FILE_KINDS) {
      const from = this.filePath(kind);
      const to = path.join(this.dir, offsetFileName(this.baseOffset, kind + newSuffix));
      try {
        this.fs.rename(from, to);
      } catch (err) {
        if (!(isNotFound(err) && kind !== LOG_SUFFIX)) throw err;
      }
    }
    this.suffix = newSuffix;
    this.offsetIndex.renamed(this.filePath(INDEX_SUFFIX));
    this.timeIndex.renamed(this.filePath(TIME_INDEX_SUFFIX));
    this.txnIndex.renamed(this.filePath(TXN_INDEX_SUFFIX));
  }

  /** Closes the files; an active segment first gets its final time index entry and indexes written. */
  close(): void {
    if (this.closed) return;
    if (this.offsetIndex.isLoaded) this.onBecomeInactive();
    this.closeHandles();
  }

  /** Closes and removes the segment's files. */
  deleteFiles(): void {
    this.closeHandles();
    for (const kind of SEGMENT_FILE_KINDS) {
      try {
        this.fs.unlink(this.filePath(kind));
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
  }

  /** Closes the files without writing anything more to them. */
  closeHandles(): void {
    if (this.closed) return;
    this.closed = true;
    this.offsetIndex.closeFile();
    this.timeIndex.closeFile();
    this.txnIndex.closeFile();
    this.file.close();
  }

  /** The file handle, for slices and the cleaner. */
  get handle(): FileHandle {
    return this.file;
  }
}

function locationOf(header: RecordBatchHeader, position: number): BatchLocation {
  return {
    position,
    size: header.sizeInBytes,
    baseOffset: header.baseOffset,
    lastOffset: header.lastOffset,
    maxTimestamp: header.maxTimestamp,
  };
}
