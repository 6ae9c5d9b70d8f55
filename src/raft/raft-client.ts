/** A snapshot holds the state after every record below `endOffset`, the last of them written in `epoch`. */
export interface SnapshotId {
  readonly endOffset: number;
  readonly epoch: number;
}

/** Who leads the quorum in an epoch; `leaderId` is null while no leader is known. */
export interface LeaderAndEpoch {
  readonly leaderId: number | null;
  readonly epoch: number;
}

/** One committed batch of the log, as listeners receive it. */
export interface CommittedBatch {
  readonly baseOffset: number;
  readonly lastOffset: number;
  /** The leader epoch the batch was written in. */
  readonly epoch: number;
  /** The batch's largest timestamp: when the leader appended it. */
  readonly appendTimestamp: number;
  readonly sizeInBytes: number;
  /** Control batches (leader changes) carry no records for the state machine. */
  readonly isControl: boolean;
  /** The record values, in offset order; empty for a control batch. */
  readonly records: readonly Buffer[];
  /** The file the batch was read from, for error messages. */
  readonly file: string;
}

/** A snapshot as listeners load it. Iterating `records` checks the file as it goes and throws on corruption. */
export interface SnapshotReader {
  readonly id: SnapshotId;
  readonly path: string;
  readonly lastContainedLogTimestamp: number;
  records(): Iterable<Buffer>;
}

/**
 * A state machine fed by the quorum (Kafka's RaftClient.Listener). A new listener first gets the
 * latest snapshot, if the log no longer holds everything before it, then every committed batch
 * after it, in order, then the current leader. `handleLeaderChange` comes only once the listener
 * has been given everything committed before the new leader's epoch began.
 */
export interface RaftListener {
  handleLoadSnapshot(snapshot: SnapshotReader): void;
  handleCommit(batches: readonly CommittedBatch[]): void;
  handleLeaderChange(leader: LeaderAndEpoch): void;
}

/** A batch the leader appended; `committed` settles once it is durable on a majority, in log order. */
export interface AppendedBatch {
  readonly baseOffset: number;
  readonly lastOffset: number;
  readonly committed: Promise<void>;
}

/** What the append must match, so that records land where their writer computed they would. */
export interface AppendExpectation {
  /** The epoch the writer believes it leads. */
  readonly epoch: number;
  /** Where the writer expects the first record to land. */
  readonly baseOffset: number;
}

/**
 * What users of the quorum depend on (Kafka's RaftClient). The quorum of one implements it
 * today; the replicated quorum will implement the same interface.
 */
export interface RaftClient {
  readonly nodeId: number;
  readonly leaderAndEpoch: LeaderAndEpoch;
  /** Offsets below this are committed. */
  readonly highWatermark: number;
  /** Where the next appended batch lands. */
  readonly endOffset: number;

  /** Adds a listener and brings it up to date at once, synchronously; its errors are thrown here. */
  register(listener: RaftListener): void;
  /**
   * Appends `records` (serialized values) as one atomic batch, synchronously: when it returns,
   * the records have their offsets. Throws, appending nothing, when this node does not lead
   * `expected.epoch`, when the log end is not `expected.baseOffset`, or when the batch is too large.
   */
  append(records: readonly Buffer[], expected: AppendExpectation): AppendedBatch;
  /** Gives up leading `epoch` (the writer found its state unusable); a new epoch follows. */
  resign(epoch: number): void;
  /**
   * Writes a snapshot of the state at `id.endOffset` (at most the high watermark) and lets the log
   * before it go. Resolves false when a snapshot at or past that offset already exists.
   */
  createSnapshot(id: SnapshotId, lastContainedLogTimestamp: number, records: Iterable<Buffer>): Promise<boolean>;
}

/** This node does not lead the epoch the caller asked for. */
export class NotLeaderError extends Error {
  override readonly name = 'NotLeaderError';
}

/** The log end moved from where the writer expected its records to land. */
export class UnexpectedBaseOffsetError extends Error {
  override readonly name = 'UnexpectedBaseOffsetError';
}

/** A batch larger than the log accepts; nothing was appended. */
export class BatchTooLargeError extends Error {
  override readonly name = 'BatchTooLargeError';
}

/** A Raft log or snapshot file that cannot be read back; the message is one line naming the file. */
export class CorruptRaftLogError extends Error {
  override readonly name = 'CorruptRaftLogError';
}
