/**
 * One transactional id's state, as Kafka's TransactionMetadata keeps it, and the transitions
 * between states (Kafka's prepare* methods returning a TxnTransitMetadata). Pure: a transition is
 * a value ({@link TxnTransit}); the shard turns it into a `__transaction_state` record and only
 * the replay of that record changes the metadata.
 */

/** Kafka's TransactionState, by name (the name DescribeTransactions and ListTransactions use). */
export type TransactionState =
  | 'Empty'
  | 'Ongoing'
  | 'PrepareCommit'
  | 'PrepareAbort'
  | 'CompleteCommit'
  | 'CompleteAbort'
  | 'Dead'
  | 'PrepareEpochFence';

/** The TransactionStatus byte of a TransactionLogValue (Kafka's TransactionState.id). */
export const TRANSACTION_STATE_IDS: Readonly<Record<TransactionState, number>> = {
  Empty: 0,
  Ongoing: 1,
  PrepareCommit: 2,
  PrepareAbort: 3,
  CompleteCommit: 4,
  CompleteAbort: 5,
  Dead: 6,
  PrepareEpochFence: 7,
};

export const TRANSACTION_STATES: readonly TransactionState[] = Object.keys(TRANSACTION_STATE_IDS) as TransactionState[];

/** The state of a TransactionStatus byte, or undefined for an id Kafka does not define. */
export function transactionStateFromId(id: number): TransactionState | undefined {
  return TRANSACTION_STATES[id];
}

/** Kafka's TransactionState.fromName: exact, case-sensitive. */
export function transactionStateFromName(name: string): TransactionState | undefined {
  return (TRANSACTION_STATES as readonly string[]).includes(name) ? (name as TransactionState) : undefined;
}

/** Kafka's validPreviousStates: a transition to the key is legal only from one of these. */
export const VALID_PREVIOUS_STATES: Readonly<Record<TransactionState, readonly TransactionState[]>> = {
  Empty: ['Empty', 'CompleteCommit', 'CompleteAbort'],
  Ongoing: ['Ongoing', 'Empty', 'CompleteCommit', 'CompleteAbort'],
  PrepareCommit: ['Ongoing'],
  PrepareAbort: ['Ongoing', 'PrepareEpochFence'],
  CompleteCommit: ['PrepareCommit'],
  CompleteAbort: ['PrepareAbort'],
  Dead: ['Empty', 'CompleteAbort', 'CompleteCommit'],
  PrepareEpochFence: ['Ongoing'],
};

/** States whose transactional id may expire after `transactional.id.expiration.ms` of idleness. */
export function isExpirationAllowed(state: TransactionState): boolean {
  return state === 'Empty' || state === 'CompleteCommit' || state === 'CompleteAbort';
}

export const NO_PRODUCER_ID = -1;
export const NO_PRODUCER_EPOCH = -1;
/** Short.MaxValue: the epoch only a fence may reach. */
export const MAX_PRODUCER_EPOCH = 32767;

/**
 * Kafka's TransactionMetadata.isEpochExhausted: clients never get an epoch of Short.MaxValue, so
 * that the coordinator can always fence the current producer by bumping once more.
 */
export function isEpochExhausted(producerEpoch: number): boolean {
  return producerEpoch >= MAX_PRODUCER_EPOCH - 1;
}

export interface TopicPartition {
  readonly topic: string;
  readonly partition: number;
}

/**
 * The target of a transition (Kafka's TxnTransitMetadata). `previousProducerId` and
 * `lastProducerEpoch` are the values the metadata has after the transition; the
 * `__transaction_state` value (v0, what Kafka 3.9 writes) does not hold them.
 */
export interface TxnTransit {
  readonly producerId: number;
  readonly previousProducerId: number;
  readonly nextProducerId: number;
  readonly producerEpoch: number;
  readonly lastProducerEpoch: number;
  readonly txnTimeoutMs: number;
  readonly state: TransactionState;
  readonly topicPartitions: readonly TopicPartition[];
  readonly txnStartTimestamp: number;
  readonly txnLastUpdateTimestamp: number;
}

