import { DecodeError } from '../../protocol/decode-error.js';
import type { RecordBatchHeader } from '../../protocol/records/batch-header.js';
import { decodeBatchRecords, recordTimestamp } from '../../protocol/records/batch-records.js';
import { ControlRecordType, readControlRecordKey, readEndTxnMarker } from '../../protocol/records/control-record.js';
import type { AppendOrigin } from '../append-validation.js';
import { NO_PRODUCER_EPOCH, NO_SEQUENCE } from './constants.js';
import { InvalidProducerEpochError, InvalidTxnStateError, OutOfOrderSequenceError, TransactionCoordinatorFencedError } from './errors.js';
import { NO_TXN, type ProducerStateEntry } from './producer-state-entry.js';
import { inSequence, lastSequenceOf } from './sequence.js';

/** Who appends: a producer (full checks), the broker itself (epoch checks only), or replication and recovery (no checks). */
export type ProducerAppendOrigin = AppendOrigin | 'replication';

/** A transaction that an end marker closed on this partition: the transactions work fills the txn index from these. */
export interface CompletedTxn {
  readonly producerId: number;
  readonly firstOffset: number;
  /** The offset of the marker. */
  readonly lastOffset: number;
  readonly isAborted: boolean;
}

/**
 * Validates and accumulates one producer's batches of an append (Kafka's ProducerAppendInfo),
 * starting from the producer's state after its last append. Pure: nothing changes until the
 * manager takes `toEntry()` after the append is written.
 */
export class ProducerAppendInfo {
  private readonly updated: ProducerStateEntry;
  /** First offsets of transactions this append opened. */
  readonly startedTransactions: number[] = [];

  constructor(
    private readonly partitionName: string,
    readonly producerId: number,
    private readonly current: ProducerStateEntry,
    private readonly origin: ProducerAppendOrigin,
  ) {
    this.updated = current.withoutBatches();
  }

  /** Appends one batch (data or control) at its assigned offsets; throws the error a client append answers with. */
  append(batch: RecordBatchHeader): CompletedTxn | null {
    if (batch.isControl) {
      let marker: { isAborted: boolean; coordinatorEpoch: number; timestamp: number } | null;
      try {
        marker = readMarker(batch);
      } catch (err) {
        // Replication and recovery never stop over a marker they cannot read; an append refuses it (CORRUPT_MESSAGE).
        if (err instanceof DecodeError && this.origin === 'replication') return null;
        throw err;
      }
      if (marker === null) return null;
      return this.appendEndTxnMarker(marker.isAborted, marker.coordinatorEpoch, batch.producerEpoch, batch.baseOffset, marker.timestamp);
    }
    this.appendDataBatch(
      batch.producerEpoch,
      batch.baseSequence,
      lastSequenceOf(batch.baseSequence, batch.lastOffsetDelta),
      batch.maxTimestamp,
      batch.baseOffset,
      batch.lastOffset,
      batch.isTransactional,
    );
    return null;
  }

  appendDataBatch(
    epoch: number,
    firstSeq: number,
    lastSeq: number,
    lastTimestamp: number,
    firstOffset: number,
    lastOffset: number,
    isTransactional: boolean,
  ): void {
    this.checkProducerEpoch(epoch, firstOffset);
    if (this.origin === 'client') this.checkSequence(epoch, firstSeq, firstOffset);
    this.updated.addBatch(epoch, lastSeq, lastOffset, lastOffset - firstOffset, lastTimestamp);
    const open = this.updated.currentTxnFirstOffset !== NO_TXN;
    if (open && !isTransactional) {
      throw new InvalidTxnStateError(
        `Expected transactional write from producer ${this.producerId} at offset ${firstOffset} in partition ${this.partitionName}`,
      );
    }
    if (!open && isTransactional) {
      this.updated.currentTxnFirstOffset = firstOffset;
      this.startedTransactions.push(firstOffset);
    }
  }

  appendEndTxnMarker(isAborted: boolean, coordinatorEpoch: number, producerEpoch: number, offset: number, timestamp: number): CompletedTxn | null {
    this.checkProducerEpoch(producerEpoch, offset);
    if (this.updated.coordinatorEpoch > coordinatorEpoch && this.origin !== 'replication') {
      throw new TransactionCoordinatorFencedError(
        `Invalid coordinator epoch for producerId ${this.producerId} at offset ${offset} in partition ${this.partitionName}: ` +
          `${coordinatorEpoch} (zombie), ${this.updated.coordinatorEpoch} (current)`,
      );
    }
    const firstOffset = this.updated.currentTxnFirstOffset;
    this.updated.updateForMarker(producerEpoch, coordinatorEpoch, timestamp);
    return firstOffset === NO_TXN ? null : { producerId: this.producerId, firstOffset, lastOffset: offset, isAborted };
  }

  /** Kafka 2.7+ answers INVALID_PRODUCER_EPOCH (not PRODUCER_FENCED) for an append with an older epoch. */
  private checkProducerEpoch(epoch: number, offset: number): void {
    if (epoch >= this.updated.producerEpoch || this.origin === 'replication') return;
    throw new InvalidProducerEpochError(
      `Epoch of producer ${this.producerId} at offset ${offset} in ${this.partitionName} is ${epoch}, ` +
        `which is smaller than the last seen epoch ${this.updated.producerEpoch}`,
    );
  }

  private checkSequence(epoch: number, firstSeq: number, offset: number): void {
    if (epoch !== this.updated.producerEpoch) {
      // A new epoch starts at sequence 0; a producer the partition does not know may start anywhere.
      if (firstSeq !== 0 && this.updated.producerEpoch !== NO_PRODUCER_EPOCH) {
        throw new OutOfOrderSequenceError(
          `Invalid sequence number for new epoch of producer ${this.producerId} at offset ${offset} in partition ${this.partitionName}: ` +
            `${epoch} (request epoch), ${firstSeq} (seq. number), ${this.updated.producerEpoch} (current producer epoch)`,
        );
      }
      return;
    }
    let currentLastSeq: number;
    if (!this.updated.isEmpty) currentLastSeq = this.updated.lastSeq;
    else if (epoch === this.current.producerEpoch) currentLastSeq = this.current.lastSeq;
    else currentLastSeq = NO_SEQUENCE;
    // With no epoch known (the producer's batches were all deleted, by retention or DeleteRecords) any sequence is accepted.
    if (this.current.producerEpoch === NO_PRODUCER_EPOCH || inSequence(currentLastSeq, firstSeq)) return;
    throw new OutOfOrderSequenceError(
      `Out of order sequence number for producer ${this.producerId} at offset ${offset} in partition ${this.partitionName}: ` +
        `${firstSeq} (incoming seq. number), ${currentLastSeq} (current end sequence number)`,
    );
  }

  toEntry(): ProducerStateEntry {
    return this.updated;
  }
}

/** The end-transaction marker in a control batch; null for an empty batch (its transaction was cleaned away) or another control type. */
function readMarker(batch: RecordBatchHeader): { isAborted: boolean; coordinatorEpoch: number; timestamp: number } | null {
  const records = decodeBatchRecords(batch);
  if (records.length === 0) return null;
  const key = readControlRecordKey(records[0].key);
  if (key.type !== ControlRecordType.Abort && key.type !== ControlRecordType.Commit) return null;
  const { coordinatorEpoch } = readEndTxnMarker(records[0].value);
  return { isAborted: key.type === ControlRecordType.Abort, coordinatorEpoch, timestamp: recordTimestamp(batch, records[0]) };
}
