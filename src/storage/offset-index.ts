import type { FileSystem } from '../util/file-system.js';
import { IndexFile } from './index-file.js';

const ENTRY_SIZE = 8;
export const MAX_RELATIVE_OFFSET = 0x7fffffff;

export interface OffsetPosition {
  readonly offset: number;
  readonly position: number;
}

/**
 * The `.index` file: entries of relative offset (u32) and file position (u32), sparse (one per
 * index.interval.bytes of log), mapping a batch's last offset to the position where it starts.
 */
export class OffsetIndex extends IndexFile {
  constructor(
    fs: FileSystem,
    path: string,
    readonly baseOffset: number,
    maxIndexBytes: number,
  ) {
    super(fs, path, ENTRY_SIZE, Math.floor(maxIndexBytes / ENTRY_SIZE));
  }

  offsetAt(i: number): number {
    return this.baseOffset + this.bytes.readUInt32BE(i * ENTRY_SIZE);
  }

  positionAt(i: number): number {
    return this.bytes.readUInt32BE(i * ENTRY_SIZE + 4);
  }

  get lastOffset(): number {
    return this.count > 0 ? this.offsetAt(this.count - 1) : this.baseOffset;
  }

  /** Whether `offset` fits in the relative offset of an entry. */
  canAppendOffset(offset: number): boolean {
    const relative = offset - this.baseOffset;
    return relative >= 0 && relative <= MAX_RELATIVE_OFFSET;
  }

  append(offset: number, position: number): void {
    if (this.count > 0 && offset <= this.lastOffset) {
      throw new Error(`offset index ${this.path}: entry ${offset} is not after ${this.lastOffset}`);
    }
    if (!this.canAppendOffset(offset)) throw new Error(`offset index ${this.path}: ${offset} out of range`);
    const at = this.slot();
    this.bytes.writeUInt32BE(offset - this.baseOffset, at);
    this.bytes.writeUInt32BE(position, at + 4);
  }

  /** The last entry at or before `target`, or the segment start. */
  lookup(target: number): OffsetPosition {
    const i = this.lastIndexWhere((j) => this.offsetAt(j) <= target);
    return i < 0 ? { offset: this.baseOffset, position: 0 } : { offset: this.offsetAt(i), position: this.positionAt(i) };
  }

  /** The last entry whose batch starts at or before `position`, or the segment start. */
  lookupByPosition(position: number): OffsetPosition {
    const i = this.lastIndexWhere((j) => this.positionAt(j) <= position);
    return i < 0 ? { offset: this.baseOffset, position: 0 } : { offset: this.offsetAt(i), position: this.positionAt(i) };
  }

  /** Removes the entries for offsets at or after `offset`. */
  truncateTo(offset: number): void {
    this.truncateToEntries(this.lastIndexWhere((j) => this.offsetAt(j) < offset) + 1);
  }

  /** Offsets and positions strictly increasing, inside the segment. */
  isConsistentWith(logSize: number, nextOffsetLimit: number): boolean {
    let previousOffset = -1;
    let previousPosition = -1;
    for (let i = 0; i < this.count; i++) {
      const offset = this.offsetAt(i);
      const position = this.positionAt(i);
      if (offset <= previousOffset || position <= previousPosition) return false;
      if (offset >= nextOffsetLimit || position >= logSize) return false;
      previousOffset = offset;
      previousPosition = position;
    }
    return true;
  }

  /** Binary search over a predicate that holds for a prefix of the entries; -1 when none. */
  private lastIndexWhere(holds: (i: number) => boolean): number {
    let lo = 0;
    let hi = this.count - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (holds(mid)) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found;
  }
}
