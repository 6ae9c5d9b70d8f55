/** Where a batch appended as leader landed. */
export interface AppendedOffsets {
  readonly baseOffset: number;
  readonly lastOffset: number;
}

/**
 * The Raft log as the quorum needs it (Kafka's ReplicatedLog): batches of records at offsets,
 * each batch stamped with the leader epoch it was written in. Storage implements it in
 * src/server/metadata-log.ts; the raft layer never sees segments or indexes.
 *
 * Appends and reads are synchronous (page-cache I/O); durability is the asynchronous `flush`.
 */
export interface RaftLog {
  /** The partition directory, where the quorum also keeps `quorum-state` and its snapshots. */
  readonly dir: string;
  /** The first offset still in the log. */
  readonly startOffset: number;
  /** The offset the next batch will get. */
  readonly endOffset: number;
  /** Offsets below this are on disk for sure. */
  readonly flushedOffset: number;
  /** The leader epoch of the last batch, -1 when the log holds none. */
  readonly lastEpoch: number;
  /** The largest batch `appendAsLeader` accepts, in bytes. */
  readonly maxBatchBytes: number;

  /** Writes one v2 record batch at the log end, stamped with `epoch`. */
  appendAsLeader(batch: Buffer, epoch: number): AppendedOffsets;
  /**
   * Whole batches from the one holding `startOffset`, none reaching `maxOffset` or beyond, at
   * least one if there is one and otherwise at most about `maxBytes`; empty at the end.
   */
  read(startOffset: number, maxOffset: number, maxBytes: number): Buffer;
  /** The file holding `offset`, for error messages. */
  fileOf(offset: number): string;
  /** Makes everything appended so far durable. */
  flush(): Promise<void>;
  /** Offsets below `offset` are committed: they may be served to readers and snapshotted away. */
  updateHighWatermark(offset: number): void;
  /** Empties the log and restarts it at `offset`, durably (a snapshot is ahead of the whole log). */
  truncateFullyAndStartAt(offset: number): Promise<void>;
  /** Moves the log start to `offset` (at most the high watermark): a snapshot covers what is before. */
  deleteBefore(offset: number): void;
  close(): Promise<void>;
}
