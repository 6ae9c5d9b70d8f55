import { GROUP_METADATA_TOPIC_NAME, isInternalTopic } from '../metadata/controller/topic-names.js';
import { MetadataImage } from '../metadata/image.js';
import { ErrorCode } from '../protocol/generated/error-codes.js';
import { buildTxnMarkerBatch, ControlRecordType } from '../protocol/records/control-record.js';
import type { AppendOrigin } from '../storage/append-validation.js';
import { InvalidRecordError, InvalidTimestampError, KafkaStorageError, OffsetOutOfRangeError } from '../storage/errors.js';
import type { TopicPartition } from '../storage/file-names.js';
import { hasDeletePolicy, isCompacted } from '../storage/log-config.js';
import type { LogManager } from '../storage/log-manager.js';
import type { LogAppendInfo } from '../storage/partition-log.js';
import type { Clock } from '../util/clock.js';
import type { KafkaError } from '../util/kafka-error.js';
import type { Logger } from '../util/logger.js';
import type { Random } from '../util/random.js';
import { batchViews } from './batch-views.js';
import { errorCodeOf, isExpectedError, kafkaError } from './errors.js';
import { type FetchedPartition, loadFetched, type PendingPartition, pendingPartition, refusedPartition } from './fetched-partition.js';
import {
  type FetchContext,
  type FetchPartitionId,
  FetchSessionCache,
  type FetchTarget,
  INVALID_SESSION_ID,
} from './fetch-session.js';
import { isTimestampUnsupported, legacyOffsetsBefore, NO_OFFSET, type OffsetAnswer, offsetForTimestamp } from './list-offsets.js';
import { failedRead, type LogReadResult, type ReadParams, readPartition } from './log-reads.js';
import { type EpochEndOffsetResult, Partition, partitionKey } from './partition.js';
import { toStoredRecords } from './produce-records.js';
import { Purgatory, type DelayedOperation } from './purgatory.js';
import { type RecordError, recordValidationError, RecordValidationError } from './record-validation.js';
import type { Scheduler } from './scheduler.js';
import type { ReplicaTopicConfig } from './topic-config.js';

export interface ReplicaManagerParams {
  readonly nodeId: number;
  readonly logManager: LogManager;
  /** log.dirs, as DescribeLogDirs lists them. */
  readonly logDirs: readonly string[];
  /** A topic's effective configuration in `image` (its overrides over the broker's values). */
  readonly topicConfig: (topic: string, image: MetadataImage) => ReplicaTopicConfig;
  readonly clock: Clock;
  /** Times out delayed fetches and produces. */
  readonly scheduler: Scheduler;
  /** Draws fetch session ids. */
  readonly random: Random;
  readonly logger: Logger;
  /** fetch.max.bytes: the most one fetch returns, whatever it asks for. */
  readonly fetchMaxBytes: number;
  /** max.incremental.fetch.session.cache.slots. */
  readonly fetchSessionCacheSlots?: number;
  /** min.incremental.fetch.session.eviction.ms. */
  readonly fetchSessionEvictionMs?: number;
  /** How long a transaction marker waits for the ISR (Kafka uses request.timeout.ms, 30 s by default). */
  readonly txnMarkerTimeoutMs?: number;
  /**
   * Called once a COMMIT or ABORT marker of `producerId` is written and replicated on a
   * `__consumer_offsets` partition (Kafka calls the group coordinator's onTransactionCompleted
   * there), so that transactional offset commits become visible or are dropped. Can also be set
   * later with `setTxnMarkerListener`. If it throws, that partition answers UNKNOWN_SERVER_ERROR.
   */
  readonly onTxnMarkerWritten?: TxnMarkerListener;
}

/** See ReplicaManagerParams.onTxnMarkerWritten. */
export type TxnMarkerListener = (tp: TopicPartition, producerId: number, commit: boolean) => void;

/** The markers of one producer's transaction, as WriteTxnMarkers carries them. */
export interface TxnMarkerEntry {
  readonly producerId: number;
  readonly producerEpoch: number;
  readonly coordinatorEpoch: number;
  /** COMMIT (true) or ABORT (false). */
  readonly commit: boolean;
  readonly partitions: readonly TopicPartition[];
}

export interface TxnMarkerResult {
  readonly producerId: number;
  readonly partitions: readonly { topic: string; partition: number; errorCode: number }[];
}

export const ACKS_NONE = 0;
export const ACKS_LEADER = 1;
export const ACKS_ALL = -1;

export interface ProduceEntry {
  readonly topic: string;
  readonly partition: number;
  readonly records: Buffer | null;
}

export interface ProduceParams {
  readonly acks: number;
  /** How long acks=all may wait for the ISR. */
  readonly timeoutMs: number;
  /** Only the admin client (and the broker itself) may write to __consumer_offsets and __transaction_state. */
  readonly internalTopicsAllowed: boolean;
  readonly entries: readonly ProduceEntry[];
}

