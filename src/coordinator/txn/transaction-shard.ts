import { GROUP_METADATA_TOPIC_NAME } from '../../metadata/controller/topic-names.js';
import type { DescribeTransactionsResponseTransactionState } from '../../protocol/generated/clients/describe-transactions-response.js';
import type { ListTransactionsResponseTransactionState } from '../../protocol/generated/clients/list-transactions-response.js';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import {
  isEpochExhausted,
  isExpirationAllowed,
  MAX_PRODUCER_EPOCH,
  NO_PRODUCER_EPOCH,
  NO_PRODUCER_ID,
  type TopicPartition,
  TransactionMetadata,
  type TransactionState,
  transactionStateFromName,
  type TxnTransit,
} from './transaction-metadata.js';
import { transitOfValue, type TxnRecord, txnRecord, txnTombstone } from './txn-records.js';

export interface TransactionCoordinatorConfig {
  /** transaction.max.timeout.ms: the longest transaction.timeout.ms InitProducerId accepts. */
  readonly transactionMaxTimeoutMs: number;
  /** transactional.id.expiration.ms: an idle Empty / Complete* transactional id is removed after this long. */
  readonly transactionalIdExpirationMs: number;
  /** transaction.abort.timed.out.transaction.cleanup.interval.ms: how often timed-out transactions are looked for. */
  readonly abortTimedOutCheckIntervalMs: number;
  /** transaction.remove.expired.transaction.cleanup.interval.ms: how often expired transactional ids are looked for. */
  readonly removeExpiredTransactionalIdsIntervalMs: number;
}

/** Kafka's defaults. */
export const DEFAULT_TRANSACTION_COORDINATOR_CONFIG: TransactionCoordinatorConfig = {
  transactionMaxTimeoutMs: 900_000,
  transactionalIdExpirationMs: 7 * 24 * 3_600_000,
  abortTimedOutCheckIntervalMs: 10_000,
  removeExpiredTransactionalIdsIntervalMs: 3_600_000,
};

/**
 * A decision to write COMMIT or ABORT control batches (WriteTxnMarkers) to every partition of a
 * transaction, for this producer id and epoch, stamped with the coordinator epoch so that a
 * partition leader can refuse markers of a deposed coordinator.
 */
export interface MarkerRequest {
  readonly transactionalId: string;
  readonly producerId: number;
  readonly producerEpoch: number;
  readonly coordinatorEpoch: number;
  readonly result: 'commit' | 'abort';
  readonly partitions: readonly TopicPartition[];
}

/**
 * What an operation decided: the answer, the records to append to the shard's partition before
 * the answer is sent (already replayed onto the shard), and the markers to write once those
 * records are committed.
 */
export interface TxnResult<T> {
  readonly response: T;
  readonly records: readonly TxnRecord[];
  readonly markers: readonly MarkerRequest[];
}

export interface InitProducerIdInput {
  /** Null for an idempotent (non-transactional) producer. */
  readonly transactionalId: string | null;
  readonly transactionTimeoutMs: number;
  /** v3+ (KIP-360): the producer's current id and epoch, or -1 / -1. */
  readonly producerId: number;
  readonly producerEpoch: number;
}

export interface InitProducerIdResult {
  readonly errorCode: number;
  readonly producerId: number;
  readonly producerEpoch: number;
}

export interface TxnProducer {
  readonly transactionalId: string;
  readonly producerId: number;
  readonly producerEpoch: number;
}

export interface AddPartitionsInput extends TxnProducer {
  readonly partitions: readonly TopicPartition[];
}

export interface AddOffsetsInput extends TxnProducer {
  readonly groupId: string;
}

export interface EndTxnInput extends TxnProducer {
  readonly committed: boolean;
}

/** One partition's answer in AddPartitionsToTxn. */
export interface PartitionResult {
  readonly topic: string;
  readonly partition: number;
  readonly errorCode: number;
}

