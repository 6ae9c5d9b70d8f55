import { NO_PRODUCER_ID } from './constants.js';
import { CorruptSnapshotError } from './errors.js';
import { type CompletedTxn, type ProducerAppendOrigin, ProducerAppendInfo } from './producer-append-info.js';
import { NO_TXN, ProducerStateEntry } from './producer-state-entry.js';
import { decodeSnapshot, encodeSnapshot } from './snapshot-format.js';

/**
 * Where a partition's producer snapshots live: `<offset>.snapshot` files, some possibly still
 * in memory waiting for the next flush. Reads and deletions are synchronous.
 */
export interface SnapshotStore {
  /** Offsets of the snapshots, ascending. */
  offsets(): number[];
  read(offset: number): Buffer;
  /** Records a snapshot; it becomes durable at the log's next flush. */
  write(offset: number, bytes: Buffer): void;
  delete(offset: number): void;
}

export interface ProducerStateConfig {
  /** producer.id.expiration.ms, read when it is needed (it is a dynamic broker config). */
  readonly producerIdExpirationMs: () => number;
}

/** A snapshot that could not be used, for the log's recovery report. */
export interface SnapshotProblem {
  readonly offset: number;
  readonly problem: string;
}

/**
 * A partition's producer state (Kafka's ProducerStateManager): per producer id its epoch and last
 * batches, the transactions open on the partition, and the snapshots of that state on disk. The
 * state covers the log up to `mapEndOffset`; snapshots are taken at segment rolls and on close,
 * and loading starts from the newest intact one. No clock, no awaits: time comes in as `now`.
 */
export class ProducerStateManager {
  private readonly producers = new Map<number, ProducerStateEntry>();
  /** First offset of each open transaction -> its producer id. */
  private readonly ongoingTxns = new Map<number, number>();
  /**
   * Transactions whose marker is written but not yet below the high watermark, by first offset:
   * they still hold the last stable offset back (Kafka's unreplicatedTxns).
   */
  private readonly unreplicatedTxns = new Map<number, CompletedTxn>();
  private lastMapOffset = 0;
  private lastSnapOffset = 0;
  readonly snapshotProblems: SnapshotProblem[] = [];

  constructor(
    readonly partitionName: string,
    private readonly store: SnapshotStore,
    readonly config: ProducerStateConfig,
  ) {}

  /** The log offset the state reflects everything before. */
  get mapEndOffset(): number {
    return this.lastMapOffset;
  }

  updateMapEndOffset(offset: number): void {
    this.lastMapOffset = offset;
  }

  get isEmpty(): boolean {
    return this.producers.size === 0;
  }

  get producerIdCount(): number {
    return this.producers.size;
  }

  activeProducers(): ReadonlyMap<number, ProducerStateEntry> {
    return this.producers;
  }

  lastEntry(producerId: number): ProducerStateEntry | undefined {
    return this.producers.get(producerId);
  }

  /** The first offset of the earliest open transaction, or null: it does not depend on replication. */
  firstUndecidedOffset(): number | null {
    let first: number | null = null;
    for (const offset of this.ongoingTxns.keys()) if (first === null || offset < first) first = offset;
    return first;
  }

  /**
   * The first offset of the earliest transaction that is open, or whose marker the high watermark
   * does not cover yet (Kafka's firstUnstableOffset); null when there is none. The last stable
   * offset is the smaller of this and the high watermark.
   */
  firstUnstableOffset(): number | null {
    let first = this.firstUndecidedOffset();
    for (const offset of this.unreplicatedTxns.keys()) if (first === null || offset < first) first = offset;
    return first;
  }

  /** Open transactions, first offset -> producer id (DescribeTransactions-style inspection and tests). */
  ongoingTransactions(): ReadonlyMap<number, number> {
    return this.ongoingTxns;
  }

  /**
   * The last stable offset to record with a transaction a marker completes (Kafka's
   * lastStableOffset(CompletedTxn)): the first offset of the earliest transaction of another
   * producer still open, else the offset after the marker.
   */
  lastStableOffset(txn: CompletedTxn): number {
    let first: number | null = null;
    for (const [offset, producerId] of this.ongoingTxns) {
      if (producerId !== txn.producerId && (first === null || offset < first)) first = offset;
    }
    return first ?? txn.lastOffset + 1;
  }

  /** Transactions whose marker is now below the high watermark no longer hold the last stable offset back. */
  onHighWatermarkUpdated(highWatermark: number): void {
    this.removeUnreplicatedTransactions(highWatermark);
  }

  private removeUnreplicatedTransactions(offset: number): void {
    for (const [firstOffset, txn] of this.unreplicatedTxns) if (txn.lastOffset < offset) this.unreplicatedTxns.delete(firstOffset);
  }

  prepareUpdate(producerId: number, origin: ProducerAppendOrigin): ProducerAppendInfo {
    const current = this.producers.get(producerId) ?? ProducerStateEntry.empty(producerId);
    return new ProducerAppendInfo(this.partitionName, producerId, current, origin);
  }

  /** Applies an append's accumulated state once the append is written. */
  update(info: ProducerAppendInfo): void {
    if (info.producerId === NO_PRODUCER_ID) throw new Error(`invalid producer id ${info.producerId} for ${this.partitionName}`);
    const updated = info.toEntry();
    const current = this.producers.get(info.producerId);
    if (current !== undefined) current.update(updated);
    else this.producers.set(info.producerId, updated);
    for (const firstOffset of info.startedTransactions) this.ongoingTxns.set(firstOffset, info.producerId);
  }

