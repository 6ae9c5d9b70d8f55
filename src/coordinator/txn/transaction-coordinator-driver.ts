import { TRANSACTION_STATE_TOPIC_NAME } from '../../metadata/controller/topic-names.js';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import type { Partition } from '../../replication/partition.js';
import type { ReplicaManager, TxnMarkerEntry, TxnMarkerResult } from '../../replication/replica-manager.js';
import type { Scheduler } from '../../replication/scheduler.js';
import type { Clock } from '../../util/clock.js';
import { coordinatorPartitionFor } from '../../util/coordinator-partition.js';
import type { Logger } from '../../util/logger.js';
import { activeShards, appendCoordinatorRecords, reconcileShards, replayCoordinatorPartition } from '../coordinator-log-driver.js';
import type { TopicPartition } from './transaction-metadata.js';
import { type MarkerRequest, type TransactionCoordinatorConfig, TransactionCoordinatorShard, type TxnResult } from './transaction-shard.js';
import { decodeTxnRecord, encodeTxnRecord } from './txn-record-serde.js';

/** Writes markers to the partitions of transactions: locally, or through WriteTxnMarkers to other leaders. */
export type TxnMarkerWriter = (entries: readonly TxnMarkerEntry[]) => Promise<TxnMarkerResult[]>;

export interface TransactionCoordinatorParams {
  readonly replicas: ReplicaManager;
  readonly clock: Clock;
  readonly scheduler: Scheduler;
  readonly logger: Logger;
  readonly config: TransactionCoordinatorConfig;
  /** How long an append to `__transaction_state` may wait for the replicas. */
  readonly writeTimeoutMs: number;
  readonly writeMarkers: TxnMarkerWriter;
  /** Whether a topic still exists: markers for a deleted topic's partitions count as written. */
  readonly topicExists: (topic: string) => boolean;
}

interface HostedShard {
  status: 'loading' | 'active';
  readonly partition: number;
  readonly leaderEpoch: number;
  readonly shard: TransactionCoordinatorShard;
  /** The appends decided so far, in order: an answer goes out once everything before it is committed. */
  appended: Promise<number>;
  cancelTimer: (() => void) | null;
}

/** How long to wait before sending markers again to partitions whose leader could not take them. */
const MARKER_RETRY_BACKOFF_MS = 100;

/** Marker errors after which this coordinator stops sending: it was fenced, or the producer moved on. */
const MARKER_GIVE_UP_ERRORS: ReadonlySet<number> = new Set([ErrorCode.INVALID_PRODUCER_EPOCH, ErrorCode.TRANSACTION_COORDINATOR_FENCED]);

/**
 * Runs the transaction coordinator's shards on the `__transaction_state` partitions this broker
 * leads (Kafka's TransactionCoordinator with its TransactionStateManager and marker channel):
 * loads a shard by replaying its partition when the broker becomes leader, runs each request on
 * the shard of its transactional id, appends what the shard decided with acks=all and answers once
 * it is committed, then writes the transaction markers the shard asked for and reports them back
 * until the transaction is complete. The shards' periodic checks (timed-out transactions, expired
 * ids) fire on the broker's clock.
 */
export class TransactionCoordinator {
  private readonly shards = new Map<number, HostedShard>();
  private readonly log: Logger;

  constructor(private readonly params: TransactionCoordinatorParams) {
    this.log = params.logger.child({ module: 'transaction-coordinator' });
  }

  /** Loads the shards of partitions this broker now leads and drops the others (after each metadata image). */
  onPartitionsChanged(): void {
    reconcileShards(this.params.replicas, TRANSACTION_STATE_TOPIC_NAME, this.shards, { load: (partition) => this.load(partition), unload: (hosted) => this.unload(hosted) });
  }


  private partitionCount(): number {
    return this.params.replicas.image.topicsByName.get(TRANSACTION_STATE_TOPIC_NAME)?.partitions.size ?? 0;
  }

  private load(partition: Partition): void {
    const hosted: HostedShard = {
      status: 'loading',
      partition: partition.topicPartition.partition,
      leaderEpoch: partition.leaderEpoch,
      shard: new TransactionCoordinatorShard(this.params.config, partition.leaderEpoch),
      appended: Promise.resolve(ErrorCode.NONE),
      cancelTimer: null,
    };
    this.shards.set(hosted.partition, hosted);
    const isCurrent = (): boolean => this.shards.get(hosted.partition) === hosted;
    replayCoordinatorPartition(partition, isCurrent, (record) => {
      if (record.key === null) return;
      const decoded = decodeTxnRecord(record.key, record.value);
      if (decoded !== null) hosted.shard.replay(decoded);
    })
      .then((records) => {
        if (!isCurrent()) return;
        hosted.status = 'active';
        void this.apply(hosted, hosted.shard.onLoaded(this.params.clock.now()));
        this.log.info({ partition: hosted.partition, records }, 'loaded transaction coordinator partition');
      })
      .catch((err: Error) => {
        this.log.error({ partition: hosted.partition, err: err.message }, 'loading a transaction coordinator partition failed');
        if (isCurrent()) this.shards.delete(hosted.partition);
      });
  }

  private unload(hosted: HostedShard): void {
    this.shards.delete(hosted.partition);
    hosted.cancelTimer?.();
    this.log.info({ partition: hosted.partition }, 'unloaded transaction coordinator partition');
  }