/** The markers of one MarkerRequest (or some of its partitions) are written. */
export interface MarkersWritten {
  readonly producerId: number;
  readonly producerEpoch: number;
  readonly coordinatorEpoch: number;
  readonly result: 'commit' | 'abort';
  /** The partitions whose marker is written; all of them when absent. */
  readonly partitions?: readonly TopicPartition[];
}

/** completed: the Complete* record was decided; pending: partitions still wait for markers; ignored: stale or unknown. */
export type MarkersWrittenOutcome = 'completed' | 'pending' | 'ignored';

export interface ListTransactionsFilters {
  readonly stateFilters: readonly string[];
  readonly producerIdFilters: readonly number[];
  /** v1+: only transactions running longer than this many ms; -1 (or absent) for all. */
  readonly durationFilter?: number;
}

export interface ListedTransactions {
  /** State filters that name no state (the same for every shard). */
  readonly unknownStateFilters: string[];
  readonly transactionStates: ListTransactionsResponseTransactionState[];
}

/** No producer id can be allocated (Kafka's ProducerIdManager answers COORDINATOR_LOAD_IN_PROGRESS until its block arrives). */
export type AllocateProducerId = () => number | null;

/**
 * InitProducerId without a transactional id (Kafka's handleInitProducerId for a null id): a new
 * producer id with epoch 0, whatever the request carries. Belongs to no shard.
 */
export function initIdempotentProducerId(allocateProducerId: AllocateProducerId): InitProducerIdResult {
  const producerId = allocateProducerId();
  return producerId === null ? initError(ErrorCode.COORDINATOR_LOAD_IN_PROGRESS) : { errorCode: ErrorCode.NONE, producerId, producerEpoch: 0 };
}

/**
 * The transaction coordinator's state for one `__transaction_state` partition (Kafka's
 * TransactionCoordinator and TransactionStateManager for the ids of that partition). Pure: each
 * operation takes `now`, returns its answer, the records to append and the markers to write; every
 * record is replayed onto this state as soon as it is decided, and the same records replayed from
 * the partition rebuild the same state after a restart. `coordinatorEpoch` is the leader epoch of
 * the partition this shard was loaded in.
 */
export class TransactionCoordinatorShard {
  private readonly transactions = new Map<string, TransactionMetadata>();
  private nextAbortCheckAt: number | undefined;
  private nextExpirationCheckAt: number | undefined;

  constructor(
    private readonly config: TransactionCoordinatorConfig,
    readonly coordinatorEpoch: number,
  ) {}

  get(transactionalId: string): TransactionMetadata | undefined {
    return this.transactions.get(transactionalId);
  }

  get size(): number {
    return this.transactions.size;
  }

  transactionalIds(): IterableIterator<string> {
    return this.transactions.keys();
  }

  // ---- InitProducerId --------------------------------------------------------------------------

