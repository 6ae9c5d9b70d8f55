import { GROUP_METADATA_TOPIC_NAME } from '../../metadata/controller/topic-names.js';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import { NO_PRODUCER_ID, type RecordBatchHeader } from '../../protocol/records/batch-header.js';
import { decodeBatchRecords } from '../../protocol/records/batch-records.js';
import { ControlRecordType, readControlRecordKey } from '../../protocol/records/control-record.js';
import type { Partition } from '../../replication/partition.js';
import type { ReplicaManager } from '../../replication/replica-manager.js';
import type { Scheduler } from '../../replication/scheduler.js';
import type { Clock } from '../../util/clock.js';
import { coordinatorPartitionFor } from '../../util/coordinator-partition.js';
import type { Logger } from '../../util/logger.js';
import type { Random } from '../../util/random.js';
import type { GroupEffects, GroupReply, RequestContext, ReplyTo } from './classic-group-model.js';
import { activeShards, appendCoordinatorRecords, type CoordinatorAppendResult, reconcileShards, replayCoordinatorPartition } from '../coordinator-log-driver.js';
import type { TopicsView } from './consumer/topics-view.js';
import { imageTopics } from './image-topics.js';
import { decodeCoordinatorRecord, encodeCoordinatorRecord } from './coordinator-record-serde.js';
import type { CoordinatorRecord } from './coordinator-records.js';
import {
  type GroupCoordinatorConfig,
  GroupCoordinatorShard,
  type ShardEffects,
  type ShardResult,
  type TxnOffsetCommitDecision,
} from './group-coordinator-shard.js';

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
  /** Transaction markers written while the shard was loading, applied once it is loaded. */
  readonly markersWhileLoading: { producerId: number; commit: boolean }[];
}