  /** The shard that holds `transactionalId`, or the error its requests get. */
  private shardFor(transactionalId: string): HostedShard | number {
    const partitionCount = this.partitionCount();
    if (partitionCount === 0) return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    const hosted = this.shards.get(coordinatorPartitionFor(transactionalId, partitionCount));
    if (hosted === undefined) return ErrorCode.NOT_COORDINATOR;
    return hosted.status === 'loading' ? ErrorCode.COORDINATOR_LOAD_IN_PROGRESS : hosted;
  }

  /**
   * Runs an operation on the transactional id's shard and answers once its records, and every
   * record decided before them, are committed; the markers it decided are written after that.
   */
  async run<T>(transactionalId: string, failed: (errorCode: number) => T, operation: (shard: TransactionCoordinatorShard, now: number) => TxnResult<T>): Promise<T> {
    const hosted = this.shardFor(transactionalId);
    if (typeof hosted === 'number') return failed(hosted);
    const result = operation(hosted.shard, this.params.clock.now());
    const errorCode = await this.apply(hosted, result);
    return errorCode === ErrorCode.NONE ? result.response : failed(errorCode);
  }

  /** Runs a read-only operation on the transactional id's shard. */
  read<T>(transactionalId: string, failed: (errorCode: number) => T, operation: (shard: TransactionCoordinatorShard) => T): T {
    const hosted = this.shardFor(transactionalId);
    return typeof hosted === 'number' ? failed(hosted) : operation(hosted.shard);
  }

  /** Every loaded shard, and COORDINATOR_LOAD_IN_PROGRESS while one is still loading. */
  activeShards(): { shards: TransactionCoordinatorShard[]; loadingError: number } {
    return activeShards(this.shards.values());
  }


  /** Stops the timers (broker shutdown); markers in flight are sent again by the next leader's load. */
  close(): void {
    for (const hosted of [...this.shards.values()]) this.unload(hosted);
  }

  /**
   * Appends a result's records after those decided before it, then sends its markers. A failed
   * append leaves the shard ahead of its log (records are replayed as they are decided), so the
   * shard is reloaded from the log, as Kafka reverts to its last committed state.
   */
  private apply<T>(hosted: HostedShard, result: TxnResult<T>): Promise<number> {
    const records = result.records.map(encodeTxnRecord);
    const appended = hosted.appended.then(async () => {
      const { errorCode } = await appendCoordinatorRecords(this.params.replicas, {
        topic: TRANSACTION_STATE_TOPIC_NAME,
        partition: hosted.partition,
        records,
        now: this.params.clock.now(),
        timeoutMs: this.params.writeTimeoutMs,
      });
      return errorCode;
    });
    hosted.appended = appended;
    void appended.then((errorCode) => {
      if (errorCode !== ErrorCode.NONE) {
        this.log.error({ partition: hosted.partition, errorCode }, 'appending transaction records failed: reloading the partition');
        this.reload(hosted);
        return;
      }
      for (const marker of result.markers) void this.sendMarkers(hosted, marker, marker.partitions);
    });
    this.reschedule(hosted);
    return appended;
  }

  private reload(hosted: HostedShard): void {
    if (this.shards.get(hosted.partition) !== hosted) return;
    this.unload(hosted);
    this.onPartitionsChanged();
  }

  /**
   * Writes a transaction's markers to `partitions` and reports those written to the shard, which
   * completes the transaction once none is left; partitions whose leader could not take the
   * marker yet are tried again after a backoff, as long as this shard is loaded.
   */
  private async sendMarkers(hosted: HostedShard, marker: MarkerRequest, partitions: readonly TopicPartition[]): Promise<void> {
    const { producerId, producerEpoch, coordinatorEpoch, result } = marker;
    let answered: TxnMarkerResult[];
    try {
      answered = await this.params.writeMarkers([{ producerId, producerEpoch, coordinatorEpoch, commit: result === 'commit', partitions }]);
    } catch (err) {
      this.log.warn({ transactionalId: marker.transactionalId, err: (err as Error).message }, 'writing transaction markers failed: retrying');
      answered = [{ producerId, partitions: partitions.map((tp) => ({ ...tp, errorCode: ErrorCode.UNKNOWN_SERVER_ERROR })) }];
    }
    if (this.shards.get(hosted.partition) !== hosted) return;
    const written: TopicPartition[] = [];
    const retry: TopicPartition[] = [];
    for (const { topic, partition, errorCode } of answered.flatMap((a) => a.partitions)) {
      if (errorCode === ErrorCode.NONE || !this.params.topicExists(topic)) written.push({ topic, partition });
      else if (MARKER_GIVE_UP_ERRORS.has(errorCode)) this.log.warn({ transactionalId: marker.transactionalId, topic, partition, errorCode }, 'transaction marker refused');
      else retry.push({ topic, partition });
    }
    if (written.length > 0) {
      const now = this.params.clock.now();
      void this.apply(hosted, hosted.shard.markersWritten(marker.transactionalId, { producerId, producerEpoch, coordinatorEpoch, result, partitions: written }, now));
    }
    if (retry.length > 0) {
      this.params.scheduler.schedule(MARKER_RETRY_BACKOFF_MS, () => {
        if (this.shards.get(hosted.partition) === hosted) void this.sendMarkers(hosted, marker, retry);
      });
    }
  }

  private reschedule(hosted: HostedShard): void {
    hosted.cancelTimer?.();
    hosted.cancelTimer = null;
    const deadline = hosted.shard.nextDeadline();
    if (deadline === undefined) return;
    hosted.cancelTimer = this.params.scheduler.schedule(deadline - this.params.clock.now(), () => {
      hosted.cancelTimer = null;
      if (this.shards.get(hosted.partition) === hosted) void this.apply(hosted, hosted.shard.tick(this.params.clock.now()));
    });
  }
}