  /**
   * InitProducerId (Kafka's KafkaApis check of the producer id and epoch, then handleInitProducerId):
   * a new transactional id gets a new producer id and epoch 0; a known one gets its epoch bumped,
   * which fences older producers, or a new producer id once the epochs are exhausted. An Ongoing
   * transaction is first aborted under a bumped epoch: the answer is CONCURRENT_TRANSACTIONS, with
   * the PrepareAbort record and its markers, and the client's retry then bumps again.
   * PRODUCER_FENCED is for the handler to translate for old versions ({@link legacyFencedError}).
   */
  initProducerId(request: InitProducerIdInput, now: number, allocateProducerId: AllocateProducerId): TxnResult<InitProducerIdResult> {
    const hasProducerId = request.producerId !== NO_PRODUCER_ID;
    if (hasProducerId !== (request.producerEpoch !== NO_PRODUCER_EPOCH)) return nothing(initError(ErrorCode.INVALID_REQUEST));
    if (request.transactionalId === null) return nothing(initIdempotentProducerId(allocateProducerId));
    const transactionalId = request.transactionalId;
    if (transactionalId === '') return nothing(initError(ErrorCode.INVALID_REQUEST));
    const timeoutMs = request.transactionTimeoutMs;
    if (timeoutMs <= 0 || timeoutMs > this.config.transactionMaxTimeoutMs) return nothing(initError(ErrorCode.INVALID_TRANSACTION_TIMEOUT));

    let metadata = this.transactions.get(transactionalId);
    if (metadata === undefined) {
      const producerId = allocateProducerId();
      if (producerId === null) return nothing(initError(ErrorCode.COORDINATOR_LOAD_IN_PROGRESS));
      // Not stored: the id exists once the record that gives it epoch 0 is replayed.
      metadata = TransactionMetadata.fresh(transactionalId, producerId, timeoutMs, now);
    }
    const expected = hasProducerId ? { producerId: request.producerId, epoch: request.producerEpoch } : null;
    if (expected !== null && !isValidProducerId(metadata, expected)) return nothing(initError(ErrorCode.PRODUCER_FENCED));

    switch (metadata.state) {
      case 'PrepareCommit':
      case 'PrepareAbort':
        return nothing(initError(ErrorCode.CONCURRENT_TRANSACTIONS));
      case 'Empty':
      case 'CompleteCommit':
      case 'CompleteAbort': {
        let transit: TxnTransit;
        if (metadata.isProducerEpochExhausted && (expected === null || expected.epoch === metadata.producerEpoch)) {
          const producerId = allocateProducerId();
          if (producerId === null) return nothing(initError(ErrorCode.COORDINATOR_LOAD_IN_PROGRESS));
          transit = metadata.prepareProducerIdRotation(producerId, timeoutMs, now, expected !== null);
        } else {
          const bumped = metadata.prepareIncrementProducerEpoch(timeoutMs, expected?.epoch ?? null, now);
          if (bumped === 'PRODUCER_FENCED') return nothing(initError(ErrorCode.PRODUCER_FENCED));
          transit = bumped;
        }
        const records = [txnRecord(transactionalId, transit)];
        this.replayAll(records);
        return { response: { errorCode: ErrorCode.NONE, producerId: transit.producerId, producerEpoch: transit.producerEpoch }, records, markers: [] };
      }
      case 'Ongoing': {
        // Only a corrupt log leaves an open transaction at the fencing epoch: Kafka fails the same way.
        if (metadata.producerEpoch === MAX_PRODUCER_EPOCH) return nothing(initError(ErrorCode.UNKNOWN_SERVER_ERROR));
        // The bumped epoch is never returned: the client retries and bumps once more.
        const ended = this.endWith(metadata, metadata.prepareFenceAndAbort(now), now);
        return { ...ended, response: initError(ErrorCode.CONCURRENT_TRANSACTIONS) };
      }
      default:
        return nothing(initError(ErrorCode.UNKNOWN_SERVER_ERROR));
    }
  }

  // ---- AddPartitionsToTxn / AddOffsetsToTxn ----------------------------------------------------

  /**
   * AddPartitionsToTxn for one transaction (Kafka's handleAddPartitionsToTransaction): one error
   * for the whole transaction, which the response repeats for each of its partitions. Partitions
   * already in an Ongoing transaction are acknowledged without a record.
   */
  addPartitionsToTxn(input: AddPartitionsInput, now: number): TxnResult<number> {
    const error = this.checkProducer(input);
    if (error !== ErrorCode.NONE) return nothing(error);
    const metadata = this.transactions.get(input.transactionalId)!;
    if (metadata.state === 'PrepareCommit' || metadata.state === 'PrepareAbort') return nothing(ErrorCode.CONCURRENT_TRANSACTIONS);
    if (metadata.state === 'Ongoing' && input.partitions.every((tp) => metadata.topicPartitions.has(tp))) return nothing(ErrorCode.NONE);
    if (metadata.state === 'Dead' || metadata.state === 'PrepareEpochFence') return nothing(ErrorCode.UNKNOWN_SERVER_ERROR);
    const records = [txnRecord(input.transactionalId, metadata.prepareAddPartitions(input.partitions, now))];
    this.replayAll(records);
    return { response: ErrorCode.NONE, records, markers: [] };
  }

