import { DecodeError } from '../protocol/decode-error.js';
import type { RecordBatchHeader } from '../protocol/records/batch-header.js';
import { decodeBatchRecords } from '../protocol/records/batch-records.js';
import { createQuorumStateData, createQuorumStateDataVoter } from '../protocol/generated/raft/quorum-state-data.js';
import type { Clock } from '../util/clock.js';
import type { FileSystem } from '../util/file-system.js';
import type { Logger } from '../util/logger.js';
import { buildLeaderChangeBatch } from './control-batches.js';
import { QuorumStateFile } from './quorum-state.js';
import {
  type AppendExpectation,
  type AppendedBatch,
  BatchTooLargeError,
  type CommittedBatch,
  CorruptRaftLogError,
  type LeaderAndEpoch,
  NotLeaderError,
  type RaftClient,
  type RaftListener,
  type SnapshotId,
  UnexpectedBaseOffsetError,
} from './raft-client.js';
import type { RaftLog } from './raft-log.js';
import { buildDataBatch, splitRecordBatches } from './record-batches.js';
import { SnapshotFiles } from './snapshot-files.js';

export interface SingleNodeRaftParams {
  /** The opened log of the Raft partition. */
  readonly log: RaftLog;
  /** The file system the log lives on, for `quorum-state` and snapshots. */
  readonly fs: FileSystem;
  readonly nodeId: number;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Called once when the quorum can no longer work: the log failed, or a listener threw. */
  readonly onFatalError: (error: Error) => void;
}

/** At most this much of the log is handed to a listener in one `handleCommit` (at least one batch). */
const DELIVERY_BYTES = 1024 * 1024;

interface PendingCommit {
  readonly lastOffset: number;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

interface Subscriber {
  readonly listener: RaftListener;
  nextOffset: number;
  /** The epoch whose leader the listener was last told about, -1 for none. */
  notifiedEpoch: number;
}

/**
 * A Raft quorum of one voter, this node (KRaft with `controller.quorum.voters` naming only
 * itself). Each start is an election it wins at once: the epoch goes up by one, `quorum-state`
 * records it durably, and the epoch's first batch is a LeaderChange control batch, as in Kafka.
 * A batch is committed once it is fsynced, since this node is the whole majority; commits happen
 * in log order, several batches per fsync when appends arrive during one. Listeners receive
 * committed batches read back from the log, so a restart and a live node follow the same path.
 */
export class SingleNodeRaft implements RaftClient {
  private epoch: number;
  /** Offset of the current epoch's LeaderChange batch. */
  private epochStartOffset = -1;
  /** This node holds (or is taking) the leadership of `epoch`. */
  private leading = false;
  private committedEnd: number;
  private failure: Error | null = null;
  private closing = false;
  private flushLoop: Promise<void> | null = null;
  private snapshotChain: Promise<unknown> = Promise.resolve();
  private readonly pending: PendingCommit[] = [];
  private readonly subscribers: Subscriber[] = [];

  private constructor(
    private readonly params: SingleNodeRaftParams,
    private readonly snapshots: SnapshotFiles,
    private readonly quorumState: QuorumStateFile,
    lastEpoch: number,
    committedEnd: number,
  ) {
    this.epoch = lastEpoch;
    this.committedEnd = committedEnd;
  }

  /**
   * Opens the quorum on an opened log: brings the log in line with the latest snapshot, starts a
   * new epoch and resolves once its LeaderChange batch, and with it everything before, is committed.
   */
  static async start(params: SingleNodeRaftParams): Promise<SingleNodeRaft> {
    const { log, fs, nodeId } = params;
    const snapshots = new SnapshotFiles(fs, log.dir);
    snapshots.removeLeftovers();
    const quorumState = new QuorumStateFile(fs, log.dir);
    const stored = quorumState.read();
    const voters = stored?.currentVoters?.map((v) => v.voterId) ?? [];
    if (voters.some((id) => id !== nodeId)) {
      throw new Error(`${quorumState.path} names voters ${voters.join(',')}, but this quorum is node ${nodeId} alone`);
    }
    const latest = snapshots.latest();
    const snapshotEnd = latest?.endOffset ?? 0;
    if (snapshotEnd > log.endOffset) await log.truncateFullyAndStartAt(snapshotEnd);
    if (log.startOffset > snapshotEnd) {
      const covered = latest === null ? 'no snapshot covers them' : `the latest snapshot ends at ${snapshotEnd}`;
      throw new CorruptRaftLogError(`the Raft log in ${log.dir} starts at offset ${log.startOffset}, but ${covered}: records are missing`);
    }
    const lastEpoch = Math.max(stored?.leaderEpoch ?? 0, log.lastEpoch, latest?.epoch ?? 0);
    const raft = new SingleNodeRaft(params, snapshots, quorumState, lastEpoch, snapshotEnd);
    await raft.elect();
    if (latest !== null) raft.dropBefore(latest);
    return raft;
  }