export interface ProduceResult {
  readonly errorCode: number;
  readonly baseOffset: number;
  /** The broker's append time on LogAppendTime topics, -1 otherwise. */
  readonly logAppendTime: number;
  readonly logStartOffset: number;
  readonly recordErrors: readonly RecordError[];
  readonly errorMessage: string | null;
}

export interface FetchParams {
  /** The Fetch version: it decides sessions (v7+), topic ids (v13+), limits and conversions. */
  readonly version: number;
  readonly replicaId: number;
  readonly maxWaitMs: number;
  readonly minBytes: number;
  readonly maxBytes: number;
  readonly isolationLevel: number;
  readonly sessionId: number;
  readonly sessionEpoch: number;
  /** Partitions by name (v0-v12) or by topic id (v13+, names null: resolved here). */
  readonly targets: readonly FetchTarget[];
  readonly forgotten: readonly FetchPartitionId[];
}


export interface FetchResult {
  readonly errorCode: number;
  readonly sessionId: number;
  readonly partitions: readonly FetchedPartition[];
}

export interface ListOffsetsParams {
  readonly version: number;
  readonly replicaId: number;
  readonly isolationLevel: number;
  readonly partitions: readonly { topic: string; partition: number; currentLeaderEpoch: number; timestamp: number }[];
}

export interface ListOffsetsResult extends OffsetAnswer {
  readonly errorCode: number;
}

export interface LegacyListOffsetsParams {
  readonly replicaId: number;
  readonly partitions: readonly { topic: string; partition: number; timestamp: number; maxNumOffsets: number }[];
}

export interface LegacyListOffsetsResult {
  readonly errorCode: number;
  readonly offsets: readonly number[];
}

export interface DeleteRecordsParams {
  readonly internalTopicsAllowed: boolean;
  readonly partitions: readonly { topic: string; partition: number; offset: number }[];
}

export interface DeleteRecordsResult {
  readonly errorCode: number;
  readonly lowWatermark: number;
}

export interface LogDirDescription {
  readonly dir: string;
  readonly offline: boolean;
  readonly topics: readonly { name: string; partitions: readonly { partition: number; size: number; offsetLag: number }[] }[];
}

/** One producer id's state on a partition, as DescribeProducers reports it. */
export interface ActiveProducer {
  readonly producerId: number;
  readonly producerEpoch: number;
  readonly lastSequence: number;
  readonly lastTimestamp: number;
  readonly coordinatorEpoch: number;
  /** -1 without an open transaction. */
  readonly currentTxnStartOffset: number;
}

export interface ActiveProducersResult {
  readonly errorCode: number;
  readonly producers: readonly ActiveProducer[];
}

/** The leader a client should turn to after NOT_LEADER_OR_FOLLOWER, and where to reach it (KIP-951). */
export interface LeaderNode {
  readonly leaderId: number;
  readonly leaderEpoch: number;
  readonly node: { readonly nodeId: number; readonly host: string; readonly port: number; readonly rack: string | null } | null;
}

/** Kafka's default request.timeout.ms, which bounds its wait for markers to replicate. */
const DEFAULT_TXN_MARKER_TIMEOUT_MS = 30_000;
/** Consumers' replica id in Fetch and ListOffsets; ListOffsets' debugging tools use -2. */
const CONSUMER_REPLICA_ID = -1;
const DEBUGGING_REPLICA_ID = -2;
/** DeleteRecords' offset meaning "up to the high watermark". */
const DELETE_TO_HIGH_WATERMARK = -1;
const EMPTY = Buffer.alloc(0);
/** Fetch v11 lets consumers read from followers (KIP-392). */
const FIRST_FOLLOWER_READ_VERSION = 11;

/** Errors Kafka answers without a log start offset (its UNKNOWN_LOG_APPEND_INFO). */
const ANSWERED_WITHOUT_LOG_START: ReadonlySet<number> = new Set([
  ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
  ErrorCode.NOT_LEADER_OR_FOLLOWER,
  ErrorCode.MESSAGE_TOO_LARGE,
  ErrorCode.RECORD_LIST_TOO_LARGE,
  ErrorCode.CORRUPT_MESSAGE,
  ErrorCode.KAFKA_STORAGE_ERROR,
  ErrorCode.INVALID_TOPIC_EXCEPTION,
]);

interface Appended {
  readonly tp: TopicPartition;
  readonly key: string;
  result: ProduceResult;
  /** acks=all waits until the high watermark reaches this; null when the append failed. */
  readonly requiredOffset: number | null;
}

/**
 * The data plane of one broker (Kafka's ReplicaManager): the partitions it hosts, created and
 * removed as metadata images arrive, and Produce, Fetch, ListOffsets, OffsetForLeaderEpoch,
 * DeleteRecords and DescribeLogDirs against their logs. Appends run synchronously from request
 * to log, so a partition takes produces strictly in arrival order. Long-poll fetches and
 * acks=all produces wait in purgatories that appends and leadership changes wake up.
 */