  /**
   * AddPartitionsToTxn v4+ with verifyOnly (Kafka's handleVerifyPartitionsInTransaction, asked by
   * partition leaders before a transactional produce): NONE for a partition in the transaction,
   * TRANSACTION_ABORTABLE for one that is not. Reads only.
   */
  verifyPartitionsInTxn(input: AddPartitionsInput): PartitionResult[] {
    const all = (errorCode: number) => input.partitions.map(({ topic, partition }) => ({ topic, partition, errorCode }));
    const error = this.checkProducer(input);
    if (error !== ErrorCode.NONE) return all(error);
    const metadata = this.transactions.get(input.transactionalId)!;
    if (metadata.state === 'PrepareCommit' || metadata.state === 'PrepareAbort') return all(ErrorCode.CONCURRENT_TRANSACTIONS);
    return input.partitions.map(({ topic, partition }) => ({
      topic,
      partition,
      errorCode: metadata.topicPartitions.has({ topic, partition }) ? ErrorCode.NONE : ErrorCode.TRANSACTION_ABORTABLE,
    }));
  }

  /**
   * One transaction of an AddPartitionsToTxn request, by its verifyOnly flag: the add's single
   * error repeated for every partition (Kafka's errorResponseForTransaction), or the verification's
   * per-partition errors.
   */
  addPartitionsToTxnTransaction(input: AddPartitionsInput & { readonly verifyOnly: boolean }, now: number): TxnResult<PartitionResult[]> {
    if (input.verifyOnly) return nothing(this.verifyPartitionsInTxn(input));
    const added = this.addPartitionsToTxn(input, now);
    return { ...added, response: input.partitions.map(({ topic, partition }) => ({ topic, partition, errorCode: added.response })) };
  }

  /** AddOffsetsToTxn: adds the `__consumer_offsets` partition of the group to the transaction. */
  addOffsetsToTxn(input: AddOffsetsInput, now: number, partitionForGroup: (groupId: string) => number): TxnResult<number> {
    const partition = { topic: GROUP_METADATA_TOPIC_NAME, partition: partitionForGroup(input.groupId) };
    return this.addPartitionsToTxn({ ...input, partitions: [partition] }, now);
  }

  // ---- EndTxn and markers ----------------------------------------------------------------------

  /**
   * EndTxn (Kafka's endTransaction from a client, transactions v1): an Ongoing transaction goes to
   * PrepareCommit / PrepareAbort, and its markers are decided. A retry is idempotent: the same
   * result in Complete* answers NONE, in Prepare* CONCURRENT_TRANSACTIONS (the client retries until
   * the markers are written); the other result, or an Empty id, is INVALID_TXN_STATE.
   */
  endTxn(input: EndTxnInput, now: number): TxnResult<number> {
    const error = this.checkProducer(input);
    if (error !== ErrorCode.NONE) return nothing(error);
    const metadata = this.transactions.get(input.transactionalId)!;
    const commit = input.committed;
    switch (metadata.state) {
      case 'Ongoing': {
        const transit = metadata.prepareAbortOrCommit(commit ? 'PrepareCommit' : 'PrepareAbort', now);
        return { ...this.endWith(metadata, transit, now), response: ErrorCode.NONE };
      }
      case 'CompleteCommit':
        return nothing(commit ? ErrorCode.NONE : ErrorCode.INVALID_TXN_STATE);
      case 'CompleteAbort':
        return nothing(commit ? ErrorCode.INVALID_TXN_STATE : ErrorCode.NONE);
      case 'PrepareCommit':
        return nothing(commit ? ErrorCode.CONCURRENT_TRANSACTIONS : ErrorCode.INVALID_TXN_STATE);
      case 'PrepareAbort':
        return nothing(commit ? ErrorCode.INVALID_TXN_STATE : ErrorCode.CONCURRENT_TRANSACTIONS);
      case 'Empty':
        return nothing(ErrorCode.INVALID_TXN_STATE);
      default:
        return nothing(ErrorCode.UNKNOWN_SERVER_ERROR);
    }
  }

