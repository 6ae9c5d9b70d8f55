import { NO_PRODUCER_EPOCH, NO_SEQUENCE, NO_TIMESTAMP_VALUE } from './constants.js';
import { decrementSequence } from './sequence.js';

/** Kafka keeps the last five batches of each producer, the most a producer has in flight. */
export const NUM_BATCHES_TO_RETAIN = 5;
/** currentTxnFirstOffset when the producer has no transaction open on the partition. */
export const NO_TXN = -1;

/** One appended batch of a producer (Kafka's BatchMetadata). */
export interface BatchMetadata {
  readonly lastSeq: number;
  readonly lastOffset: number;
  /** lastOffset - firstOffset, also lastSeq - firstSeq (modulo wrap-around). */
  readonly offsetDelta: number;
  /** The batch's max timestamp. */
  readonly timestamp: number;
}

export function firstSeqOf(batch: BatchMetadata): number {
  return decrementSequence(batch.lastSeq, batch.offsetDelta);
}

export function firstOffsetOf(batch: BatchMetadata): number {
  return batch.lastOffset - batch.offsetDelta;
}

/**
 * What a partition knows about one producer id (Kafka's ProducerStateEntry): its epoch, its last
 * few batches (oldest first) to recognise retries, the epoch of the last transaction coordinator
 * that wrote a marker, and the first offset of its open transaction, if any.
 */
export class ProducerStateEntry {
  readonly batches: BatchMetadata[] = [];

  constructor(
    readonly producerId: number,
    public producerEpoch: number,
    public coordinatorEpoch: number,
    public lastTimestamp: number,
    public currentTxnFirstOffset: number,
    batches: readonly BatchMetadata[] = [],
  ) {
    this.batches.push(...batches);
  }

  static empty(producerId: number): ProducerStateEntry {
    return new ProducerStateEntry(producerId, NO_PRODUCER_EPOCH, -1, NO_TIMESTAMP_VALUE, NO_TXN);
  }

  get isEmpty(): boolean {
    return this.batches.length === 0;
  }

  get firstSeq(): number {
    return this.isEmpty ? NO_SEQUENCE : firstSeqOf(this.batches[0]);
  }

  get lastSeq(): number {
    return this.isEmpty ? NO_SEQUENCE : this.batches[this.batches.length - 1].lastSeq;
  }

  get lastDataOffset(): number {
    return this.isEmpty ? -1 : this.batches[this.batches.length - 1].lastOffset;
  }

  get lastOffsetDelta(): number {
    return this.isEmpty ? 0 : this.batches[this.batches.length - 1].offsetDelta;
  }

  /** A copy with the same epochs, timestamps and transaction but no batches (what an append starts from). */
  withoutBatches(): ProducerStateEntry {
    return new ProducerStateEntry(this.producerId, this.producerEpoch, this.coordinatorEpoch, this.lastTimestamp, this.currentTxnFirstOffset);
  }

  copy(): ProducerStateEntry {
    return new ProducerStateEntry(
      this.producerId,
      this.producerEpoch,
      this.coordinatorEpoch,
      this.lastTimestamp,
      this.currentTxnFirstOffset,
      this.batches,
    );
  }

  addBatch(producerEpoch: number, lastSeq: number, lastOffset: number, offsetDelta: number, timestamp: number): void {
    this.maybeUpdateProducerEpoch(producerEpoch);
    this.addBatchMetadata({ lastSeq, lastOffset, offsetDelta, timestamp });
    this.lastTimestamp = timestamp;
  }

  /** A new epoch forgets the batches of the old one. */
  maybeUpdateProducerEpoch(producerEpoch: number): boolean {
    if (this.producerEpoch === producerEpoch) return false;
    this.batches.length = 0;
    this.producerEpoch = producerEpoch;
    return true;
  }

  private addBatchMetadata(batch: BatchMetadata): void {
    if (this.batches.length === NUM_BATCHES_TO_RETAIN) this.batches.shift();
    this.batches.push(batch);
  }

  /** Takes over what an append accumulated in `next` (Kafka's ProducerStateEntry.update). */
  update(next: ProducerStateEntry): void {
    this.maybeUpdateProducerEpoch(next.producerEpoch);
    for (const batch of next.batches) this.addBatchMetadata(batch);
    this.coordinatorEpoch = next.coordinatorEpoch;
    this.currentTxnFirstOffset = next.currentTxnFirstOffset;
    this.lastTimestamp = next.lastTimestamp;
  }

  /** An end-transaction marker: new epochs, no batches added, the transaction closed. */
  updateForMarker(producerEpoch: number, coordinatorEpoch: number, timestamp: number): void {
    this.maybeUpdateProducerEpoch(producerEpoch);
    this.coordinatorEpoch = coordinatorEpoch;
    this.currentTxnFirstOffset = NO_TXN;
    this.lastTimestamp = timestamp;
  }

  /** The retained batch with exactly this epoch and sequence range: a retry of an appended batch. */
  findDuplicateBatch(producerEpoch: number, firstSeq: number, lastSeq: number): BatchMetadata | null {
    if (producerEpoch !== this.producerEpoch) return null;
    return this.batches.find((b) => b.lastSeq === lastSeq && firstSeqOf(b) === firstSeq) ?? null;
  }
}