  get nodeId(): number {
    return this.params.nodeId;
  }

  /** The leader is known once the first batch of its epoch is committed. */
  get leaderAndEpoch(): LeaderAndEpoch {
    return { leaderId: this.isLeader ? this.params.nodeId : null, epoch: this.epoch };
  }

  get highWatermark(): number {
    return this.committedEnd;
  }

  get endOffset(): number {
    return this.params.log.endOffset;
  }

  private get isLeader(): boolean {
    return this.leading && this.failure === null && !this.closing && this.committedEnd > this.epochStartOffset;
  }

  register(listener: RaftListener): void {
    if (this.failure !== null) throw this.failure;
    const subscriber: Subscriber = { listener, nextOffset: 0, notifiedEpoch: -1 };
    const latest = this.snapshots.latest();
    if (latest !== null) {
      listener.handleLoadSnapshot(this.snapshots.open(latest));
      subscriber.nextOffset = latest.endOffset;
    }
    this.catchUp(subscriber);
    this.subscribers.push(subscriber);
  }

  append(records: readonly Buffer[], expected: AppendExpectation): AppendedBatch {
    if (!this.isLeader || expected.epoch !== this.epoch) {
      const state = this.failure !== null ? `the quorum failed: ${this.failure.message}` : `the epoch is ${this.epoch}`;
      throw new NotLeaderError(`node ${this.params.nodeId} does not lead epoch ${expected.epoch}; ${state}`, { cause: this.failure ?? undefined });
    }
    const { log, clock } = this.params;
    if (expected.baseOffset !== log.endOffset) {
      throw new UnexpectedBaseOffsetError(`the batch would land at offset ${log.endOffset}, not ${expected.baseOffset}`);
    }
    if (records.length === 0) throw new RangeError('a batch needs at least one record');
    const batch = buildDataBatch(records, this.epoch, clock.now());
    if (batch.length > log.maxBatchBytes) {
      throw new BatchTooLargeError(`a batch of ${batch.length} bytes exceeds the ${log.maxBatchBytes} bytes the Raft log accepts`);
    }
    return this.appendBatch(batch);
  }

  resign(epoch: number): void {
    if (!this.leading || this.failure !== null || this.closing || epoch !== this.epoch) return;
    this.params.logger.warn({ epoch }, 'resigning the leadership of the metadata quorum');
    this.leading = false;
    this.elect().catch((err: unknown) => this.fail(err));
  }

  createSnapshot(id: SnapshotId, lastContainedLogTimestamp: number, records: Iterable<Buffer>): Promise<boolean> {
    const run = this.snapshotChain.then(async () => {
      if (id.endOffset > this.committedEnd) {
        throw new RangeError(`a snapshot at offset ${id.endOffset} is past the high watermark ${this.committedEnd}`);
      }
      const latest = this.snapshots.latest();
      if (latest !== null && latest.endOffset >= id.endOffset) return false;
      await this.snapshots.write(id, lastContainedLogTimestamp, records, this.params.clock.now());
      this.dropBefore(id);
      return true;
    });
    this.snapshotChain = run.catch(() => undefined);
    return run;
  }

  /** Stops taking appends, waits for what was appended to be committed, and closes the log. */
  async close(): Promise<void> {
    this.closing = true;
    while (this.flushLoop !== null) await this.flushLoop;
    await this.snapshotChain;
    await this.params.log.close();
  }

  /** Wins the next epoch: durable vote first, then the LeaderChange batch, committed before this resolves. */
  private async elect(): Promise<void> {
    const { nodeId, clock, log, logger } = this.params;
    const epoch = this.epoch + 1;
    await this.quorumState.write(
      createQuorumStateData({ leaderId: nodeId, leaderEpoch: epoch, votedId: nodeId, currentVoters: [createQuorumStateDataVoter({ voterId: nodeId })] }),
    );
    if (this.closing) return;
    this.epoch = epoch;
    this.epochStartOffset = log.endOffset;
    this.leading = true;
    const { committed } = this.appendBatch(buildLeaderChangeBatch(nodeId, [nodeId], epoch, clock.now()));
    await committed;
    logger.info({ epoch, offset: this.epochStartOffset }, 'leading the metadata quorum');
  }

