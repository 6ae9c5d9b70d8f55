import { buildRecordBatch } from '../../protocol/records/batch-builder.js';
import type { RecordBatchHeader } from '../../protocol/records/batch-header.js';
import { decodeBatchRecords, recordTimestamp } from '../../protocol/records/batch-records.js';

/** Whether the cleaner keeps the record at `offset` with this key (tombstone: null value). */
export type RetainRecord = (offset: number, key: Buffer | null, isTombstone: boolean) => boolean;

export type FilteredBatch =
  | { readonly kind: 'unchanged' }
  | { readonly kind: 'removed' }
  | { readonly kind: 'rewritten'; readonly bytes: Buffer };

/**
 * What compaction leaves of one batch. Batches that lose no record are kept byte for byte;
 * others are rebuilt with the surviving records, decompressed and recompressed with the batch's
 * own codec, keeping base offset, offset range (lastOffsetDelta), leader epoch, producer fields
 * and timestamps. A batch that loses every record disappears unless `keepEmpty` asks to keep
 * its offset range as an empty batch. Control and transactional batches are left alone.
 */
export function filterBatch(batch: RecordBatchHeader, retain: RetainRecord, keepEmpty: boolean): FilteredBatch {
  if (batch.isControl || batch.isTransactional) return { kind: 'unchanged' };
  const records = decodeBatchRecords(batch);
  const base = batch.baseOffset;
  const kept = records.filter((r) => retain(base + r.offsetDelta, r.key, r.value === null));
  if (kept.length === records.length) return { kind: 'unchanged' };
  if (kept.length === 0 && !keepEmpty) return { kind: 'removed' };
  const bytes = buildRecordBatch({
    records: kept.map((r) => ({
      key: r.key,
      value: r.value,
      headers: r.headers,
      timestamp: recordTimestamp(batch, r),
      offsetDelta: r.offsetDelta,
    })),
    baseOffset: base,
    partitionLeaderEpoch: batch.partitionLeaderEpoch,
    compression: batch.compression,
    logAppendTime: batch.isLogAppendTime ? batch.maxTimestamp : undefined,
    producerId: batch.producerId,
    producerEpoch: batch.producerEpoch,
    baseSequence: batch.baseSequence,
    lastOffsetDelta: batch.lastOffsetDelta,
  });
  return { kind: 'rewritten', bytes };
}

/** The keyed records of a batch, for building the offset map; control and transactional batches have none. */
export function keyedRecords(batch: RecordBatchHeader): { key: Buffer; offset: number }[] {
  if (batch.isControl || batch.isTransactional) return [];
  const base = batch.baseOffset;
  const out: { key: Buffer; offset: number }[] = [];
  for (const r of decodeBatchRecords(batch)) if (r.key !== null) out.push({ key: r.key, offset: base + r.offsetDelta });
  return out;
}