export class ReplicaManager {
  private readonly partitions = new Map<string, Partition>();
  private currentImage = MetadataImage.EMPTY;
  private imageChain: Promise<void> = Promise.resolve();
  private readonly fetchPurgatory: Purgatory;
  private readonly producePurgatory: Purgatory;
  private readonly sessions: FetchSessionCache;
  private readonly log: Logger;
  private txnMarkerListener: TxnMarkerListener | null;

  constructor(private readonly params: ReplicaManagerParams) {
    this.txnMarkerListener = params.onTxnMarkerWritten ?? null;
    this.fetchPurgatory = new Purgatory(params.scheduler);
    this.producePurgatory = new Purgatory(params.scheduler);
    this.sessions = new FetchSessionCache({
      maxSessions: params.fetchSessionCacheSlots ?? 1000,
      evictionMs: params.fetchSessionEvictionMs ?? 120_000,
      random: params.random,
    });
    this.log = params.logger.child({ module: 'replica-manager' });
  }

  /** The image last applied. */
  get image(): MetadataImage {
    return this.currentImage;
  }

  /** Live incremental fetch sessions. */
  get fetchSessionCount(): number {
    return this.sessions.size;
  }

  /** Fetches and produces waiting in purgatory. */
  get delayedCount(): number {
    return this.fetchPurgatory.size + this.producePurgatory.size;
  }

  /** The partition if this broker hosts it. */
  hostedPartition(tp: TopicPartition): Partition | undefined {
    return this.partitions.get(partitionKey(tp));
  }

  /** Whether the metadata knows the partition at all. */
  knowsPartition(tp: TopicPartition): boolean {
    return this.currentImage.topicsByName.get(tp.topic)?.partitions.has(tp.partition) ?? false;
  }

  /**
   * Brings the hosted partitions in line with a metadata image (Kafka's applyDelta): partitions
   * this broker no longer replicates (deleted topics, moved replicas) lose their logs; new ones get
   * a log with the topic's config; every hosted partition takes its leader, epochs and ISR from the
   * image; changed topic or broker configs reach the logs. Images are applied one at a time.
   * Logs found on disk for partitions the image does not give this broker are left alone.
   */
  applyImage(image: MetadataImage): Promise<void> {
    const run = this.imageChain.then(() => this.applyNow(image));
    this.imageChain = run.catch(() => undefined);
    return run;
  }

  /** Resolves once every image handed to applyImage so far is applied (or has failed to be). */
  imagesApplied(): Promise<void> {
    return this.imageChain;
  }

  private async applyNow(image: MetadataImage): Promise<void> {
    const previous = this.currentImage;
    this.currentImage = image;
    const now = this.params.clock.now();
    for (const [key, partition] of [...this.partitions]) {
      const state = image.topicsById.get(partition.topicId)?.partitions.get(partition.topicPartition.partition);
      if (state !== undefined && state.replicas.includes(this.params.nodeId)) continue;
      this.partitions.delete(key);
      this.wakeDelayed(key);
      await this.params.logManager.deleteLog(partition.topicPartition, now);
    }
    const { nodeId } = this.params;
    const brokerConfigsChanged =
      previous.brokerConfigs('') !== image.brokerConfigs('') || previous.brokerConfigs(nodeId) !== image.brokerConfigs(nodeId);
    for (const topic of image.topicsById.values()) {
      const configChanged = brokerConfigsChanged || previous.topicConfigs(topic.name) !== image.topicConfigs(topic.name);
      let config: ReplicaTopicConfig | null = null;
      const configOf = (): ReplicaTopicConfig => (config ??= this.params.topicConfig(topic.name, image));
      for (const state of topic.partitions.values()) {
        if (!state.replicas.includes(nodeId)) continue;
        const tp = { topic: topic.name, partition: state.partitionId };
        const key = partitionKey(tp);
        let partition = this.partitions.get(key);
        if (partition === undefined) {
          let log;
          try {
            log = await this.params.logManager.getOrCreateLog(tp, now, topic.id);
          } catch (err) {
            // No online log directory can take it: the partition stays offline here.
            if (!(err instanceof KafkaStorageError)) throw err;
            this.log.error({ err, partition: key }, 'cannot create the log of a partition');
            continue;
          }
          partition = new Partition(tp, topic.id, log, nodeId, configOf());
          log.updateConfig(partition.config);
          this.partitions.set(key, partition);
        } else if (configChanged) {
          partition.config = configOf();
          partition.log.updateConfig(partition.config);
        }
        partition.update(state);
        this.wakeDelayed(key);
      }
    }
  }

  /** Delayed fetches and produces on a partition check again: its leader, epoch, ISR or high watermark may have changed. */
  private wakeDelayed(key: string): void {
    this.fetchPurgatory.checkAndComplete(key);
    this.producePurgatory.checkAndComplete(key);
  }

  /** Answers every waiting fetch and produce now, with what there is (broker shutdown). */
  expireDelayed(): void {
    this.fetchPurgatory.expireAll();
    this.producePurgatory.expireAll();
  }

