import { GROUP_METADATA_TOPIC_NAME } from '../../metadata/controller/topic-names.js';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import { buildRecordBatch } from '../../protocol/records/batch-builder.js';
import { decodeBatchRecords } from '../../protocol/records/batch-records.js';
import { batchViews } from '../../replication/batch-views.js';
import { readLocalBatches } from '../../replication/log-reads.js';
import type { Partition } from '../../replication/partition.js';
import { ACKS_ALL, type ReplicaManager } from '../../replication/replica-manager.js';
import type { Scheduler } from '../../replication/scheduler.js';
import type { Clock } from '../../util/clock.js';
import type { Logger } from '../../util/logger.js';
import type { Random } from '../../util/random.js';
import type { GroupEffects, GroupReply, RequestContext, ReplyTo } from './classic-group.js';
import type { TopicsView } from './consumer/topics-view.js';
import { imageTopics } from './image-topics.js';
import { decodeCoordinatorRecord, encodeCoordinatorRecord } from './coordinator-record-serde.js';
import type { CoordinatorRecord } from './coordinator-records.js';
import { type GroupCoordinatorConfig, GroupCoordinatorShard, type ShardEffects, type ShardResult } from './group-coordinator-shard.js';

export interface GroupCoordinatorParams {
  readonly replicas: ReplicaManager;
  readonly clock: Clock;
  /** Fires the shards' deadlines (session and rebalance timeouts). */
  readonly scheduler: Scheduler;
  readonly random: Random;
  readonly logger: Logger;
  readonly config: GroupCoordinatorConfig;
  /** offsets.commit.timeout.ms: how long a write may wait for the replicas. */
  readonly commitTimeoutMs: number;
}

/** Where a request came from: the shard's RequestContext without the handle the driver assigns. */
export type CallerContext = Omit<RequestContext, 'to' | 'now'>;

type ShardStatus = 'loading' | 'active';

interface HostedShard {
  status: ShardStatus;
  readonly partition: number;
  readonly shard: GroupCoordinatorShard;
  /** Requests parked by the shard, answered by a later result. */
  readonly waiting: Map<ReplyTo, (answer: Answer) => void>;
  cancelTimer: (() => void) | null;
  /** The leader epoch the shard was loaded in: a new epoch means a new load. */
  readonly leaderEpoch: number;
}

/** Bytes read per step while loading a partition; the event loop gets a turn between steps. */
const LOAD_READ_BYTES = 1024 * 1024;

/**
 * Runs the group coordinator's shards on the `__consumer_offsets` partitions this broker leads
 * (Kafka's CoordinatorRuntime): loads a shard by replaying its partition when the broker becomes
 * leader, drops it on resignation, runs each request on its group's shard, appends the records the
 * shard decided and answers once they are committed, and fires the shards' deadlines on time.
 */
export class GroupCoordinator {
  private readonly shards = new Map<number, HostedShard>();
  private nextReplyTo = 1;
  private readonly log: Logger;

  constructor(private readonly params: GroupCoordinatorParams) {
    this.log = params.logger.child({ module: 'group-coordinator' });
  }

  /** Kafka's partitionFor: Utils.abs of the group id's Java hashCode (0 for MIN_VALUE), modulo the partition count. */
  static partitionFor(groupId: string, partitionCount: number): number {
    const hash = javaStringHash(groupId);
    return (hash === INT32_MIN ? 0 : Math.abs(hash)) % partitionCount;
  }

  /** Loads the shards of partitions this broker now leads and drops the others (after each metadata image). */
  onPartitionsChanged(): void {
    const topic = this.params.replicas.image.topicsByName.get(GROUP_METADATA_TOPIC_NAME);
    const partitionCount = topic?.partitions.size ?? 0;
    for (let p = 0; p < partitionCount; p++) {
      const partition = this.params.replicas.hostedPartition({ topic: GROUP_METADATA_TOPIC_NAME, partition: p });
      const hosted = this.shards.get(p);
      const leads = partition !== undefined && partition.isLeader;
      if (hosted !== undefined && (!leads || hosted.leaderEpoch !== partition.leaderEpoch)) this.unload(hosted);
      if (leads && this.shards.get(p) === undefined) this.load(partition);
    }
    for (const hosted of [...this.shards.values()]) if (hosted.partition >= partitionCount) this.unload(hosted);
  }