  /** A marker closed the transaction: it stays unstable until the high watermark passes its marker. */
  completeTxn(txn: CompletedTxn): void {
    if (!this.ongoingTxns.delete(txn.firstOffset)) return;
    this.unreplicatedTxns.set(txn.firstOffset, txn);
  }

  private isExpired(now: number, entry: ProducerStateEntry, expirationMs: number): boolean {
    return entry.currentTxnFirstOffset === NO_TXN && now - entry.lastTimestamp >= expirationMs;
  }

  /** Forgets producers idle for producer.id.expiration.ms (those with an open transaction stay). */
  removeExpiredProducers(now: number): number {
    let removed = 0;
    const expirationMs = this.config.producerIdExpirationMs();
    for (const [producerId, entry] of this.producers) {
      if (this.isExpired(now, entry, expirationMs)) {
        this.producers.delete(producerId);
        removed++;
      }
    }
    return removed;
  }

  private loadProducerEntry(entry: ProducerStateEntry): void {
    this.producers.set(entry.producerId, entry);
    if (entry.currentTxnFirstOffset !== NO_TXN) this.ongoingTxns.set(entry.currentTxnFirstOffset, entry.producerId);
  }

  private clear(): void {
    this.producers.clear();
    this.ongoingTxns.clear();
    this.unreplicatedTxns.clear();
  }

  /** Writes a snapshot at the map end offset unless one exists there already. Returns whether it did. */
  takeSnapshot(): boolean {
    if (this.lastMapOffset <= this.lastSnapOffset) return false;
    this.store.write(this.lastMapOffset, encodeSnapshot(this.producers.values()));
    this.lastSnapOffset = this.lastMapOffset;
    return true;
  }

  latestSnapshotOffset(): number | null {
    const offsets = this.store.offsets();
    return offsets.length === 0 ? null : offsets[offsets.length - 1];
  }

  /** Loads the newest intact snapshot (deleting corrupt ones), or starts empty at the log start. */
  private loadFromSnapshot(logStartOffset: number, now: number): void {
    for (;;) {
      const offset = this.latestSnapshotOffset();
      if (offset === null) {
        this.lastSnapOffset = logStartOffset;
        this.lastMapOffset = logStartOffset;
        return;
      }
      try {
        const expirationMs = this.config.producerIdExpirationMs();
        for (const entry of decodeSnapshot(this.store.read(offset))) {
          if (!this.isExpired(now, entry, expirationMs)) this.loadProducerEntry(entry);
        }
        this.lastSnapOffset = offset;
        this.lastMapOffset = offset;
        return;
      } catch (err) {
        if (!(err instanceof CorruptSnapshotError)) throw err;
        this.clear();
        this.snapshotProblems.push({ offset, problem: err.message });
        this.store.delete(offset);
      }
    }
  }

  /**
   * Drops the snapshots outside (log start, log end] and, unless the state already ends at the
   * log end, reloads it from the newest remaining snapshot; the caller replays the log from
   * `mapEndOffset` to the log end.
   */
  truncateAndReload(logStartOffset: number, logEndOffset: number, now: number): void {
    for (const offset of this.store.offsets()) {
      if (offset > logEndOffset || offset <= logStartOffset) this.store.delete(offset);
    }
    if (logEndOffset !== this.lastMapOffset) {
      this.clear();
      this.loadFromSnapshot(logStartOffset, now);
    } else {
      this.onLogStartOffsetIncremented(logStartOffset);
    }
  }

  onLogStartOffsetIncremented(logStartOffset: number): void {
    this.removeUnreplicatedTransactions(logStartOffset);
    if (this.lastMapOffset < logStartOffset) this.lastMapOffset = logStartOffset;
    this.lastSnapOffset = this.latestSnapshotOffset() ?? logStartOffset;
  }

  /** Forgets everything, snapshots included, for a log restarting empty at `offset`. */
  truncateFullyAndStartAt(offset: number): void {
    this.clear();
    for (const snapshot of this.store.offsets()) this.store.delete(snapshot);
    this.lastSnapOffset = 0;
    this.lastMapOffset = offset;
  }

  /** Deletes the snapshots below `offset` (segments deleted by retention). */
  deleteSnapshotsBefore(offset: number): void {
    for (const snapshot of this.store.offsets()) if (snapshot < offset) this.store.delete(snapshot);
  }

  /**
   * Deletes snapshots that match no segment's base offset, except the newest one if it lies past
   * the last segment's base offset (the one a clean shutdown wrote at the log end), as Kafka's
   * removeStraySnapshots.
   */
  removeStraySnapshots(segmentBaseOffsets: readonly number[]): void {
    const bases = new Set(segmentBaseOffsets);
    const maxBase = segmentBaseOffsets.length === 0 ? null : Math.max(...segmentBaseOffsets);
    let latestStray: number | null = null;
    for (const offset of this.store.offsets()) {
      if (bases.has(offset)) continue;
      if (latestStray !== null) this.store.delete(latestStray);
      latestStray = offset;
    }
    if (latestStray !== null && maxBase !== null && latestStray < maxBase) this.store.delete(latestStray);
  }
}
