import { RecordBatchHeader } from '../../protocol/records/batch-header.js';
import type { LogSegment } from '../log-segment.js';
import { MAX_RELATIVE_OFFSET } from '../offset-index.js';
import type { PartitionLog } from '../partition-log.js';
import { filterBatch, keyedRecords } from './batch-filter.js';
import type { CleanableRange } from './cleanable-range.js';
import { CleanedTransactions } from './cleaned-transactions.js';
import type { OffsetMap } from './offset-map.js';

export type JobStatus = 'working' | 'swap' | 'done' | 'aborted';

interface Cursor {
  segment: number;
  position: number;
}

/**
 * One cleaning of one log (Kafka's Cleaner.doClean), split into bounded steps so that appends
 * and fetches keep running in between:
 *  1. map: read the dirty segments and record the last offset of every key;
 *  2. clean: copy each group of segments (from the log start up to where the map ends) into a
 *     `.cleaned` segment, keeping only the latest record of each key (tombstones until
 *     delete.retention.ms has passed, measured as Kafka does from the last clean segment);
 *  3. swap: the log replaces the group with the cleaned segment (PartitionLog.replaceSegments).
 * Offsets never change. If the log is truncated or loses segments to retention meanwhile, the
 * job aborts and leaves the log as it was.
 *
 * Transactions, as Kafka's cleaner: the records of aborted transactions do not enter the map and
 * are removed; markers go once their transaction has no batch left and delete.retention.ms has
 * passed (so at the earliest in the cleaning after the one that removed the data); the batch
 * holding each active producer's last sequence (or its last marker) is kept, empty if need be,
 * so that producer state survives; ABORT markers kept with data of their transaction keep their
 * `.txnindex` entry in the cleaned segment.
 */
export class CleaningJob {
  private status: JobStatus = 'working';
  private readonly truncationCount: number;
  private readonly dirtySegments: readonly LogSegment[];
  private readonly deleteHorizonMs: number;
  private cursor: Cursor = { segment: 0, position: 0 };
  /** Where the map stops: records from here on are kept as they are. */
  private endOffset: number | null = null;
  private groups: LogSegment[][] = [];
  private group = 0;
  private cleaned: LogSegment | null = null;
  /** Transactions met while mapping: aborted records do not enter the map. */
  private readonly mapTransactions = new CleanedTransactions();
  /** Transactions met while cleaning, carried from group to group (Kafka's CleanedTransactionMetadata). */
  private readonly cleanTransactions = new CleanedTransactions();
  /** Each active producer's last data offset (-1: none) and epoch, taken when a group starts. */
  private lastRecordsOfProducers = new Map<number, { lastDataOffset: number; producerEpoch: number }>();

  constructor(
    readonly log: PartitionLog,
    readonly range: CleanableRange,
    private readonly map: OffsetMap,
  ) {
    this.truncationCount = log.truncationCount;
    const segments = log.segmentList;
    this.dirtySegments = segments.filter(
      (s, i) => s.baseOffset < range.firstUncleanableOffset && segments[i + 1].baseOffset > range.firstDirtyOffset,
    );
    const lastClean = segments.filter((s, i) => segments[i + 1]?.baseOffset <= range.firstDirtyOffset).pop();
    this.deleteHorizonMs = (lastClean?.lastModifiedMs ?? 0) - log.config['delete.retention.ms'];
  }

  /** The offset the next cleaning starts from once this one has completed. */
  get cleanedUpTo(): number {
    return this.endOffset ?? this.range.firstDirtyOffset;
  }

  /** Does about `budgetBytes` of reading and writing; 'swap' asks for `swap()` next. */
  advance(budgetBytes: number, now: number): JobStatus {
    if (this.status !== 'working') return this.status;
    if (this.logChanged()) return this.abort();
    let spent = 0;
    while (spent < budgetBytes && this.status === 'working') {
      spent += this.endOffset === null ? this.mapStep() : this.cleanStep(now);
    }
    return this.status;
  }

  /** Hands the cleaned segment of the current group to the log. */
  async swap(now: number): Promise<JobStatus> {
    if (this.status !== 'swap' || this.cleaned === null) return this.status;
    const cleaned = this.cleaned;
    this.cleaned = null;
    const swapped = await this.log.replaceSegments(cleaned, this.groups[this.group], this.truncationCount, now);
    if (!swapped) return this.abort();
    this.group++;
    this.cursor = { segment: 0, position: 0 };
    this.status = this.group < this.groups.length ? 'working' : 'done';
    return this.status;
  }

  /** Stops the job and removes its unfinished cleaned segment. */
  abort(): JobStatus {
    this.cleaned?.deleteFiles();
    this.cleaned = null;
    this.status = 'aborted';
    return this.status;
  }

  private logChanged(): boolean {
    const live = this.log.segmentList;
    const used = this.endOffset === null ? this.dirtySegments : this.groups.slice(this.group).flat();
    return this.log.truncationCount !== this.truncationCount || used.some((s) => !live.includes(s));
  }

