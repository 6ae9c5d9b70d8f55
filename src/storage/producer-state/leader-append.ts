import { DecodeError } from '../../protocol/decode-error.js';
import type { RecordBatchHeader } from '../../protocol/records/batch-header.js';
import { CorruptRecordError } from '../errors.js';
import type { CompletedTxn, ProducerAppendInfo, ProducerAppendOrigin } from './producer-append-info.js';
import { type BatchMetadata, firstOffsetOf } from './producer-state-entry.js';
import type { ProducerStateManager } from './producer-state-manager.js';
import { applyBatch } from './rebuild.js';
import { lastSequenceOf } from './sequence.js';

/** The original batch a retried produce repeats, with its offsets. */
export interface DuplicateBatch {
  readonly firstOffset: number;
  readonly lastOffset: number;
  readonly timestamp: number;
}

/** What an append does to the producer state, decided before anything is written. */
export interface ProducerStateAnalysis {
  readonly appends: ReadonlyMap<number, ProducerAppendInfo>;
  readonly completedTxns: readonly CompletedTxn[];
  /** Set when a client's batch repeats one already in the log: the append is then skipped. */
  readonly duplicate: DuplicateBatch | null;
}

const NOTHING: ProducerStateAnalysis = { appends: new Map(), completedTxns: [], duplicate: null };

/**
 * Kafka's analyzeAndValidateProducerState: the batches (offsets already assigned) checked
 * against each producer's state. A client batch that repeats one of the producer's last five
 * batches makes the whole append a duplicate; an epoch or sequence error throws the error the
 * produce answers with. Nothing changes until `applyProducerState` after the write.
 */
export function analyzeProducerState(
  manager: ProducerStateManager,
  batches: readonly RecordBatchHeader[],
  origin: ProducerAppendOrigin,
): ProducerStateAnalysis {
  let appends: Map<number, ProducerAppendInfo> | null = null;
  const completedTxns: CompletedTxn[] = [];
  for (const batch of batches) {
    const producerId = batch.producerId;
    if (producerId < 0) continue;
    if (origin === 'client') {
      const duplicate = findDuplicate(manager, producerId, batch);
      if (duplicate !== null) {
        return { appends: new Map(), completedTxns: [], duplicate: { firstOffset: firstOffsetOf(duplicate), lastOffset: duplicate.lastOffset, timestamp: duplicate.timestamp } };
      }
    }
    appends ??= new Map();
    let txn: CompletedTxn | null;
    try {
      txn = applyBatch(manager, appends, batch, origin, producerId);
    } catch (err) {
      if (err instanceof DecodeError) throw new CorruptRecordError(`undecodable control batch at offset ${batch.baseOffset}: ${err.message}`);
      throw err;
    }
    if (txn !== null) completedTxns.push(txn);
  }
  return appends === null ? NOTHING : { appends, completedTxns, duplicate: null };
}

function findDuplicate(manager: ProducerStateManager, producerId: number, batch: RecordBatchHeader): BatchMetadata | null {
  const entry = manager.lastEntry(producerId);
  if (entry === undefined) return null;
  return entry.findDuplicateBatch(batch.producerEpoch, batch.baseSequence, lastSequenceOf(batch.baseSequence, batch.lastOffsetDelta));
}

/** Takes an analysed append into the state once its batches are written. */
export function applyProducerState(manager: ProducerStateManager, analysis: ProducerStateAnalysis): void {
  for (const info of analysis.appends.values()) manager.update(info);
  for (const txn of analysis.completedTxns) manager.completeTxn(txn);
}