  /**
   * Markers of a MarkerRequest are written (Kafka's TransactionMarkerRequestCompletionHandler): the
   * partitions leave the transaction, and once none is left the transaction is completed with a
   * CompleteCommit / CompleteAbort record. Markers of another coordinator epoch, producer id or
   * epoch, or for a transaction no longer in the matching Prepare* state, are ignored.
   */
  markersWritten(transactionalId: string, written: MarkersWritten, now: number): TxnResult<MarkersWrittenOutcome> {
    const metadata = this.transactions.get(transactionalId);
    const expectedState: TransactionState = written.result === 'commit' ? 'PrepareCommit' : 'PrepareAbort';
    if (
      metadata === undefined ||
      written.coordinatorEpoch !== this.coordinatorEpoch ||
      metadata.producerId !== written.producerId ||
      metadata.producerEpoch !== written.producerEpoch ||
      metadata.state !== expectedState
    ) {
      return nothing<MarkersWrittenOutcome>('ignored');
    }
    if (written.partitions === undefined) metadata.topicPartitions.clear();
    else for (const tp of written.partitions) metadata.topicPartitions.delete(tp);
    if (metadata.topicPartitions.size > 0) return nothing<MarkersWrittenOutcome>('pending');
    const records = [txnRecord(transactionalId, metadata.prepareComplete(now))];
    this.replayAll(records);
    return { response: 'completed', records, markers: [] };
  }

  /** The Prepare* record of a transaction and its markers; a transaction without partitions completes at once. */
  private endWith(metadata: TransactionMetadata, transit: TxnTransit, now: number): TxnResult<void> {
    const records = [txnRecord(metadata.transactionalId, transit)];
    this.replayAll(records);
    if (metadata.topicPartitions.size === 0) {
      const complete = txnRecord(metadata.transactionalId, metadata.prepareComplete(now));
      this.replay(complete);
      return { response: undefined, records: [...records, complete], markers: [] };
    }
    return { response: undefined, records, markers: [this.markerRequest(metadata)] };
  }

  private markerRequest(metadata: TransactionMetadata): MarkerRequest {
    return {
      transactionalId: metadata.transactionalId,
      producerId: metadata.producerId,
      producerEpoch: metadata.producerEpoch,
      coordinatorEpoch: this.coordinatorEpoch,
      result: metadata.state === 'PrepareCommit' ? 'commit' : 'abort',
      partitions: metadata.topicPartitions.list(),
    };
  }

  /** The checks every request of a producer starts with: an id, the id known, its producer id, then its epoch. */
  private checkProducer(input: TxnProducer): number {
    if (input.transactionalId === '') return ErrorCode.INVALID_REQUEST;
    const metadata = this.transactions.get(input.transactionalId);
    if (metadata === undefined || metadata.producerId !== input.producerId) return ErrorCode.INVALID_PRODUCER_ID_MAPPING;
    if (metadata.producerEpoch !== input.producerEpoch) return ErrorCode.PRODUCER_FENCED;
    return ErrorCode.NONE;
  }

  // ---- DescribeTransactions / ListTransactions -------------------------------------------------