/** A transition Kafka would refuse with an IllegalStateException: a bug in the caller, never a client error. */
export class IllegalTransitionError extends Error {
  override readonly name = 'IllegalTransitionError';
}

/** The partitions of a transaction, grouped by topic in the order they were added. */
export class PartitionSet {
  private readonly byTopic = new Map<string, Set<number>>();

  constructor(partitions: Iterable<TopicPartition> = []) {
    for (const tp of partitions) this.add(tp);
  }

  add(tp: TopicPartition): void {
    let set = this.byTopic.get(tp.topic);
    if (set === undefined) this.byTopic.set(tp.topic, (set = new Set()));
    set.add(tp.partition);
  }

  delete(tp: TopicPartition): boolean {
    const set = this.byTopic.get(tp.topic);
    if (set === undefined || !set.delete(tp.partition)) return false;
    if (set.size === 0) this.byTopic.delete(tp.topic);
    return true;
  }

  has(tp: TopicPartition): boolean {
    return this.byTopic.get(tp.topic)?.has(tp.partition) ?? false;
  }

  get size(): number {
    let n = 0;
    for (const set of this.byTopic.values()) n += set.size;
    return n;
  }

  clear(): void {
    this.byTopic.clear();
  }

  /** Topic by topic, partitions in the order added. */
  topics(): { topic: string; partitions: number[] }[] {
    return [...this.byTopic].map(([topic, set]) => ({ topic, partitions: [...set] }));
  }

  list(): TopicPartition[] {
    const out: TopicPartition[] = [];
    for (const [topic, set] of this.byTopic) for (const partition of set) out.push({ topic, partition });
    return out;
  }
}

export interface TransactionMetadataFields {
  producerId: number;
  previousProducerId: number;
  nextProducerId: number;
  producerEpoch: number;
  lastProducerEpoch: number;
  txnTimeoutMs: number;
  state: TransactionState;
  topicPartitions: readonly TopicPartition[];
  txnStartTimestamp: number;
  txnLastUpdateTimestamp: number;
}

/**
 * One transactional id (Kafka's TransactionMetadata) without Kafka's pending state and lock: the
 * shard prepares a transition, writes it as a record and replays that record at once, so no
 * operation ever sees a half-made transition.
 */
export class TransactionMetadata {
  producerId: number;
  /** KIP-360: the producer id before the last InitProducerId (Kafka 3.9's lastProducerId). */
  previousProducerId: number;
  /** KIP-890 (transactions v2): always -1 here, since Gregor speaks transactions v1 (EndTxn v0-4). */
  nextProducerId: number;
  producerEpoch: number;
  /** KIP-360: the epoch before the last bump, so that a retried InitProducerId gets the same answer. */
  lastProducerEpoch: number;
  txnTimeoutMs: number;
  state: TransactionState;
  /**
   * The partitions of the current transaction. While it is PrepareCommit / PrepareAbort, the
   * partitions whose marker is written leave the set (in memory only, as in Kafka).
   */
  readonly topicPartitions: PartitionSet;
  txnStartTimestamp: number;
  txnLastUpdateTimestamp: number;

  constructor(
    readonly transactionalId: string,
    fields: TransactionMetadataFields,
  ) {
    this.producerId = fields.producerId;
    this.previousProducerId = fields.previousProducerId;
    this.nextProducerId = fields.nextProducerId;
    this.producerEpoch = fields.producerEpoch;
    this.lastProducerEpoch = fields.lastProducerEpoch;
    this.txnTimeoutMs = fields.txnTimeoutMs;
    this.state = fields.state;
    this.topicPartitions = new PartitionSet(fields.topicPartitions);
    this.txnStartTimestamp = fields.txnStartTimestamp;
    this.txnLastUpdateTimestamp = fields.txnLastUpdateTimestamp;
  }

