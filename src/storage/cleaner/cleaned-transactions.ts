import type { RecordBatchHeader } from '../../protocol/records/batch-header.js';
import { decodeBatchRecords } from '../../protocol/records/batch-records.js';
import { ControlRecordType, readControlRecordKey } from '../../protocol/records/control-record.js';
import type { AbortedTxn } from '../transaction-index.js';

interface AbortedInProgress {
  readonly txn: AbortedTxn;
  /** Last offset of the last batch of the transaction the cleaner has seen in this cleaning, if any. */
  lastObservedBatchOffset: number | null;
}

/**
 * What the cleaner knows about transactions while it walks a log in offset order (Kafka's
 * CleanedTransactionMetadata), pure: which transactional batches belong to aborted transactions
 * (their records go), and whether a marker may go: a COMMIT once none of its transaction's batches
 * were seen in this cleaning, an ABORT once none of its (aborted, removed) batches remained. The
 * caller keeps markers until delete.retention.ms has passed, so a marker goes in a later cleaning
 * than its data (Kafka's two passes). Retained ABORT markers whose data was seen are reported to
 * `onRetainedAbort`, for the cleaned segment's `.txnindex`.
 */
export class CleanedTransactions {
  /** Aborted transactions not reached yet, by first offset. */
  private pending: AbortedTxn[] = [];
  private readonly known = new Set<string>();
  private readonly ongoingAborted = new Map<number, AbortedInProgress>();
  private readonly ongoingCommitted = new Set<number>();

  constructor(public onRetainedAbort: (txn: AbortedTxn) => void = () => {}) {}

  /** Aborted transactions (from the txn indexes) the walk may meet; repeats are ignored. */
  addAbortedTransactions(txns: readonly AbortedTxn[]): void {
    let added = false;
    for (const txn of txns) {
      const key = `${txn.producerId}:${txn.firstOffset}`;
      if (this.known.has(key)) continue;
      this.known.add(key);
      this.pending.push(txn);
      added = true;
    }
    if (added) this.pending.sort((a, b) => a.firstOffset - b.firstOffset);
  }

  private consumeAbortedTxnsUpTo(offset: number): void {
    let n = 0;
    while (n < this.pending.length && this.pending[n].firstOffset <= offset) {
      const txn = this.pending[n++];
      if (!this.ongoingAborted.has(txn.producerId)) this.ongoingAborted.set(txn.producerId, { txn, lastObservedBatchOffset: null });
    }
    if (n > 0) this.pending = this.pending.slice(n);
  }

  /** A control batch: returns whether it may be discarded (the caller also waits for the delete horizon). */
  onControlBatchRead(batch: RecordBatchHeader): boolean {
    this.consumeAbortedTxnsUpTo(batch.lastOffset);
    const records = decodeBatchRecords(batch);
    // An empty control batch was already cleaned.
    if (records.length === 0) return true;
    const { type } = readControlRecordKey(records[0].key);
    const producerId = batch.producerId;
    if (type === ControlRecordType.Abort) {
      const aborted = this.ongoingAborted.get(producerId);
      this.ongoingAborted.delete(producerId);
      if (aborted !== undefined && aborted.lastObservedBatchOffset !== null) {
        // Keep the marker until every batch of the transaction is gone.
        this.onRetainedAbort(aborted.txn);
        return false;
      }
      return true;
    }
    if (type === ControlRecordType.Commit) return !this.ongoingCommitted.delete(producerId);
    return false;
  }

  /** A data batch: returns whether it belongs to an aborted transaction (its records may all go). */
  onBatchRead(batch: RecordBatchHeader): boolean {
    this.consumeAbortedTxnsUpTo(batch.lastOffset);
    if (!batch.isTransactional) return false;
    const aborted = this.ongoingAborted.get(batch.producerId);
    if (aborted !== undefined) {
      aborted.lastObservedBatchOffset = batch.lastOffset;
      return true;
    }
    this.ongoingCommitted.add(batch.producerId);
    return false;
  }
}
