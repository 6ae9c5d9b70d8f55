import { readFully, type FileSystem } from '../util/file-system.js';
import { IndexFile } from './index-file.js';

const ENTRY_SIZE = 12;
/** Kafka's RecordBatch.NO_TIMESTAMP. */
export const NO_TIMESTAMP = -1;

export interface TimestampOffset {
  readonly timestamp: number;
  readonly offset: number;
}

/**
 * The `.timeindex` file: entries of timestamp (i64) and relative offset (u32), each the largest
 * timestamp seen so far in the segment and the offset of the batch that carried it, so
 * timestamps strictly increase along the file.
 */
export class TimeIndex extends IndexFile {
  constructor(
    fs: FileSystem,
    path: string,
    readonly baseOffset: number,
    maxIndexBytes: number,
  ) {
    super(fs, path, ENTRY_SIZE, Math.floor(maxIndexBytes / ENTRY_SIZE));
  }

  /** As Kafka: one slot stays free for the entry written when the segment is rolled or closed. */
  override get isFull(): boolean {
    return this.count >= this.maxEntries - 1;
  }

  timestampAt(i: number): number {
    const b = this.bytes;
    return b.readInt32BE(i * ENTRY_SIZE) * 4294967296 + b.readUInt32BE(i * ENTRY_SIZE + 4);
  }

  offsetAt(i: number): number {
    return this.baseOffset + this.bytes.readUInt32BE(i * ENTRY_SIZE + 8);
  }

  get lastEntry(): TimestampOffset {
    return this.count > 0
      ? { timestamp: this.timestampAt(this.count - 1), offset: this.offsetAt(this.count - 1) }
      : { timestamp: NO_TIMESTAMP, offset: this.baseOffset };
  }

  /**
   * The last entry straight from the file, without loading the index (retention asks every
   * segment for its largest timestamp); null when the file is missing or not whole entries.
   */
  readLastEntry(): TimestampOffset | null {
    if (!this.fs.exists(this.path)) return null;
    const file = this.fs.open(this.path, 'read');
    try {
      const size = file.size();
      if (size % ENTRY_SIZE !== 0) return null;
      if (size === 0) return { timestamp: NO_TIMESTAMP, offset: this.baseOffset };
      const entry = Buffer.alloc(ENTRY_SIZE);
      if (readFully(file, entry, 0, ENTRY_SIZE, size - ENTRY_SIZE) < ENTRY_SIZE) return null;
      return {
        timestamp: entry.readInt32BE(0) * 4294967296 + entry.readUInt32BE(4),
        offset: this.baseOffset + entry.readUInt32BE(8),
      };
    } finally {
      file.close();
    }
  }

  /** Appends unless the timestamp does not move past the last entry (Kafka's maybeAppend). */
  maybeAppend(timestamp: number, offset: number, skipFullCheck = false): void {
    if (this.count > 0 && timestamp <= this.timestampAt(this.count - 1)) return;
    if (!skipFullCheck && this.isFull) throw new Error(`time index ${this.path} is full`);
    if (this.count >= this.maxEntries) return;
    if (this.count > 0 && offset < this.offsetAt(this.count - 1)) {
      throw new Error(`time index ${this.path}: offset ${offset} before ${this.offsetAt(this.count - 1)}`);
    }
    const at = this.slot();
    const high = Math.floor(timestamp / 4294967296);
    this.bytes.writeInt32BE(high, at);
    this.bytes.writeUInt32BE(timestamp - high * 4294967296, at + 4);
    this.bytes.writeUInt32BE(offset - this.baseOffset, at + 8);
  }

  /** The last entry with a timestamp at or before `timestamp`, or (NO_TIMESTAMP, base offset). */
  lookup(timestamp: number): TimestampOffset {
    let lo = 0;
    let hi = this.count - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.timestampAt(mid) <= timestamp) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found < 0
      ? { timestamp: NO_TIMESTAMP, offset: this.baseOffset }
      : { timestamp: this.timestampAt(found), offset: this.offsetAt(found) };
  }

  /** Removes the entries for offsets at or after `offset`. */
  truncateTo(offset: number): void {
    let n = this.count;
    while (n > 0 && this.offsetAt(n - 1) >= offset) n--;
    this.truncateToEntries(n);
  }

  /** Timestamps strictly increasing, offsets non-decreasing and inside the segment. */
  isConsistentWith(nextOffsetLimit: number): boolean {
    let previousTimestamp = -Infinity;
    let previousOffset = this.baseOffset;
    for (let i = 0; i < this.count; i++) {
      const timestamp = this.timestampAt(i);
      const offset = this.offsetAt(i);
      if (timestamp <= previousTimestamp || offset < previousOffset || offset >= nextOffsetLimit) return false;
      previousTimestamp = timestamp;
      previousOffset = offset;
    }
    return true;
  }
}