  /** Metadata of an id InitProducerId sees for the first time: its producer id and no epoch yet. */
  static fresh(transactionalId: string, producerId: number, txnTimeoutMs: number, now: number): TransactionMetadata {
    return new TransactionMetadata(transactionalId, {
      producerId,
      previousProducerId: NO_PRODUCER_ID,
      nextProducerId: NO_PRODUCER_ID,
      producerEpoch: NO_PRODUCER_EPOCH,
      lastProducerEpoch: NO_PRODUCER_EPOCH,
      txnTimeoutMs,
      state: 'Empty',
      topicPartitions: [],
      txnStartTimestamp: -1,
      txnLastUpdateTimestamp: now,
    });
  }

  /** Overwrites every field with a transition's target (the replay of its record). */
  apply(t: TxnTransit): void {
    this.producerId = t.producerId;
    this.previousProducerId = t.previousProducerId;
    this.nextProducerId = t.nextProducerId;
    this.producerEpoch = t.producerEpoch;
    this.lastProducerEpoch = t.lastProducerEpoch;
    this.txnTimeoutMs = t.txnTimeoutMs;
    this.state = t.state;
    this.topicPartitions.clear();
    if (t.state !== 'Empty') for (const tp of t.topicPartitions) this.topicPartitions.add(tp);
    this.txnStartTimestamp = t.txnStartTimestamp;
    this.txnLastUpdateTimestamp = t.txnLastUpdateTimestamp;
  }

  get isProducerEpochExhausted(): boolean {
    return isEpochExhausted(this.producerEpoch);
  }

  /** Ongoing, PrepareCommit or PrepareAbort (Kafka's hasPendingTransaction). */
  get hasPendingTransaction(): boolean {
    return this.state === 'Ongoing' || this.state === 'PrepareCommit' || this.state === 'PrepareAbort';
  }

  // ---- transitions (Kafka's prepare* methods) --------------------------------------------------

  /**
   * InitProducerId on an Empty or Complete* id (Kafka's prepareIncrementProducerEpoch). Without an
   * expected epoch, the epoch is bumped and the last epoch forgotten. With one (KIP-360): the
   * current epoch (or no epoch yet) is bumped; the last epoch is a retry of a bump that succeeded
   * and gets the current epoch again; anything else is PRODUCER_FENCED.
   */
  prepareIncrementProducerEpoch(newTxnTimeoutMs: number, expectedProducerEpoch: number | null, now: number): TxnTransit | 'PRODUCER_FENCED' {
    const bumped = this.producerEpoch + 1;
    let epoch: number;
    let lastEpoch: number;
    if (expectedProducerEpoch === null) {
      [epoch, lastEpoch] = [bumped, NO_PRODUCER_EPOCH];
    } else if (this.producerEpoch === NO_PRODUCER_EPOCH || expectedProducerEpoch === this.producerEpoch) {
      [epoch, lastEpoch] = [bumped, this.producerEpoch];
    } else if (expectedProducerEpoch === this.lastProducerEpoch) {
      [epoch, lastEpoch] = [this.producerEpoch, this.lastProducerEpoch];
    } else {
      return 'PRODUCER_FENCED';
    }
    if (epoch !== this.producerEpoch && this.isProducerEpochExhausted) {
      throw new IllegalTransitionError(`cannot allocate any more producer epochs for producer id ${this.producerId}`);
    }
    return this.transition('Empty', {
      producerEpoch: epoch,
      lastProducerEpoch: lastEpoch,
      previousProducerId: this.producerId,
      txnTimeoutMs: newTxnTimeoutMs,
      topicPartitions: [],
      txnStartTimestamp: -1,
      txnLastUpdateTimestamp: now,
    });
  }

  /** A new producer id once the epochs of the current one are exhausted (Kafka's prepareProducerIdRotation). */
  prepareProducerIdRotation(newProducerId: number, newTxnTimeoutMs: number, now: number, recordLastEpoch: boolean): TxnTransit {
    if (this.hasPendingTransaction) throw new IllegalTransitionError('cannot rotate producer ids while a transaction is still pending');
    return this.transition('Empty', {
      producerId: newProducerId,
      previousProducerId: this.producerId,
      producerEpoch: 0,
      lastProducerEpoch: recordLastEpoch ? this.producerEpoch : NO_PRODUCER_EPOCH,
      txnTimeoutMs: newTxnTimeoutMs,
      topicPartitions: [],
      txnStartTimestamp: -1,
      txnLastUpdateTimestamp: now,
    });
  }

