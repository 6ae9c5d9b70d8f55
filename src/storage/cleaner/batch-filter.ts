import { buildRecordBatch } from '../../protocol/records/batch-builder.js';
import { BATCH_HEADER, CompressionType, RecordBatchHeader } from '../../protocol/records/batch-header.js';
import { decodeBatchRecords, recordTimestamp } from '../../protocol/records/batch-records.js';
import { writeInt64BE } from '../../protocol/records/int64.js';

/** Whether the cleaner keeps the record at `offset` with this key (tombstone: null value). */
export type RetainRecord = (offset: number, key: Buffer | null, isTombstone: boolean) => boolean;

export type FilteredBatch =
  | { readonly kind: 'unchanged' }
  | { readonly kind: 'removed' }
  | { readonly kind: 'rewritten'; readonly bytes: Buffer };

/**
 * What compaction leaves of one batch. Batches that lose no record are kept byte for byte;
 * others are rebuilt with the surviving records, decompressed and recompressed with the batch's
 * own codec, keeping base offset, offset range (lastOffsetDelta), leader epoch, producer fields,
 * the transactional and control flags and timestamps. A batch that loses every record
 * disappears unless `keepEmpty` asks to keep its offset range (and producer fields) as an empty
 * batch. `discardAll` drops every record whatever `retain` says (aborted transactional data, a
 * marker that is no longer needed: Kafka's BatchRetention.DELETE); control batches otherwise stay
 * as they are.
 */
export function filterBatch(batch: RecordBatchHeader, retain: RetainRecord, keepEmpty: boolean, discardAll = false): FilteredBatch {
  if (batch.isControl && !discardAll) return { kind: 'unchanged' };
  const records = discardAll ? [] : decodeBatchRecords(batch);
  const base = batch.baseOffset;
  const kept = records.filter((r) => retain(base + r.offsetDelta, r.key, r.value === null));
  if (!discardAll && kept.length === records.length) return { kind: 'unchanged' };
  if (kept.length === 0 && !keepEmpty) return { kind: 'removed' };
  if (kept.length === 0) return { kind: 'rewritten', bytes: emptyBatch(batch) };
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
    isTransactional: batch.isTransactional,
    isControl: batch.isControl,
    lastOffsetDelta: batch.lastOffsetDelta,
  });
  return { kind: 'rewritten', bytes };
}

/**
 * A batch without records in place of `batch` (Kafka's writeEmptyHeader): same offsets, leader
 * epoch, producer fields, flags and timestamp type, no compression, no first timestamp, and the
 * original max timestamp, which producer state takes as the producer's last timestamp (without
 * it the producer would look expired after a rebuild).
 */
function emptyBatch(batch: RecordBatchHeader): Buffer {
  const bytes = buildRecordBatch({
    records: [],
    baseOffset: batch.baseOffset,
    partitionLeaderEpoch: batch.partitionLeaderEpoch,
    compression: CompressionType.None,
    logAppendTime: batch.isLogAppendTime ? batch.maxTimestamp : undefined,
    producerId: batch.producerId,
    producerEpoch: batch.producerEpoch,
    baseSequence: batch.baseSequence,
    isTransactional: batch.isTransactional,
    isControl: batch.isControl,
    lastOffsetDelta: batch.lastOffsetDelta,
  });
  const header = new RecordBatchHeader(bytes);
  if (!batch.isLogAppendTime) {
    writeInt64BE(bytes, BATCH_HEADER.maxTimestamp, batch.maxTimestamp);
    bytes.writeUInt32BE(header.computeCrc(), BATCH_HEADER.crc);
  }
  return bytes;
}

/**
 * The keyed records of a data batch, for building the offset map; control batches have none.
 * Transactional records count like others (the caller leaves out aborted transactions).
 */
export function keyedRecords(batch: RecordBatchHeader): { key: Buffer; offset: number }[] {
  if (batch.isControl) return [];
  const base = batch.baseOffset;
  const out: { key: Buffer; offset: number }[] = [];
  for (const r of decodeBatchRecords(batch)) if (r.key !== null) out.push({ key: r.key, offset: base + r.offsetDelta });
  return out;
}
