import { DecodeError } from '../protocol/decode-error.js';
import { buildRecordBatch } from '../protocol/records/batch-builder.js';
import { BATCH_HEADER, LOG_OVERHEAD, RecordBatchHeader } from '../protocol/records/batch-header.js';

/** A data batch as the quorum writes it: every record keyed null, its value a serialized record. */
export function buildDataBatch(values: readonly Buffer[], epoch: number, timestamp: number, baseOffset = 0): Buffer {
  return buildRecordBatch({
    records: values.map((value) => ({ key: null, value, timestamp })),
    baseOffset,
    partitionLeaderEpoch: epoch,
  });
}

/** Views of the v2 batches in `bytes`, back to back; a batch cut short is a DecodeError. */
export function splitRecordBatches(bytes: Buffer): RecordBatchHeader[] {
  const batches: RecordBatchHeader[] = [];
  let position = 0;
  while (position < bytes.length) {
    const left = bytes.length - position;
    if (left < BATCH_HEADER.size) throw new DecodeError(`${left} bytes left, less than a batch header`, position);
    const size = bytes.readInt32BE(position + BATCH_HEADER.batchLength) + LOG_OVERHEAD;
    if (size < BATCH_HEADER.size || size > left) throw new DecodeError(`batch of ${size} bytes does not fit in ${left}`, position);
    batches.push(new RecordBatchHeader(bytes.subarray(position, position + size)));
    position += size;
  }
  return batches;
}