  /** AddPartitionsToTxn / AddOffsetsToTxn: Ongoing with the union of the partitions; a new transaction starts now. */
  prepareAddPartitions(added: readonly TopicPartition[], now: number): TxnTransit {
    const startsNow = this.state === 'Empty' || this.state === 'CompleteCommit' || this.state === 'CompleteAbort';
    const partitions = new PartitionSet(this.topicPartitions.list());
    for (const tp of added) partitions.add(tp);
    return this.transition('Ongoing', {
      topicPartitions: partitions.list(),
      txnStartTimestamp: startsNow ? now : this.txnStartTimestamp,
      txnLastUpdateTimestamp: now,
    });
  }

  /** EndTxn: PrepareCommit or PrepareAbort with the same producer id and epoch (transactions v1). */
  prepareAbortOrCommit(target: 'PrepareCommit' | 'PrepareAbort', now: number): TxnTransit {
    return this.transition(target, { txnLastUpdateTimestamp: now });
  }

  /**
   * Kafka's prepareFenceProducerEpoch followed by the abort it leads to: a zombie's transaction is
   * aborted under epoch + 1 (never returned to a client), with the last epoch forgotten, so that
   * the old producer is fenced by the markers themselves.
   */
  prepareFenceAndAbort(now: number): TxnTransit {
    if (this.producerEpoch === MAX_PRODUCER_EPOCH) {
      throw new IllegalTransitionError('cannot fence a producer whose epoch is already Short.MaxValue');
    }
    this.check('PrepareEpochFence');
    return this.transition(
      'PrepareAbort',
      { producerEpoch: this.producerEpoch + 1, lastProducerEpoch: NO_PRODUCER_EPOCH, txnLastUpdateTimestamp: now },
      'PrepareEpochFence',
    );
  }

  /** After every marker is written: CompleteCommit / CompleteAbort, without partitions (Kafka's prepareComplete). */
  prepareComplete(now: number): TxnTransit {
    const target = this.state === 'PrepareCommit' ? 'CompleteCommit' : 'CompleteAbort';
    return this.transition(target, { topicPartitions: [], txnLastUpdateTimestamp: now });
  }

  /** The current state as a transition target (a snapshot; used for describe and tests). */
  snapshot(): TxnTransit {
    return {
      producerId: this.producerId,
      previousProducerId: this.previousProducerId,
      nextProducerId: this.nextProducerId,
      producerEpoch: this.producerEpoch,
      lastProducerEpoch: this.lastProducerEpoch,
      txnTimeoutMs: this.txnTimeoutMs,
      state: this.state,
      topicPartitions: this.topicPartitions.list(),
      txnStartTimestamp: this.txnStartTimestamp,
      txnLastUpdateTimestamp: this.txnLastUpdateTimestamp,
    };
  }

  private check(target: TransactionState, from: TransactionState = this.state): void {
    if (!VALID_PREVIOUS_STATES[target].includes(from)) {
      throw new IllegalTransitionError(`transactional id ${this.transactionalId}: no transition from ${from} to ${target}`);
    }
  }

  /** Kafka's prepareTransitionTo: checks the transition and the new producer id and epoch. */
  private transition(target: TransactionState, changes: Partial<TxnTransit>, from: TransactionState = this.state): TxnTransit {
    this.check(target, from);
    const t: TxnTransit = { ...this.snapshot(), nextProducerId: NO_PRODUCER_ID, ...changes, state: target };
    if (t.producerId < 0) throw new IllegalTransitionError(`illegal new producer id ${t.producerId}`);
    if (target !== 'Dead' && t.producerEpoch < 0) throw new IllegalTransitionError(`illegal new producer epoch ${t.producerEpoch}`);
    return t;
  }
}
