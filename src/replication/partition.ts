import type { PartitionImage } from '../metadata/image.js';
import { ErrorCode } from '../protocol/generated/error-codes.js';
import type { TopicPartition } from '../storage/file-names.js';
import type { PartitionLog } from '../storage/partition-log.js';
import { kafkaError } from './errors.js';
import type { ReplicaTopicConfig } from './topic-config.js';

/** The leader epoch a request sends when it does not know one (RecordBatch.NO_PARTITION_LEADER_EPOCH). */
export const NO_LEADER_EPOCH = -1;

/** An OffsetForLeaderEpoch answer: the largest epoch at or below the one asked for and where it ends. */
export interface EpochEndOffsetResult {
  readonly errorCode: number;
  readonly leaderEpoch: number;
  readonly endOffset: number;
}

/** Whether acks=all may complete: done once the high watermark covers the append, with the error to answer. */
export interface ReplicationCheck {
  readonly done: boolean;
  readonly errorCode: number;
}

/**
 * One partition this broker hosts (Kafka's Partition): its log and what the metadata image says
 * about it (leader, epochs, replicas, ISR), plus the leader's state derived from them: the
 * epoch's start offset and the high watermark rule.
 */
export class Partition {
  leaderId = -1;
  leaderEpoch = -1;
  partitionEpoch = -1;
  replicas: readonly number[] = [];
  isr: readonly number[] = [];
  /** The log end offset when this broker became leader in the current epoch; null while not leader. */
  leaderEpochStartOffset: number | null = null;

  constructor(
    readonly topicPartition: TopicPartition,
    readonly topicId: string,
    readonly log: PartitionLog,
    private readonly localBrokerId: number,
    public config: ReplicaTopicConfig,
  ) {}

  get isLeader(): boolean {
    return this.leaderId === this.localBrokerId;
  }

  get name(): string {
    return `${this.topicPartition.topic}-${this.topicPartition.partition}`;
  }

  /**
   * The last stable offset: the first offset of the earliest transaction still open (or whose
   * marker is not yet below the high watermark), or the high watermark when that is lower.
   */
  get lastStableOffset(): number {
    return this.log.lastStableOffset;
  }

  /**
   * Takes the partition's registration from a new image (Kafka's makeLeader / makeFollower). A new
   * leader epoch on the leader starts at the log end offset, in the epoch cache too. Returns
   * whether the leader or its epoch changed, which ends the wait of delayed requests.
   */
  update(state: PartitionImage): boolean {
    const wasLeader = this.isLeader;
    const previousEpoch = this.leaderEpoch;
    this.replicas = state.replicas;
    this.isr = state.isr;
    this.partitionEpoch = state.partitionEpoch;
    this.leaderId = state.leader;
    this.leaderEpoch = state.leaderEpoch;
    if (!this.isLeader) {
      this.leaderEpochStartOffset = null;
    } else if (!wasLeader || state.leaderEpoch > previousEpoch) {
      this.log.epochCache.assign(state.leaderEpoch, this.log.logEndOffset);
      this.leaderEpochStartOffset = this.log.logEndOffset;
    }
    if (this.isLeader) this.maybeIncrementHighWatermark();
    return wasLeader !== this.isLeader || previousEpoch !== this.leaderEpoch;
  }

  /**
   * The error for a request's current leader epoch (-1: not given), checked before anything else
   * as Kafka's checkCurrentLeaderEpoch: an older one is fenced, a newer one unknown here yet.
   */
  epochErrorCode(currentLeaderEpoch: number): number {
    if (currentLeaderEpoch === NO_LEADER_EPOCH) return ErrorCode.NONE;
    if (this.leaderEpoch > currentLeaderEpoch) return ErrorCode.FENCED_LEADER_EPOCH;
    if (this.leaderEpoch < currentLeaderEpoch) return ErrorCode.UNKNOWN_LEADER_EPOCH;
    return ErrorCode.NONE;
  }

  /** Throws unless the request's epoch matches and, when `requireLeader`, this broker leads (Kafka's localLogWithEpochOrThrow). */
  checkReadable(currentLeaderEpoch: number, requireLeader: boolean): void {
    const epochError = this.epochErrorCode(currentLeaderEpoch);
    if (epochError !== ErrorCode.NONE) {
      throw kafkaError(epochError, `leader epoch ${currentLeaderEpoch} of the request does not match ${this.leaderEpoch} for ${this.name}`);
    }
    if (requireLeader && !this.isLeader) {
      throw kafkaError(ErrorCode.NOT_LEADER_OR_FOLLOWER, `Leader not local for partition ${this.name} on broker ${this.localBrokerId}`);
    }
  }

  /**
   * Where `leaderEpoch` ends in this log (Kafka's lastOffsetForLeaderEpoch): -1 / -1 when the log
   * knows no epoch at or below it.
   */
  lastOffsetForLeaderEpoch(currentLeaderEpoch: number, leaderEpoch: number, requireLeader: boolean): EpochEndOffsetResult {
    const epochError = this.epochErrorCode(currentLeaderEpoch);
    if (epochError !== ErrorCode.NONE) return { errorCode: epochError, leaderEpoch: -1, endOffset: -1 };
    if (requireLeader && !this.isLeader) return { errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER, leaderEpoch: -1, endOffset: -1 };
    const found = this.log.endOffsetForEpoch(leaderEpoch);
    if (found.endOffset < 0) return { errorCode: ErrorCode.NONE, leaderEpoch: -1, endOffset: -1 };
    return { errorCode: ErrorCode.NONE, leaderEpoch: found.epoch, endOffset: found.endOffset };
  }

  /** The ISR is below min.insync.replicas, so acks=all produces are refused. */
  get isUnderMinIsr(): boolean {
    return this.isr.length < this.config['min.insync.replicas'];
  }

  /**
   * The high watermark is the smallest log end offset in the ISR. While the ISR is only this
   * broker, that is its own log end; followers' end offsets come with follower fetching, and
   * until a follower reports one it holds the high watermark where it is. Returns whether it moved.
   */
  maybeIncrementHighWatermark(): boolean {
    if (!this.isLeader || this.isr.some((id) => id !== this.localBrokerId)) return false;
    const before = this.log.highWatermark;
    return this.log.updateHighWatermark(this.log.logEndOffset) > before;
  }

  /** Whether an acks=all append ending before `requiredOffset` is replicated (Kafka's checkEnoughReplicasReachOffset). */
  checkEnoughReplicasReachOffset(requiredOffset: number): ReplicationCheck {
    if (!this.isLeader) return { done: true, errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER };
    if (this.log.highWatermark < requiredOffset) return { done: false, errorCode: ErrorCode.NONE };
    return { done: true, errorCode: this.isUnderMinIsr ? ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND : ErrorCode.NONE };
  }
}

/** The key delayed operations watch a partition by. */
export function partitionKey(tp: TopicPartition): string {
  return `${tp.topic}-${tp.partition}`;
}