/** The producer a transactional batch of coordinator records is written for. */
interface TransactionalProducer {
  readonly producerId: number;
  readonly producerEpoch: number;
}

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

  /** Loads the shards of partitions this broker now leads and drops the others (after each metadata image). */
  onPartitionsChanged(): void {
    reconcileShards(this.params.replicas, GROUP_METADATA_TOPIC_NAME, this.shards, { load: (partition) => this.load(partition), unload: (hosted) => this.unload(hosted) });
  }


  private load(partition: Partition): void {
    const hosted: HostedShard = {
      status: 'loading',
      partition: partition.topicPartition.partition,
      shard: new GroupCoordinatorShard(this.params.config, this.params.random),
      waiting: new Map(),
      cancelTimer: null,
      leaderEpoch: partition.leaderEpoch,
      markersWhileLoading: [],
    };
    this.shards.set(hosted.partition, hosted);
    const started = this.params.clock.now();
    this.replayLog(hosted, partition)
      .then((records) => {
        if (this.shards.get(hosted.partition) !== hosted) return;
        hosted.status = 'active';
        for (const { producerId, commit } of hosted.markersWhileLoading) hosted.shard.replayEndTransactionMarker(producerId, commit);
        hosted.markersWhileLoading.length = 0;
        this.apply(hosted, hosted.shard.onLoaded(this.params.clock.now()));
        this.log.info({ partition: hosted.partition, records, ms: this.params.clock.now() - started }, 'loaded group coordinator partition');
      })
      .catch((err: Error) => {
        this.log.error({ partition: hosted.partition, err: err.message }, 'loading a group coordinator partition failed');
        if (this.shards.get(hosted.partition) === hosted) this.shards.delete(hosted.partition);
      });
  }

  /**
   * Replays the partition from its start to its log end; resolves with the number of records.
   * Records of transactional batches are replayed as their producer's pending offsets, and the
   * COMMIT and ABORT markers (control batches) complete them (Kafka's CoordinatorLoaderImpl).
   */
  private replayLog(hosted: HostedShard, partition: Partition): Promise<number> {
    return replayCoordinatorPartition(
      partition,
      () => this.shards.get(hosted.partition) === hosted,
      (record, batch) => {
        if (record.key === null) return;
        const decoded = decodeCoordinatorRecord(record.key, record.value);
        if (decoded !== null) hosted.shard.replay(decoded, this.params.clock.now(), batch.isTransactional ? batch.producerId : NO_PRODUCER_ID);
      },
      (batch) => replayControlBatch(hosted.shard, batch),
    );
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
    const hosted = this.shards.get(coordinatorPartitionFor(groupId, topic.partitions.size));
    if (hosted === undefined) return ErrorCode.NOT_COORDINATOR;
    return hosted.status === 'loading' ? ErrorCode.COORDINATOR_LOAD_IN_PROGRESS : hosted;
  }

  /** Every loaded shard, and COORDINATOR_LOAD_IN_PROGRESS while one is still loading. */
  activeShards(): { shards: GroupCoordinatorShard[]; loadingError: number } {
    return activeShards(this.shards.values());
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

  /**
   * Runs a transactional offset commit (TxnOffsetCommit): the shard makes the records the
   * producer's pending offsets, and they are appended as a transactional batch of the producer
   * (its id and epoch, no sequence). An append that storage refused before writing (a fenced epoch,
   * say) is reverted on the shard; either way a failure answers with the translated error.
   */
  async runTransactionalWrite(
    groupId: string,
    failed: (errorCode: number) => TxnOffsetCommitDecision['response'],
    operation: (shard: GroupCoordinatorShard, now: number) => TxnOffsetCommitDecision,
  ): Promise<TxnOffsetCommitDecision['response']> {
    const hosted = this.shardFor(groupId);
    if (typeof hosted === 'number') return failed(hosted);
    const decision = operation(hosted.shard, this.params.clock.now());
    this.reschedule(hosted);
    const { errorCode, written } = await this.appendBatch(hosted, decision.records, decision);
    if (!written) hosted.shard.revertTransactionalOffsets(decision);
    return errorCode === ErrorCode.NONE ? decision.response : failed(errorCode);
  }

  /**
   * A COMMIT (`commit` true) or ABORT marker of `producerId` was written to partition `partition`
   * of `__consumer_offsets`: the producer's pending offsets on that shard become committed or are
   * dropped. Markers for a partition this broker does not lead are ignored (the shard that loads it
   * later reads the marker from the log); during a load they wait until the load is done.
   */
  completeTransaction(partition: number, producerId: number, commit: boolean): void {
    const hosted = this.shards.get(partition);
    if (hosted === undefined) return;
    if (hosted.status === 'loading') hosted.markersWhileLoading.push({ producerId, commit });
    else hosted.shard.replayEndTransactionMarker(producerId, commit);
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
    return (await this.appendBatch(hosted, records)).errorCode;
  }

  /** {@link append}, also saying whether the batch reached the log (it may have, even when acks=all then failed). */
  private async appendBatch(
    hosted: HostedShard,
    records: readonly CoordinatorRecord[],
    producer?: TransactionalProducer,
  ): Promise<CoordinatorAppendResult> {
    const result = await appendCoordinatorRecords(this.params.replicas, {
      topic: GROUP_METADATA_TOPIC_NAME,
      partition: hosted.partition,
      records: records.map(encodeCoordinatorRecord),
      now: this.params.clock.now(),
      timeoutMs: this.params.commitTimeoutMs,
      producer,
    });
    if (result.errorCode !== ErrorCode.NONE) {
      this.log.error({ partition: hosted.partition, errorCode: result.errorCode, records: records.length }, 'appending group coordinator records failed');
      // A refused transactional commit is rolled back by its caller (a zombie producer must not
      // unload every group of the partition); any other failure leaves the shard ahead of its log.
      if (producer === undefined) this.reload(hosted);
    }
    return result;
  }

  /**
   * The shard applied records its log may not hold (they are replayed as they are decided), so it
   * is rebuilt from the log, as Kafka reverts to its last committed state.
   */
  private reload(hosted: HostedShard): void {
    if (this.shards.get(hosted.partition) !== hosted) return;
    this.unload(hosted);
    this.onPartitionsChanged();
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

/**
 * A control batch read during a load: a COMMIT or ABORT marker completes its producer's
 * transaction; other control records (none are expected here) are skipped.
 */
function replayControlBatch(shard: GroupCoordinatorShard, batch: RecordBatchHeader): void {
  const [record] = decodeBatchRecords(batch);
  if (record === undefined) return;
  const { type } = readControlRecordKey(record.key);
  if (type === ControlRecordType.Commit || type === ControlRecordType.Abort) {
    shard.replayEndTransactionMarker(batch.producerId, type === ControlRecordType.Commit);
  }
}

/** A reply, or an error in its place: the caller's `failed` then builds the response. */
type Answer = GroupReply | { readonly to: ReplyTo; readonly errorCode: number };
