import { isNotFound, type FileHandle, type FileSystem } from '../util/file-system.js';

/** An aborted transaction as the `.txnindex` records it (Kafka's AbortedTxn). */
export interface AbortedTxn {
  readonly producerId: number;
  readonly firstOffset: number;
  /** The offset of the ABORT marker. */
  readonly lastOffset: number;
  /** The last stable offset when the marker was written: no transaction before it was still open. */
  readonly lastStableOffset: number;
}

/** What a search of one segment's index found, and whether later segments need no search (Kafka's TxnIndexSearchResult). */
export interface TxnIndexSearchResult {
  readonly abortedTransactions: AbortedTxn[];
  readonly isComplete: boolean;
}

/** Kafka's AbortedTxn.CURRENT_VERSION. */
export const ABORTED_TXN_VERSION = 0;
/** int16 version, int64 producer id, int64 first offset, int64 last offset, int64 last stable offset. */
export const ABORTED_TXN_SIZE = 2 + 8 + 8 + 8 + 8;

/** A `.txnindex` that cannot be read; the log rebuilds it from the segments. */
export class CorruptTxnIndexError extends Error {}

export function encodeAbortedTxn(txn: AbortedTxn): Buffer {
  const bytes = Buffer.alloc(ABORTED_TXN_SIZE);
  bytes.writeInt16BE(ABORTED_TXN_VERSION, 0);
  bytes.writeBigInt64BE(BigInt(txn.producerId), 2);
  bytes.writeBigInt64BE(BigInt(txn.firstOffset), 10);
  bytes.writeBigInt64BE(BigInt(txn.lastOffset), 18);
  bytes.writeBigInt64BE(BigInt(txn.lastStableOffset), 26);
  return bytes;
}

/**
 * The entries of a `.txnindex` file; throws CorruptTxnIndexError for a size that is not a whole
 * number of entries, an unknown version, offsets beyond the safe integer range, an entry ending
 * before the segment's base offset (Kafka's sanityCheck) or entries out of order.
 */
export function decodeTxnIndex(bytes: Buffer, baseOffset: number): AbortedTxn[] {
  if (bytes.length % ABORTED_TXN_SIZE !== 0) {
    throw new CorruptTxnIndexError(`transaction index of ${bytes.length} bytes is not a whole number of ${ABORTED_TXN_SIZE}-byte entries`);
  }
  const entries: AbortedTxn[] = [];
  for (let at = 0; at < bytes.length; at += ABORTED_TXN_SIZE) {
    const version = bytes.readInt16BE(at);
    if (version !== ABORTED_TXN_VERSION) throw new CorruptTxnIndexError(`unexpected aborted transaction version ${version} at byte ${at}`);
    const txn = {
      producerId: int64(bytes, at + 2),
      firstOffset: int64(bytes, at + 10),
      lastOffset: int64(bytes, at + 18),
      lastStableOffset: int64(bytes, at + 26),
    };
    if (txn.lastOffset < baseOffset) {
      throw new CorruptTxnIndexError(`last offset ${txn.lastOffset} of an aborted transaction is less than the start offset ${baseOffset}`);
    }
    const previous = entries[entries.length - 1];
    if (previous !== undefined && previous.lastOffset >= txn.lastOffset) {
      throw new CorruptTxnIndexError(`aborted transaction ending at ${txn.lastOffset} follows one ending at ${previous.lastOffset}`);
    }
    entries.push(txn);
  }
  return entries;
}

function int64(bytes: Buffer, at: number): number {
  const value = Number(bytes.readBigInt64BE(at));
  if (!Number.isSafeInteger(value)) throw new CorruptTxnIndexError(`int64 at byte ${at} is beyond the safe integer range`);
  return value;
}

/**
 * A segment's transaction index (Kafka's TransactionIndex): one 34-byte entry per transaction
 * whose ABORT marker is in the segment, in marker order. The file is created by the first entry,
 * as in Kafka, so most segments have none. Entries are few; they are read into memory on first
 * use and written through at once (the file is fsynced with the segment).
 */
export class TransactionIndex {
  private entries: AbortedTxn[] | null = null;
  private handle: FileHandle | null = null;
  private unsynced = false;