  private appendBatch(batch: Buffer): AppendedBatch {
    let offsets;
    try {
      offsets = this.params.log.appendAsLeader(batch, this.epoch);
    } catch (err) {
      this.fail(err);
      throw err;
    }
    const committed = new Promise<void>((resolve, reject) => this.pending.push({ lastOffset: offsets.lastOffset, resolve, reject }));
    this.flushLoop ??= this.flushUntilCommitted();
    return { ...offsets, committed };
  }

  /** One fsync at a time; appends that arrive during one are committed by the next. */
  private async flushUntilCommitted(): Promise<void> {
    const { log } = this.params;
    try {
      while (this.failure === null && this.committedEnd < log.endOffset) {
        await log.flush();
        if (this.failure === null) this.commit(log.flushedOffset);
      }
    } catch (err) {
      this.fail(err);
    } finally {
      this.flushLoop = null;
    }
  }

  private commit(offset: number): void {
    if (offset <= this.committedEnd) return;
    this.committedEnd = offset;
    this.params.log.updateHighWatermark(offset);
    try {
      for (const subscriber of [...this.subscribers]) this.catchUp(subscriber);
    } catch (err) {
      this.fail(err);
      return;
    }
    while (this.pending.length > 0 && this.pending[0].lastOffset < offset) this.pending.shift()!.resolve();
  }

  /** Hands the subscriber every committed batch it has not seen, then the leader if it changed. */
  private catchUp(subscriber: Subscriber): void {
    while (subscriber.nextOffset < this.committedEnd) {
      const batches = this.readCommitted(subscriber.nextOffset);
      subscriber.listener.handleCommit(batches);
      subscriber.nextOffset = batches[batches.length - 1].lastOffset + 1;
    }
    const leader = this.leaderAndEpoch;
    if (leader.leaderId !== null && subscriber.notifiedEpoch !== leader.epoch) {
      subscriber.notifiedEpoch = leader.epoch;
      subscriber.listener.handleLeaderChange(leader);
    }
  }

  private readCommitted(offset: number): CommittedBatch[] {
    const { log } = this.params;
    const file = log.fileOf(offset);
    let batchOffset = offset;
    try {
      const batches = splitRecordBatches(log.read(offset, this.committedEnd, DELIVERY_BYTES));
      if (batches.length === 0) throw new DecodeError('no batch where the log should hold one', 0);
      return batches.map((batch) => {
        batchOffset = batch.baseOffset;
        return committedBatch(batch, file);
      });
    } catch (err) {
      if (err instanceof DecodeError) throw new CorruptRaftLogError(`corrupt Raft log ${file} at offset ${batchOffset}: ${err.message}`);
      throw err;
    }
  }

  /** The log before a durable snapshot is no longer needed, nor are older snapshots. */
  private dropBefore(snapshot: SnapshotId): void {
    this.params.log.deleteBefore(snapshot.endOffset);
    for (const older of this.snapshots.list()) {
      if (older.endOffset < snapshot.endOffset) this.snapshots.delete(older);
    }
  }

  private fail(err: unknown): void {
    if (this.failure !== null) return;
    const failure = err instanceof Error ? err : new Error(String(err));
    this.failure = failure;
    this.leading = false;
    for (const pending of this.pending.splice(0)) pending.reject(failure);
    this.params.logger.error({ err: failure }, 'the metadata quorum failed');
    this.params.onFatalError(failure);
  }
}

function committedBatch(batch: RecordBatchHeader, file: string): CommittedBatch {
  const records = decodeBatchRecords(batch);
  return {
    baseOffset: batch.baseOffset,
    lastOffset: batch.lastOffset,
    epoch: batch.partitionLeaderEpoch,
    appendTimestamp: batch.maxTimestamp,
    sizeInBytes: batch.sizeInBytes,
    isControl: batch.isControl,
    records: batch.isControl
      ? []
      : records.map((record) => {
          if (record.value === null) throw new DecodeError(`record at offset ${batch.baseOffset + record.offsetDelta} has no value`, 0);
          return record.value;
        }),
    file,
  };
}