  private load(partition: Partition): void {
    const hosted: HostedShard = {
      status: 'loading',
      partition: partition.topicPartition.partition,
      shard: new GroupCoordinatorShard(this.params.config, this.params.random),
      waiting: new Map(),
      cancelTimer: null,
      leaderEpoch: partition.leaderEpoch,
    };
    this.shards.set(hosted.partition, hosted);
    const started = this.params.clock.now();
    this.replayLog(hosted, partition)
      .then((records) => {
        if (this.shards.get(hosted.partition) !== hosted) return;
        hosted.status = 'active';
        this.apply(hosted, hosted.shard.onLoaded(this.params.clock.now()));
        this.log.info({ partition: hosted.partition, records, ms: this.params.clock.now() - started }, 'loaded group coordinator partition');
      })
      .catch((err: Error) => {
        this.log.error({ partition: hosted.partition, err: err.message }, 'loading a group coordinator partition failed');
        if (this.shards.get(hosted.partition) === hosted) this.shards.delete(hosted.partition);
      });
  }

  /** Replays the partition from its start to its log end; resolves with the number of records. */
  private async replayLog(hosted: HostedShard, partition: Partition): Promise<number> {
    const log = partition.log;
    const end = log.logEndOffset;
    let offset = log.logStartOffset;
    let count = 0;
    while (offset < end && this.shards.get(hosted.partition) === hosted) {
      const bytes = readLocalBatches(partition, offset, LOAD_READ_BYTES, end);
      if (bytes === null) break;
      const batches = batchViews(bytes) ?? [];
      if (batches.length === 0) break;
      const now = this.params.clock.now();
      for (const batch of batches) {
        offset = batch.lastOffset + 1;
        if (batch.isControl) continue;
        for (const record of decodeBatchRecords(batch)) {
          if (record.key === null) continue;
          const decoded = decodeCoordinatorRecord(record.key, record.value);
          if (decoded === null) continue;
          hosted.shard.replay(decoded, now);
          count++;
        }
      }
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    return count;
  }

  private unload(hosted: HostedShard): void {
    this.shards.delete(hosted.partition);
    hosted.cancelTimer?.();
    for (const [to, answer] of hosted.waiting) answer({ to, errorCode: ErrorCode.NOT_COORDINATOR });
    hosted.waiting.clear();
    this.log.info({ partition: hosted.partition }, 'unloaded group coordinator partition');
  }

  /** The shard that holds `groupId`, or the error its requests get: NOT_COORDINATOR, COORDINATOR_LOAD_IN_PROGRESS, ... */
  shardFor(groupId: string): HostedShard | number {
    const topic = this.params.replicas.image.topicsByName.get(GROUP_METADATA_TOPIC_NAME);
    if (topic === undefined || topic.partitions.size === 0) return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    const hosted = this.shards.get(GroupCoordinator.partitionFor(groupId, topic.partitions.size));
    if (hosted === undefined) return ErrorCode.NOT_COORDINATOR;
    return hosted.status === 'loading' ? ErrorCode.COORDINATOR_LOAD_IN_PROGRESS : hosted;
  }

  /** Every loaded shard, and the error of the first partition still loading (ListGroups). */
  activeShards(): { shards: GroupCoordinatorShard[]; loadingError: number } {
    const shards: GroupCoordinatorShard[] = [];
    let loadingError: number = ErrorCode.NONE;
    for (const hosted of this.shards.values()) {
      if (hosted.status === 'active') shards.push(hosted.shard);
      else loadingError = ErrorCode.COORDINATOR_LOAD_IN_PROGRESS;
    }
    return { shards, loadingError };
  }

  /**
   * Runs a classic-protocol operation: its reply may come at once, after its records commit, or
   * from a later operation (a parked JoinGroup or SyncGroup). `failed` builds the answer for a
   * request that cannot reach its shard.
   */
  runGroupOperation<T extends GroupReply['response']>(
    groupId: string,
    caller: CallerContext,
    failed: (errorCode: number) => T,
    operation: (shard: GroupCoordinatorShard, ctx: RequestContext) => GroupEffects,
  ): Promise<T> {
    const hosted = this.shardFor(groupId);
    if (typeof hosted === 'number') return Promise.resolve(failed(hosted));
    const to = this.nextReplyTo++;
    const answered = new Promise<T>((resolve) => {
      // The shard answers a handle with a reply of the API that was asked.
      hosted.waiting.set(to, (answer) => resolve('response' in answer ? (answer.response as T) : failed(answer.errorCode)));
    });
    this.apply(hosted, operation(hosted.shard, { ...caller, to, now: this.params.clock.now() }));
    return answered;
  }

  /**
   * Runs an operation that answers once its records are committed (offset commits, deletions,
   * consumer-group heartbeats). It sees the topics of the latest metadata image.
   */
  async runWrite<T>(
    groupId: string,
    failed: (errorCode: number) => T,
    operation: (shard: GroupCoordinatorShard, now: number, topics: TopicsView) => ShardResult<T>,
  ): Promise<T> {
    const hosted = this.shardFor(groupId);
    if (typeof hosted === 'number') return failed(hosted);
    const result = operation(hosted.shard, this.params.clock.now(), this.topics());
    this.reschedule(hosted);
    const errorCode = await this.append(hosted, result.records);
    return errorCode === ErrorCode.NONE ? result.response : failed(errorCode);
  }

  /** Runs a read-only operation on the group's shard. */
  read<T>(groupId: string, failed: (errorCode: number) => T, operation: (shard: GroupCoordinatorShard, topics: TopicsView) => T): T {
    const hosted = this.shardFor(groupId);
    return typeof hosted === 'number' ? failed(hosted) : operation(hosted.shard, this.topics());
  }

  private topics(): TopicsView {
    return imageTopics(this.params.replicas.image);
  }

  /** Removes expired offsets on every loaded shard (every offsets.retention.check.interval.ms). */
  async expireOffsets(): Promise<void> {
    const now = this.params.clock.now();
    const writes = [...this.shards.values()]
      .filter((hosted) => hosted.status === 'active')
      .map((hosted) => this.append(hosted, hosted.shard.expireOffsets(now)));
    await Promise.all(writes);
  }

  /** Answers every parked request with NOT_COORDINATOR and stops the timers (broker shutdown). */
  close(): void {
    for (const hosted of [...this.shards.values()]) this.unload(hosted);
  }

  private apply(hosted: HostedShard, effects: ShardEffects): void {
    for (const reply of effects.replies) this.answer(hosted, reply);
    const afterCommit = effects.repliesAfterCommit;
    void this.append(hosted, effects.records).then((errorCode) => {
      for (const reply of afterCommit) this.answer(hosted, errorCode === ErrorCode.NONE ? reply : { to: reply.to, errorCode });
    });
    this.reschedule(hosted);
  }

  private answer(hosted: HostedShard, reply: Answer): void {
    const answer = hosted.waiting.get(reply.to);
    if (answer === undefined) return;
    hosted.waiting.delete(reply.to);
    answer(reply);
  }

  /**
   * Appends records as one batch with acks=all. Resolves with NONE once committed, or with the
   * error the requests waiting on it answer (Kafka's CoordinatorRuntime error translation).
   */
  private async append(hosted: HostedShard, records: readonly CoordinatorRecord[]): Promise<number> {
    if (records.length === 0) return ErrorCode.NONE;
    const now = this.params.clock.now();
    const batch = buildRecordBatch({ records: records.map((r) => ({ ...encodeCoordinatorRecord(r), timestamp: now })) });
    const [result] = await this.params.replicas.appendRecords(
      {
        acks: ACKS_ALL,
        timeoutMs: this.params.commitTimeoutMs,
        internalTopicsAllowed: true,
        entries: [{ topic: GROUP_METADATA_TOPIC_NAME, partition: hosted.partition, records: batch }],
      },
      'coordinator',
    );
    if (result.errorCode !== ErrorCode.NONE) {
      this.log.error({ partition: hosted.partition, errorCode: result.errorCode, records: records.length }, 'appending group coordinator records failed');
    }
    return coordinatorError(result.errorCode);
  }

  private reschedule(hosted: HostedShard): void {
    hosted.cancelTimer?.();
    hosted.cancelTimer = null;
    const deadline = hosted.shard.nextDeadline();
    if (deadline === undefined) return;
    hosted.cancelTimer = this.params.scheduler.schedule(deadline - this.params.clock.now(), () => {
      hosted.cancelTimer = null;
      if (this.shards.get(hosted.partition) !== hosted) return;
      this.apply(hosted, hosted.shard.tick(this.params.clock.now(), this.topics()));
    });
  }
}

/** A reply, or an error in its place: the caller's `failed` then builds the response. */
type Answer = GroupReply | { readonly to: ReplyTo; readonly errorCode: number };

const INT32_MIN = -2147483648;

/** How a failed append reaches the client (Kafka's CoordinatorRuntime / GroupCoordinatorService). */
function coordinatorError(errorCode: number): number {
  switch (errorCode) {
    case ErrorCode.UNKNOWN_TOPIC_OR_PARTITION:
    case ErrorCode.NOT_ENOUGH_REPLICAS:
    case ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND:
    case ErrorCode.REQUEST_TIMED_OUT:
      return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    case ErrorCode.NOT_LEADER_OR_FOLLOWER:
    case ErrorCode.KAFKA_STORAGE_ERROR:
      return ErrorCode.NOT_COORDINATOR;
    case ErrorCode.MESSAGE_TOO_LARGE:
    case ErrorCode.RECORD_LIST_TOO_LARGE:
    case ErrorCode.INVALID_FETCH_SIZE:
      return ErrorCode.UNKNOWN_SERVER_ERROR;
    default:
      return errorCode;
  }
}

/** Java's String.hashCode over UTF-16 code units, as a signed 32-bit integer. */
function javaStringHash(s: string): number {
  let hash = 0;
  for (let i = 0; i < s.length; i++) hash = (Math.imul(hash, 31) + s.charCodeAt(i)) | 0;
  return hash;
}
