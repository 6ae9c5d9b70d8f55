import { BATCH_HEADER, LOG_OVERHEAD, RECORD_BATCH_MAGIC, RecordBatchHeader } from '../protocol/records/batch-header.js';

/**
 * The v2 batches in `records` as header views (no copy, no CRC check), or null unless the bytes
 * are whole v2 batches back to back. Produce uses it to look at codecs and attributes before
 * storage validates the batches in full; Fetch to walk the batches it read.
 */
export function batchViews(records: Buffer): RecordBatchHeader[] | null {
  const batches: RecordBatchHeader[] = [];
  let position = 0;
  while (position < records.length) {
    if (records.length - position < BATCH_HEADER.size) return null;
    const size = records.readInt32BE(position + BATCH_HEADER.batchLength) + LOG_OVERHEAD;
    if (size < BATCH_HEADER.size || position + size > records.length) return null;
    if (records.readInt8(position + BATCH_HEADER.magic) !== RECORD_BATCH_MAGIC) return null;
    batches.push(new RecordBatchHeader(records.subarray(position, position + size)));
    position += size;
  }
  return batches;
}

/** The magic byte of the first batch or message, or null when there are too few bytes to hold one. */
export function firstMagic(records: Buffer): number | null {
  return records.length > BATCH_HEADER.magic ? records.readInt8(BATCH_HEADER.magic) : null;
}