  constructor(
    private readonly fs: FileSystem,
    private filePath: string,
    readonly baseOffset: number,
  ) {}

  get path(): string {
    return this.filePath;
  }

  get isLoaded(): boolean {
    return this.entries !== null;
  }

  /** The entries, read from the file on first use; throws CorruptTxnIndexError if it cannot be read. */
  allAbortedTxns(): readonly AbortedTxn[] {
    return this.loaded();
  }

  private loaded(): AbortedTxn[] {
    if (this.entries !== null) return this.entries;
    let bytes: Buffer;
    try {
      bytes = this.fs.readFile(this.filePath);
    } catch (err) {
      if (!isNotFound(err)) throw err;
      bytes = Buffer.alloc(0);
    }
    this.entries = decodeTxnIndex(bytes, this.baseOffset);
    return this.entries;
  }

  /** Adds an aborted transaction; the file is created if needed. Returns whether it was created. */
  append(txn: AbortedTxn): boolean {
    const entries = this.loaded();
    const last = entries[entries.length - 1];
    if (last !== undefined && last.lastOffset >= txn.lastOffset) {
      throw new Error(
        `The last offset of appended transactions must increase sequentially, but ${txn.lastOffset} is not greater than current last offset ${last.lastOffset} of index ${this.filePath}`,
      );
    }
    const created = this.handle === null && !this.fs.exists(this.filePath);
    const file = this.openFile(created);
    file.write(encodeAbortedTxn(txn), entries.length * ABORTED_TXN_SIZE);
    entries.push(txn);
    this.unsynced = true;
    return created;
  }

  /** A new segment starts without entries: a file left by an older segment with the same base offset goes. */
  deleteStaleFile(): void {
    this.entries = [];
    try {
      this.fs.unlink(this.filePath);
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  /** Removes every entry (recovery rebuilds the index); an existing file is emptied. */
  reset(): void {
    this.entries = [];
    if (this.handle !== null || this.fs.exists(this.filePath)) {
      this.openFile(false).truncate(0);
      this.unsynced = true;
    }
  }

  /** Removes the entries of transactions whose marker is at or after `offset`. */
  truncateTo(offset: number): void {
    const entries = this.loaded();
    const keep = entries.findIndex((txn) => txn.lastOffset >= offset);
    if (keep < 0) return;
    entries.length = keep;
    this.openFile(false).truncate(keep * ABORTED_TXN_SIZE);
    this.unsynced = true;
  }

  /**
   * The aborted transactions overlapping [fetchOffset, upperBoundOffset), and whether the search
   * may stop here: an entry whose last stable offset reaches the upper bound means no transaction
   * still open before the bound can end in a later segment (Kafka's collectAbortedTxns).
   */
  collectAbortedTxns(fetchOffset: number, upperBoundOffset: number): TxnIndexSearchResult {
    const abortedTransactions: AbortedTxn[] = [];
    for (const txn of this.loaded()) {
      if (txn.lastOffset >= fetchOffset && txn.firstOffset < upperBoundOffset) abortedTransactions.push(txn);
      if (txn.lastStableOffset >= upperBoundOffset) return { abortedTransactions, isComplete: true };
    }
    return { abortedTransactions, isComplete: false };
  }

  get needsFlush(): boolean {
    return this.unsynced;
  }

  async flush(): Promise<void> {
    const file = this.handle;
    if (!this.unsynced || file === null) return;
    this.unsynced = false;
    try {
      await file.sync();
    } catch (err) {
      this.unsynced = true;
      throw err;
    }
  }

  /** Points the index at its renamed file (suffix changes on delete and swap); the caller renames the file. */
  renamed(newPath: string): void {
    this.filePath = newPath;
  }

  /** Drops the in-memory entries of an index without unsynced writes; the next use reads the file again. */
  release(): void {
    if (!this.unsynced) this.entries = null;
  }

  closeFile(): void {
    this.handle?.close();
    this.handle = null;
  }

  private openFile(create: boolean): FileHandle {
    this.handle ??= this.fs.open(this.filePath, create ? 'create' : 'readWrite');
    return this.handle;
  }
}