  /** DescribeTransactions for one id: TRANSACTIONAL_ID_NOT_FOUND for an unknown (or expiring) one. */
  describeTransaction(transactionalId: string): DescribeTransactionsResponseTransactionState {
    const metadata = this.transactions.get(transactionalId);
    if (transactionalId === '') return describeError(transactionalId, ErrorCode.INVALID_REQUEST);
    if (metadata === undefined || metadata.state === 'Dead') return describeError(transactionalId, ErrorCode.TRANSACTIONAL_ID_NOT_FOUND);
    return {
      errorCode: ErrorCode.NONE,
      transactionalId,
      transactionState: metadata.state,
      transactionTimeoutMs: metadata.txnTimeoutMs,
      transactionStartTimeMs: metadata.txnStartTimestamp,
      producerId: metadata.producerId,
      producerEpoch: metadata.producerEpoch,
      topics: metadata.topicPartitions.topics().map(({ topic, partitions }) => ({ topic, partitions })),
    };
  }

  describeTransactions(transactionalIds: readonly string[]): DescribeTransactionsResponseTransactionState[] {
    return transactionalIds.map((id) => this.describeTransaction(id));
  }

  /**
   * ListTransactions over this shard (Kafka's listTransactionStates): states named exactly as
   * Kafka names them; producer ids; with a duration filter (v1), only transactions whose start is
   * more than that long ago; as in Kafka, an Empty id (start -1) always passes that filter.
   */
  listTransactions(filters: ListTransactionsFilters, now: number): ListedTransactions {
    const states = new Set<TransactionState>();
    const unknownStateFilters: string[] = [];
    for (const name of filters.stateFilters) {
      const state = transactionStateFromName(name);
      if (state === undefined) unknownStateFilters.push(name);
      else states.add(state);
    }
    const producerIds = new Set(filters.producerIdFilters);
    const duration = filters.durationFilter ?? -1;
    const transactionStates: ListTransactionsResponseTransactionState[] = [];
    for (const m of this.transactions.values()) {
      if (m.state === 'Dead') continue;
      if (producerIds.size > 0 && !producerIds.has(m.producerId)) continue;
      if (filters.stateFilters.length > 0 && !states.has(m.state)) continue;
      if (duration >= 0 && now - m.txnStartTimestamp <= duration) continue;
      transactionStates.push({ transactionalId: m.transactionalId, producerId: m.producerId, transactionState: m.state });
    }
    return { unknownStateFilters, transactionStates };
  }

  // ---- time ------------------------------------------------------------------------------------

  /**
   * Kafka's abortTimedOutTransactions: every Ongoing transaction started more than its timeout ago
   * is aborted under a bumped epoch (which fences its producer), with its markers.
   */
  abortTimedOutTransactions(now: number): TxnResult<string[]> {
    const records: TxnRecord[] = [];
    const markers: MarkerRequest[] = [];
    const aborted: string[] = [];
    for (const metadata of [...this.transactions.values()]) {
      if (metadata.state !== 'Ongoing' || metadata.txnStartTimestamp + metadata.txnTimeoutMs >= now) continue;
      // Cannot be fenced once more (only a corrupt log gets here); Kafka's check would throw.
      if (metadata.producerEpoch === MAX_PRODUCER_EPOCH) continue;
      const ended = this.endWith(metadata, metadata.prepareFenceAndAbort(now), now);
      records.push(...ended.records);
      markers.push(...ended.markers);
      aborted.push(metadata.transactionalId);
    }
    return { response: aborted, records, markers };
  }

  /** Kafka's removeExpiredTransactionalIds: a tombstone for every Empty / Complete* id idle for `transactional.id.expiration.ms`. */
  expireTransactionalIds(now: number): TxnResult<string[]> {
    const records: TxnRecord[] = [];
    for (const metadata of this.transactions.values()) {
      if (isExpirationAllowed(metadata.state) && metadata.txnLastUpdateTimestamp <= now - this.config.transactionalIdExpirationMs) {
        records.push(txnTombstone(metadata.transactionalId));
      }
    }
    this.replayAll(records);
    return { response: records.map((r) => r.key.transactionalId), records, markers: [] };
  }