  // ---------------------------------------------------------------- Produce

  /**
   * Appends each entry to its partition as leader, in order and synchronously, then answers:
   * at once for acks 0 and 1, once the high watermark covers the appends for acks=all (at once
   * while the ISR is this broker alone), or REQUEST_TIMED_OUT after `timeoutMs`. An acks value
   * other than -1, 0 or 1 fails every entry with INVALID_REQUIRED_ACKS.
   */
  appendRecords(params: ProduceParams, origin: AppendOrigin = 'client'): Promise<ProduceResult[]> {
    if (params.acks !== ACKS_ALL && params.acks !== ACKS_NONE && params.acks !== ACKS_LEADER) {
      return Promise.resolve(params.entries.map(() => failedProduce(ErrorCode.INVALID_REQUIRED_ACKS, -1)));
    }
    const now = this.params.clock.now();
    const appended = params.entries.map((entry) => this.appendToLocalLog(entry, params, origin, now));
    if (params.acks !== ACKS_ALL) return Promise.resolve(appended.map((a) => a.result));
    return new Promise((resolve) => {
      const waiting = new Set(appended.filter((a) => a.requiredOffset !== null));
      const settle = (a: Appended, timedOut: boolean): void => {
        const check = this.replicationCheck(a);
        if (!check.done && !timedOut) return;
        const errorCode = check.done ? check.errorCode : ErrorCode.REQUEST_TIMED_OUT;
        if (errorCode !== ErrorCode.NONE) a.result = { ...a.result, errorCode };
        waiting.delete(a);
      };
      const operation: DelayedOperation = {
        tryComplete: () => {
          for (const a of [...waiting]) settle(a, false);
          if (waiting.size > 0) return false;
          resolve(appended.map((a) => a.result));
          return true;
        },
        expire: () => {
          for (const a of [...waiting]) settle(a, true);
          resolve(appended.map((a) => a.result));
        },
      };
      this.producePurgatory.tryCompleteElseWatch(operation, [...new Set([...waiting].map((a) => a.key))], params.timeoutMs);
    });
  }

  /** Sets (or with null removes) the listener of ReplicaManagerParams.onTxnMarkerWritten. */
  setTxnMarkerListener(listener: TxnMarkerListener | null): void {
    this.txnMarkerListener = listener;
  }

  // ---------------------------------------------------------------- Transaction markers

  /**
   * Writes the COMMIT (`commit`) or ABORT marker of each entry to each of its partitions (Kafka's
   * handleWriteTxnMarkersRequest): a one-record control batch with the producer id and epoch and
   * the coordinator epoch, appended as the broker's own write (origin `coordinator`: only the
   * producer epoch and coordinator epoch are checked) with acks=all, so each partition's answer
   * comes once the marker is replicated, or REQUEST_TIMED_OUT after `txnMarkerTimeoutMs`.
   * Per-partition errors: UNKNOWN_TOPIC_OR_PARTITION when this broker does not host the partition
   * (as Kafka's onlinePartition check), NOT_LEADER_OR_FOLLOWER when it does not lead it,
   * NOT_ENOUGH_REPLICAS, INVALID_PRODUCER_EPOCH (an epoch older than the partition has seen),
   * TRANSACTION_COORDINATOR_FENCED (an older coordinator epoch), KAFKA_STORAGE_ERROR. The
   * transaction coordinator calls this for partitions led here; WriteTxnMarkers for the others.
   * One result per entry, partitions in request order.
   */
  async appendTxnMarkers(entries: readonly TxnMarkerEntry[]): Promise<TxnMarkerResult[]> {
    return Promise.all(entries.map((entry) => this.appendTxnMarker(entry)));
  }