  /** Reads one dirty batch into the map; returns the bytes read. */
  private mapStep(): number {
    if (this.cursor.segment === 0 && this.cursor.position === 0) {
      this.mapTransactions.addAbortedTransactions(this.log.collectAbortedTransactions(this.range.firstDirtyOffset, this.range.firstUncleanableOffset));
    }
    const segment = this.dirtySegments[this.cursor.segment];
    if (segment === undefined) {
      this.finishMap(this.range.firstUncleanableOffset);
      return 0;
    }
    const bytes = segment.batchAt(this.cursor.position);
    if (bytes === null) {
      this.cursor = { segment: this.cursor.segment + 1, position: 0 };
      return 0;
    }
    const batch = new RecordBatchHeader(bytes);
    const aborted = batch.isControl ? (this.mapTransactions.onControlBatchRead(batch), false) : this.mapTransactions.onBatchRead(batch);
    if (batch.lastOffset >= this.range.firstDirtyOffset && !aborted) {
      const keyed = keyedRecords(batch).filter((r) => r.offset >= this.range.firstDirtyOffset);
      // Stop before a batch that would overflow the map, unless nothing would get cleaned at all.
      if (this.map.wouldOverflow(keyed.length) && this.map.size > 0) {
        this.finishMap(batch.baseOffset);
        return bytes.length;
      }
      for (const r of keyed) this.map.put(r.key, r.offset);
    }
    this.cursor.position += bytes.length;
    return bytes.length;
  }

  /**
   * Groups the segments below `endOffset`, from the log start, so that each group fits one
   * segment (segment.bytes, index sizes, int32 relative offsets), as Kafka's groupSegmentsBySize.
   */
  private finishMap(endOffset: number): void {
    this.endOffset = endOffset;
    const config = this.log.config;
    const segments = this.log.segmentList;
    const maxIndexEntries = Math.floor(config['segment.index.bytes'] / 8);
    const candidates = segments.filter((s, i) => s.baseOffset < endOffset && i + 1 < segments.length);
    let current: LogSegment[] = [];
    let size = 0;
    let indexEntries = 0;
    for (const s of candidates) {
      const next = segments[segments.indexOf(s) + 1];
      const entries = Math.ceil(s.size / Math.max(1, config['index.interval.bytes']));
      const fits =
        current.length > 0 &&
        size + s.size <= config['segment.bytes'] &&
        indexEntries + entries <= maxIndexEntries &&
        next.baseOffset - 1 - current[0].baseOffset <= MAX_RELATIVE_OFFSET;
      if (!fits && current.length > 0) {
        this.groups.push(current);
        current = [];
        size = 0;
        indexEntries = 0;
      }
      current.push(s);
      size += s.size;
      indexEntries += entries;
    }
    if (current.length > 0) this.groups.push(current);
    this.cursor = { segment: 0, position: 0 };
    this.status = this.groups.length > 0 ? 'working' : 'done';
  }

  /** Filters one batch of the current group into the cleaned segment; returns the bytes read. */
  private cleanStep(now: number): number {
    const group = this.groups[this.group];
    const segment = group[this.cursor.segment];
    if (this.cleaned === null) {
      const cleaned = this.log.createCleanedSegment(group[0].baseOffset, now);
      this.cleaned = cleaned;
      this.cleanTransactions.onRetainedAbort = (txn) => cleaned.txnIndex.append(txn);
      this.lastRecordsOfProducers = new Map(
        [...this.log.producerState.activeProducers()].map(([id, entry]) => [id, { lastDataOffset: entry.lastDataOffset, producerEpoch: entry.producerEpoch }]),
      );
    }
    if (this.cursor.position === 0) {
      // The aborted transactions overlapping the segment, from the whole log's txn indexes.
      const segments = this.log.segmentList;
      const upperBound = segments[segments.indexOf(segment) + 1]?.baseOffset ?? this.log.logEndOffset;
      this.cleanTransactions.addAbortedTransactions(this.log.collectAbortedTransactions(segment.baseOffset, upperBound));
    }
    const bytes = segment.batchAt(this.cursor.position);
    if (bytes === null) {
      if (this.cursor.segment + 1 < group.length) {
        this.cursor = { segment: this.cursor.segment + 1, position: 0 };
      } else {
        this.status = 'swap';
      }
      return 0;
    }
    this.cursor.position += bytes.length;
    const batch = new RecordBatchHeader(bytes);
    const lastOfGroup = this.cursor.segment === group.length - 1 && this.cursor.position === segment.size;
    const retainDeletes = segment.lastModifiedMs > this.deleteHorizonMs;
    const endOffset = this.endOffset!;
    const canDiscard = batch.isControl ? this.cleanTransactions.onControlBatchRead(batch) : this.cleanTransactions.onBatchRead(batch);
    // Markers are kept for delete.retention.ms, as tombstones are.
    const discardAll = batch.isControl ? canDiscard && !retainDeletes : canDiscard;
    const result = filterBatch(
      batch,
      (offset, key, isTombstone) => {
        if (offset >= endOffset) return true;
        if (key === null) return false;
        return offset >= this.map.get(key) && (retainDeletes || !isTombstone);
      },
      lastOfGroup || this.isLastOfProducer(batch),
      discardAll,
    );
    if (result.kind !== 'removed') {
      const kept = result.kind === 'unchanged' ? bytes : result.bytes;
      this.cleaned.append(kept, [new RecordBatchHeader(kept)], now);
    }
    return bytes.length;
  }

  /**
   * The batch an active producer's state rests on (Kafka's isBatchLastRecordOfProducer): the one
   * holding its last data offset, or, when its last entry is a marker, a marker of its epoch.
   */
  private isLastOfProducer(batch: RecordBatchHeader): boolean {
    if (batch.producerId < 0) return false;
    const last = this.lastRecordsOfProducers.get(batch.producerId);
    if (last === undefined) return false;
    return last.lastDataOffset >= 0 ? batch.lastOffset === last.lastDataOffset : batch.isControl && batch.producerEpoch === last.producerEpoch;
  }
}
