import type { EpochEntry } from './checkpoint-file.js';

/** Kafka's UNDEFINED_EPOCH and UNDEFINED_EPOCH_OFFSET. */
export const UNDEFINED_EPOCH = -1;
export const UNDEFINED_EPOCH_OFFSET = -1;

export interface EpochEndOffset {
  readonly epoch: number;
  readonly endOffset: number;
}

/**
 * Leader epoch -> first offset written in that epoch (Kafka's LeaderEpochFileCache), kept in
 * `leader-epoch-checkpoint`. Followers use `endOffsetFor` (OffsetForLeaderEpoch) to find where
 * their log diverges from the leader's. Pure: the log persists `entries` when it flushes.
 */
export class LeaderEpochCache {
  private list: EpochEntry[];

  constructor(entries: readonly EpochEntry[] = []) {
    this.list = [...entries];
  }

  get entries(): readonly EpochEntry[] {
    return this.list;
  }

  get latestEpoch(): number {
    return this.list.length > 0 ? this.list[this.list.length - 1].epoch : UNDEFINED_EPOCH;
  }

  /**
   * Records that `epoch` starts at `startOffset`. Entries that would break monotonicity (an epoch
   * at or above it, or a start offset at or after it) are dropped first. Returns whether anything changed.
   */
  assign(epoch: number, startOffset: number): boolean {
    if (epoch < 0) return false;
    const last = this.list[this.list.length - 1];
    if (last !== undefined && last.epoch === epoch && last.startOffset <= startOffset) return false;
    this.list = this.list.filter((e) => e.epoch < epoch && e.startOffset < startOffset);
    this.list.push({ epoch, startOffset });
    return true;
  }

  /**
   * The largest epoch at or below `requestedEpoch` and the offset where the next epoch starts
   * (the log end for the latest epoch), as Kafka answers OffsetForLeaderEpoch.
   */
  endOffsetFor(requestedEpoch: number, logEndOffset: number): EpochEndOffset {
    if (requestedEpoch === UNDEFINED_EPOCH || this.list.length === 0) {
      return { epoch: UNDEFINED_EPOCH, endOffset: UNDEFINED_EPOCH_OFFSET };
    }
    if (requestedEpoch === this.latestEpoch) return { epoch: requestedEpoch, endOffset: logEndOffset };
    const higher = this.list.findIndex((e) => e.epoch > requestedEpoch);
    if (higher < 0) return { epoch: UNDEFINED_EPOCH, endOffset: UNDEFINED_EPOCH_OFFSET };
    if (higher === 0) return { epoch: requestedEpoch, endOffset: this.list[0].startOffset };
    return { epoch: this.list[higher - 1].epoch, endOffset: this.list[higher].startOffset };
  }

  /** Forgets epochs starting at or after `endOffset` (the log was truncated there). */
  truncateFromEnd(endOffset: number): boolean {
    const kept = this.list.filter((e) => e.startOffset < endOffset);
    if (kept.length === this.list.length) return false;
    this.list = kept;
    return true;
  }

  /** The log now starts at `startOffset`: earlier epochs go, the one in force there starts there. */
  truncateFromStart(startOffset: number): boolean {
    const firstKept = this.list.findIndex((e) => e.startOffset > startOffset);
    const removed = firstKept < 0 ? this.list.length : firstKept;
    if (removed === 0) return false;
    const inForce = this.list[removed - 1];
    if (removed === 1 && inForce.startOffset === startOffset) return false;
    this.list = [{ epoch: inForce.epoch, startOffset }, ...this.list.slice(removed)];
    return true;
  }

  clear(): void {
    this.list = [];
  }
}