  private async appendTxnMarker(entry: TxnMarkerEntry): Promise<TxnMarkerResult> {
    const now = this.params.clock.now();
    const errors = new Map<string, number>();
    const hosted: TopicPartition[] = [];
    for (const tp of entry.partitions) {
      if (this.partitions.has(partitionKey(tp))) hosted.push(tp);
      else errors.set(partitionKey(tp), ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    }
    const type = entry.commit ? ControlRecordType.Commit : ControlRecordType.Abort;
    const results =
      hosted.length === 0
        ? []
        : await this.appendRecords(
            {
              acks: ACKS_ALL,
              timeoutMs: this.params.txnMarkerTimeoutMs ?? DEFAULT_TXN_MARKER_TIMEOUT_MS,
              internalTopicsAllowed: true,
              entries: hosted.map((tp) => ({
                ...tp,
                records: buildTxnMarkerBatch({
                  type,
                  producerId: entry.producerId,
                  producerEpoch: entry.producerEpoch,
                  coordinatorEpoch: entry.coordinatorEpoch,
                  timestamp: now,
                }),
              })),
            },
            'coordinator',
          );
    hosted.forEach((tp, i) => {
      let errorCode = results[i].errorCode;
      if (errorCode === ErrorCode.NONE && tp.topic === GROUP_METADATA_TOPIC_NAME && this.txnMarkerListener !== null) {
        try {
          this.txnMarkerListener(tp, entry.producerId, entry.commit);
        } catch (err) {
          this.log.error({ err, partition: partitionKey(tp) }, 'the offsets of a completed transaction could not be applied');
          errorCode = ErrorCode.UNKNOWN_SERVER_ERROR;
        }
      }
      errors.set(partitionKey(tp), errorCode);
    });
    const partitions = entry.partitions.map((tp) => ({ topic: tp.topic, partition: tp.partition, errorCode: errors.get(partitionKey(tp))! }));
    return { producerId: entry.producerId, partitions };
  }

  private replicationCheck(appended: Appended): { done: boolean; errorCode: number } {
    const partition = this.partitions.get(appended.key);
    if (partition === undefined) return { done: true, errorCode: this.notHostedError(appended.tp).errorCode };
    return partition.checkEnoughReplicasReachOffset(appended.requiredOffset!);
  }

  private appendToLocalLog(entry: ProduceEntry, params: ProduceParams, origin: AppendOrigin, now: number): Appended {
    const tp = { topic: entry.topic, partition: entry.partition };
    const key = partitionKey(tp);
    if (isInternalTopic(entry.topic) && !params.internalTopicsAllowed) {
      return { tp, key, result: failedProduce(ErrorCode.INVALID_TOPIC_EXCEPTION, -1), requiredOffset: null };
    }
    const partition = this.partitions.get(key);
    try {
      if (partition === undefined) throw this.notHostedError(tp);
      if (!partition.isLeader) {
        throw kafkaError(ErrorCode.NOT_LEADER_OR_FOLLOWER, `Leader not local for partition ${partition.name} on broker ${this.params.nodeId}`);
      }
      if (params.acks === ACKS_ALL && partition.isUnderMinIsr) {
        const minIsr = partition.config['min.insync.replicas'];
        throw kafkaError(
          ErrorCode.NOT_ENOUGH_REPLICAS,
          `The size of the current ISR ${partition.isr.length} is insufficient to satisfy the min.isr requirement of ${minIsr} for partition ${partition.name}`,
        );
      }
      const records = toStoredRecords(entry.records ?? EMPTY, partition.config, now, partition.name);
      const info = this.appendAsLeader(partition, records, now, origin);
      const highWatermarkMoved = partition.maybeIncrementHighWatermark();
      this.fetchPurgatory.checkAndComplete(key);
      if (highWatermarkMoved) this.producePurgatory.checkAndComplete(key);
      const result: ProduceResult = {
        errorCode: ErrorCode.NONE,
        baseOffset: info.firstOffset,
        logAppendTime: info.logAppendTime,
        logStartOffset: info.logStartOffset,
        recordErrors: [],
        errorMessage: null,
      };
      return { tp, key, result, requiredOffset: info.lastOffset + 1 };
    } catch (err) {
      return { tp, key, result: this.failedAppend(err, partition), requiredOffset: null };
    }
  }

  /** Storage checks batch headers; when it refuses records, Kafka's per-record errors say which (Produce v8+). */
  private appendAsLeader(partition: Partition, records: Buffer, now: number, origin: AppendOrigin): LogAppendInfo {
    try {
      return partition.log.appendAsLeader(records, partition.leaderEpoch, now, origin);
    } catch (err) {
      if (err instanceof InvalidTimestampError || (err instanceof InvalidRecordError && isCompacted(partition.config))) {
        const batches = batchViews(records);
        const detailed = batches === null ? null : recordValidationError(batches, partition.config, now, partition.name);
        if (detailed !== null) throw detailed;
      }
      throw err;
    }
  }

  private failedAppend(err: unknown, partition: Partition | undefined): ProduceResult {
    const errorCode = errorCodeOf(err);
    if (!isExpectedError(err)) this.log.error({ err, partition: partition?.name }, 'unexpected error appending records');
    const logStartOffset = partition?.log.logStartOffset ?? -1;
    if (err instanceof RecordValidationError) {
      return { ...failedProduce(errorCode, logStartOffset), recordErrors: err.recordErrors, errorMessage: err.message };
    }
    return failedProduce(errorCode, ANSWERED_WITHOUT_LOG_START.has(errorCode) ? -1 : logStartOffset);
  }

  /** A partition this broker does not host: some other broker's if the metadata knows it. */
  private notHostedError(tp: TopicPartition): KafkaError {
    const name = partitionKey(tp);
    return this.knowsPartition(tp)
      ? kafkaError(ErrorCode.NOT_LEADER_OR_FOLLOWER, `Broker ${this.params.nodeId} does not host ${name}`)
      : kafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Unknown partition ${name}`);
  }

  // ---------------------------------------------------------------- Fetch

  /**
   * Serves a fetch (Kafka's handleFetchRequest and fetchMessages): resolves topic ids, applies the
   * fetch session (KIP-227), reads every partition in order within maxBytes (the first partition
   * with data returns at least one whole batch from v3), and answers at once if the request does
   * not wait, minBytes are there, or a partition failed or diverged; otherwise the fetch waits
   * until an append brings minBytes or maxWaitMs passes, then reads again.
   */
  fetch(params: FetchParams): Promise<FetchResult> {
    const now = this.params.clock.now();
    const image = this.currentImage;
    const usesTopicIds = params.version >= 13;
    const resolve = <T extends FetchPartitionId>(id: T): T =>
      usesTopicIds ? { ...id, topic: image.topicsById.get(id.topicId)?.name ?? null } : id;
    const isFromFollower = params.replicaId >= 0;
    const context = this.sessions.newContext(
      {
        sessionId: params.sessionId,
        sessionEpoch: params.sessionEpoch,
        usesTopicIds,
        isFromFollower,
        targets: params.targets.map(resolve),
        forgotten: params.forgotten.map(resolve),
      },
      now,
      (topicId) => image.topicsById.get(topicId)?.name ?? null,
    );
    if (context.errorCode !== ErrorCode.NONE) {
      return Promise.resolve({ errorCode: context.errorCode, sessionId: INVALID_SESSION_ID, partitions: [] });
    }
    const readable: FetchTarget[] = [];
    const refused: PendingPartition[] = [];
    for (const target of context.targets) {
      if (target.topic === null) refused.push(refusedPartition(target, ErrorCode.UNKNOWN_TOPIC_ID));
      else if (!this.knowsPartition({ topic: target.topic, partition: target.partition })) {
        refused.push(refusedPartition(target, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION));
      } else readable.push(target);
    }
    const maxBytes = Math.min(params.maxBytes, this.params.fetchMaxBytes);
    const minBytes = Math.min(params.minBytes, maxBytes);
    const readParams: ReadParams = {
      replicaId: params.replicaId,
      isolationLevel: params.isolationLevel,
      fetchOnlyLeader: isFromFollower || params.version < FIRST_FOLLOWER_READ_VERSION,
      hardMaxBytesLimit: params.version <= 2,
      maxBytes,
    };
    return new Promise((resolveFetch) => {
      const respond = (reads: LogReadResult[]): void =>
        resolveFetch(this.fetchResponse(context, params, readable, reads, refused));
      const operation: DelayedOperation = {
        tryComplete: () => {
          const reads = this.readAll(readable, readParams);
          const bytes = reads.reduce((sum, r) => sum + (r.slice?.size ?? 0), 0);
          const ready =
            params.maxWaitMs <= 0 ||
            readable.length === 0 ||
            bytes >= minBytes ||
            reads.some((r) => r.errorCode !== ErrorCode.NONE || r.divergingEpoch !== null);
          if (ready) respond(reads);
          return ready;
        },
        expire: () => respond(this.readAll(readable, readParams)),
      };
      const keys = readable.map((t) => partitionKey({ topic: t.topic!, partition: t.partition }));
      this.fetchPurgatory.tryCompleteElseWatch(operation, [...new Set(keys)], params.maxWaitMs);
    });
  }

  /** Reads the partitions in order: the byte budget shrinks as they return data; only the first with data may exceed it. */
  private readAll(targets: readonly FetchTarget[], params: ReadParams): LogReadResult[] {
    let limit = params.maxBytes;
    let minOneBatch = !params.hardMaxBytesLimit;
    return targets.map((target) => {
      const tp = { topic: target.topic!, partition: target.partition };
      const partition = this.partitions.get(partitionKey(tp));
      let result: LogReadResult;
      try {
        if (partition === undefined) throw this.notHostedError(tp);
        result = readPartition(partition, target.data, params, Math.min(target.data.maxBytes, limit), minOneBatch);
      } catch (err) {
        if (!isExpectedError(err)) this.log.error({ err, partition: partitionKey(tp) }, 'unexpected error reading for a fetch');
        result = failedRead(errorCodeOf(err));
      }
      const size = result.slice?.size ?? 0;
      if (size > 0) minOneBatch = false;
      limit = Math.max(0, limit - size);
      return result;
    });
  }

  /**
   * The fetch's answer: partitions read first, then those refused, as Kafka orders them; the
   * session picks which to send; only those are loaded from their files and converted for old
   * clients.
   */
  private fetchResponse(
    context: FetchContext,
    params: FetchParams,
    readable: readonly FetchTarget[],
    reads: readonly LogReadResult[],
    refused: readonly PendingPartition[],
  ): FetchResult {
    const pending = readable.map((target, i) => pendingPartition(target, reads[i]));
    const { sessionId, partitions } = context.respond([...pending, ...refused], this.params.clock.now());
    const hosted = (p: PendingPartition): Partition | undefined =>
      p.topic === null ? undefined : this.partitions.get(partitionKey({ topic: p.topic, partition: p.partition }));
    return { errorCode: ErrorCode.NONE, sessionId, partitions: partitions.map((p) => loadFetched(p, hosted(p), params)) };
  }

  // ---------------------------------------------------------------- ListOffsets

  /**
   * ListOffsets v1+ (Kafka's fetchOffset): a partition named twice answers INVALID_REQUEST, a
   * special timestamp the version does not define UNSUPPORTED_VERSION, a lagging high watermark
   * OFFSET_NOT_AVAILABLE (LEADER_NOT_AVAILABLE before v5).
   */
  listOffsets(params: ListOffsetsParams): ListOffsetsResult[] {
    const seen = new Set<string>();
    const duplicates = new Set<string>();
    for (const p of params.partitions) {
      const key = partitionKey(p);
      if (seen.has(key)) duplicates.add(key);
      seen.add(key);
    }
    const isolationLevel = params.replicaId === CONSUMER_REPLICA_ID ? params.isolationLevel : null;
    const fetchOnlyFromLeader = params.replicaId !== DEBUGGING_REPLICA_ID;
    return params.partitions.map((p): ListOffsetsResult => {
      if (duplicates.has(partitionKey(p))) return { errorCode: ErrorCode.INVALID_REQUEST, ...NO_OFFSET };
      if (isTimestampUnsupported(p.timestamp, params.version)) return { errorCode: ErrorCode.UNSUPPORTED_VERSION, ...NO_OFFSET };
      try {
        const partition = this.requireHosted(p);
        const answer = offsetForTimestamp(partition, p.timestamp, isolationLevel, p.currentLeaderEpoch, fetchOnlyFromLeader);
        return { errorCode: ErrorCode.NONE, ...answer };
      } catch (err) {
        let errorCode = errorCodeOf(err);
        if (errorCode === ErrorCode.OFFSET_NOT_AVAILABLE && params.version < 5) errorCode = ErrorCode.LEADER_NOT_AVAILABLE;
        if (!isExpectedError(err)) this.log.error({ err, partition: partitionKey(p) }, 'unexpected error listing offsets');
        return { errorCode, ...NO_OFFSET };
      }
    });
  }

  /** ListOffsets v0: up to maxNumOffsets segment boundaries per partition. */
  legacyListOffsets(params: LegacyListOffsetsParams): LegacyListOffsetsResult[] {
    const now = this.params.clock.now();
    return params.partitions.map((p) => {
      try {
        const partition = this.requireHosted(p);
        const offsets = legacyOffsetsBefore(
          partition,
          p.timestamp,
          Math.max(0, p.maxNumOffsets),
          params.replicaId === CONSUMER_REPLICA_ID,
          params.replicaId !== DEBUGGING_REPLICA_ID,
          now,
        );
        return { errorCode: ErrorCode.NONE, offsets };
      } catch (err) {
        if (!isExpectedError(err)) this.log.error({ err, partition: partitionKey(p) }, 'unexpected error listing offsets');
        return { errorCode: errorCodeOf(err), offsets: [] };
      }
    });
  }

  private requireHosted(tp: TopicPartition): Partition {
    const partition = this.partitions.get(partitionKey(tp));
    if (partition === undefined) throw this.notHostedError(tp);
    partition.log.health.check();
    return partition;
  }

  // ---------------------------------------------------------------- OffsetForLeaderEpoch

  /** Where each asked-for epoch ends in the leader's log (followers truncating, consumers validating positions). */
  offsetForLeaderEpoch(
    requests: readonly { topic: string; partition: number; currentLeaderEpoch: number; leaderEpoch: number }[],
  ): EpochEndOffsetResult[] {
    return requests.map((r) => {
      try {
        return this.requireHosted(r).lastOffsetForLeaderEpoch(r.currentLeaderEpoch, r.leaderEpoch, true);
      } catch (err) {
        return { errorCode: errorCodeOf(err), leaderEpoch: -1, endOffset: -1 };
      }
    });
  }

  // ---------------------------------------------------------------- DeleteRecords

  /**
   * Moves each partition's log start offset up to the requested offset (-1: the high watermark),
   * as Kafka's deleteRecordsOnLeader: only on the leader, only with the delete cleanup policy
   * (POLICY_VIOLATION), never past the high watermark (OFFSET_OUT_OF_RANGE). The answer's low
   * watermark is the new log start; with no followers to wait for, it is final at once.
   */
  deleteRecords(params: DeleteRecordsParams): DeleteRecordsResult[] {
    return params.partitions.map((p) => {
      const name = partitionKey(p);
      try {
        if (!this.knowsPartition(p)) throw this.notHostedError(p);
        if (isInternalTopic(p.topic) && !params.internalTopicsAllowed) {
          throw kafkaError(ErrorCode.INVALID_TOPIC_EXCEPTION, `Cannot delete records of internal topic ${p.topic}`);
        }
        const partition = this.requireHosted(p);
        if (!partition.isLeader) {
          throw kafkaError(ErrorCode.NOT_LEADER_OR_FOLLOWER, `Leader not local for partition ${name} on broker ${this.params.nodeId}`);
        }
        if (!hasDeletePolicy(partition.config)) {
          throw kafkaError(ErrorCode.POLICY_VIOLATION, `Records of partition ${name} can not be deleted due to the configured policy`);
        }
        const offset = p.offset === DELETE_TO_HIGH_WATERMARK ? partition.log.highWatermark : p.offset;
        if (offset < 0) throw new OffsetOutOfRangeError(`The offset ${offset} for partition ${name} is not valid`);
        partition.log.advanceLogStartOffset(offset);
        return { errorCode: ErrorCode.NONE, lowWatermark: partition.log.logStartOffset };
      } catch (err) {
        if (!isExpectedError(err)) this.log.error({ err, partition: name }, 'unexpected error deleting records');
        return { errorCode: errorCodeOf(err), lowWatermark: -1 };
      }
    });
  }

  // ---------------------------------------------------------------- DescribeProducers

  /**
   * The producers a hosted partition knows (Kafka's activeProducerState), on its leader or a
   * follower alike: NOT_LEADER_OR_FOLLOWER when the partition is elsewhere,
   * UNKNOWN_TOPIC_OR_PARTITION when it does not exist, KAFKA_STORAGE_ERROR when its log
   * directory is offline.
   */
  activeProducers(tp: TopicPartition): ActiveProducersResult {
    try {
      const partition = this.requireHosted(tp);
      const producers = [...partition.log.producerState.activeProducers().values()].map((entry) => ({
        producerId: entry.producerId,
        producerEpoch: entry.producerEpoch,
        lastSequence: entry.lastSeq,
        lastTimestamp: entry.lastTimestamp,
        coordinatorEpoch: entry.coordinatorEpoch,
        currentTxnStartOffset: entry.currentTxnFirstOffset,
      }));
      return { errorCode: ErrorCode.NONE, producers };
    } catch (err) {
      if (!isExpectedError(err)) this.log.error({ err, partition: partitionKey(tp) }, 'unexpected error describing producers');
      return { errorCode: errorCodeOf(err), producers: [] };
    }
  }

  // ---------------------------------------------------------------- DescribeLogDirs

  /**
   * Every log directory with the logs it holds (Kafka's describeLogDirs): per partition its size
   * and offset lag (high watermark minus log end, never below 0; -1 for a log this broker does
   * not host). `partitions` (keys `topic-partition`) limits the partitions listed, null lists
   * all; as in Kafka, a topic with logs in a directory is listed even when none of its partitions
   * is asked for.
   */
  describeLogDirs(partitions: ReadonlySet<string> | null): LogDirDescription[] {
    const offline = new Set(this.params.logManager.offlineDirs);
    const logs = this.params.logManager.allLogs;
    return this.params.logDirs.map((dir) => {
      if (offline.has(dir)) return { dir, offline: true, topics: [] };
      const byTopic = new Map<string, { partition: number; size: number; offsetLag: number }[]>();
      for (const log of logs) {
        if (log.health.dir !== dir) continue;
        const { topic, partition } = log.topicPartition;
        let listed = byTopic.get(topic);
        if (listed === undefined) byTopic.set(topic, (listed = []));
        if (partitions !== null && !partitions.has(partitionKey(log.topicPartition))) continue;
        const hosted = this.partitions.get(partitionKey(log.topicPartition));
        const offsetLag = hosted?.log === log ? Math.max(log.highWatermark - log.logEndOffset, 0) : -1;
        listed.push({ partition, size: log.size, offsetLag });
      }
      return { dir, offline: false, topics: [...byTopic].map(([name, listed]) => ({ name, partitions: listed })) };
    });
  }

  // ---------------------------------------------------------------- Leaders

  /** The partition's current leader and epoch, and its endpoint on `listenerName` if it is alive (Kafka's getCurrentLeader). */
  currentLeader(tp: TopicPartition, listenerName: string): LeaderNode {
    const hosted = this.partitions.get(partitionKey(tp));
    const state = this.currentImage.topicsByName.get(tp.topic)?.partitions.get(tp.partition);
    const leaderId = hosted?.leaderId ?? state?.leader ?? -1;
    const leaderEpoch = hosted?.leaderEpoch ?? state?.leaderEpoch ?? -1;
    const broker = this.currentImage.brokers.get(leaderId);
    const endpoint = broker !== undefined && !broker.fenced ? broker.endpoints.find((e) => e.name === listenerName) : undefined;
    const node = endpoint === undefined ? null : { nodeId: leaderId, host: endpoint.host, port: endpoint.port, rack: broker!.rack };
    return { leaderId, leaderEpoch, node };
  }
}

function failedProduce(errorCode: number, logStartOffset: number): ProduceResult {
  return { errorCode, baseOffset: -1, logAppendTime: -1, logStartOffset, recordErrors: [], errorMessage: null };
}