  /** When the next periodic check is due (timed-out transactions, expired ids); undefined before onLoaded. */
  nextDeadline(): number | undefined {
    if (this.nextAbortCheckAt === undefined || this.nextExpirationCheckAt === undefined) return undefined;
    return Math.min(this.nextAbortCheckAt, this.nextExpirationCheckAt);
  }

  /** Runs the periodic checks that are due and schedules the next ones. */
  tick(now: number): TxnResult<void> {
    const records: TxnRecord[] = [];
    const markers: MarkerRequest[] = [];
    this.nextAbortCheckAt ??= now + this.config.abortTimedOutCheckIntervalMs;
    this.nextExpirationCheckAt ??= now + this.config.removeExpiredTransactionalIdsIntervalMs;
    if (now >= this.nextAbortCheckAt) {
      const aborted = this.abortTimedOutTransactions(now);
      records.push(...aborted.records);
      markers.push(...aborted.markers);
      this.nextAbortCheckAt = now + this.config.abortTimedOutCheckIntervalMs;
    }
    if (now >= this.nextExpirationCheckAt) {
      records.push(...this.expireTransactionalIds(now).records);
      this.nextExpirationCheckAt = now + this.config.removeExpiredTransactionalIdsIntervalMs;
    }
    return { response: undefined, records, markers };
  }

  // ---- replay ----------------------------------------------------------------------------------

  /** Applies a record: the decided ones at once, and every record of the partition when it is loaded. */
  replay(record: TxnRecord): void {
    const transactionalId = record.key.transactionalId;
    if (record.value === null) {
      this.transactions.delete(transactionalId);
      return;
    }
    const transit = transitOfValue(transactionalId, record.value, record.memo);
    const metadata = this.transactions.get(transactionalId);
    if (metadata === undefined) this.transactions.set(transactionalId, new TransactionMetadata(transactionalId, transit));
    else metadata.apply(transit);
  }

  private replayAll(records: readonly TxnRecord[]): void {
    for (const record of records) this.replay(record);
  }

  /**
   * After the partition is replayed: transactions left in PrepareCommit / PrepareAbort get their
   * markers again (Kafka's loadTransactionsForTxnTopicPartition), and the periodic checks start.
   */
  onLoaded(now: number): TxnResult<void> {
    this.nextAbortCheckAt = now + this.config.abortTimedOutCheckIntervalMs;
    this.nextExpirationCheckAt = now + this.config.removeExpiredTransactionalIdsIntervalMs;
    const markers: MarkerRequest[] = [];
    for (const metadata of this.transactions.values()) {
      if (metadata.state === 'PrepareCommit' || metadata.state === 'PrepareAbort') markers.push(this.markerRequest(metadata));
    }
    return { response: undefined, records: [], markers };
  }
}

/**
 * KIP-360's check of the producer id an InitProducerId carries: the id has no epoch yet, or the
 * request names its current producer id, or the previous one with an exhausted epoch (a retry of
 * the InitProducerId that rotated it).
 */
function isValidProducerId(metadata: TransactionMetadata, expected: { producerId: number; epoch: number }): boolean {
  return (
    metadata.producerEpoch === NO_PRODUCER_EPOCH ||
    expected.producerId === metadata.producerId ||
    (expected.producerId === metadata.previousProducerId && isEpochExhausted(expected.epoch))
  );
}

function initError(errorCode: number): InitProducerIdResult {
  return { errorCode, producerId: NO_PRODUCER_ID, producerEpoch: NO_PRODUCER_EPOCH };
}

function nothing<T>(response: T): TxnResult<T> {
  return { response, records: [], markers: [] };
}

/** An error entry carries the fields' zero values, as Kafka's generated defaults do. */
function describeError(transactionalId: string, errorCode: number): DescribeTransactionsResponseTransactionState {
  return {
    errorCode,
    transactionalId,
    transactionState: '',
    transactionTimeoutMs: 0,
    transactionStartTimeMs: 0,
    producerId: 0,
    producerEpoch: 0,
    topics: [],
  };
}
