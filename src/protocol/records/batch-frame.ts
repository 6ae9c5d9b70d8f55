import { DecodeError } from '../decode-error.js';
import { BATCH_HEADER, RECORD_BATCH_MAGIC, type RecordBatchHeader } from './batch-header.js';

const INT64_FIELDS = ['baseOffset', 'baseTimestamp', 'maxTimestamp', 'producerId'] as const;

/**
 * The checks a v2 batch must pass before anything inside it is trusted: a whole header, magic 2,
 * a length that fits the bytes, int64 fields we can represent, and a matching CRC-32C.
 * Returns the batch's own bytes (the view may continue past it).
 */
export function checkBatchFrame(batch: RecordBatchHeader): Buffer {
  const { bytes } = batch;
  if (bytes.length < BATCH_HEADER.size) {
    throw new DecodeError(`record batch of ${bytes.length} bytes is shorter than its header`, bytes.length);
  }
  if (batch.magic !== RECORD_BATCH_MAGIC) {
    throw new DecodeError(`magic ${batch.magic} is not a v2 record batch`, BATCH_HEADER.magic);
  }
  if (batch.sizeInBytes < BATCH_HEADER.size) {
    throw new DecodeError(`batch length ${batch.batchLength} is shorter than the header`, BATCH_HEADER.batchLength);
  }
  if (batch.sizeInBytes > bytes.length) {
    throw new DecodeError(`batch of ${batch.sizeInBytes} bytes is truncated to ${bytes.length}`, bytes.length);
  }
  for (const field of INT64_FIELDS) {
    if (!Number.isSafeInteger(batch[field])) {
      throw new DecodeError(`${field} outside the safe integer range`, BATCH_HEADER[field]);
    }
  }
  if (!batch.isCrcValid()) {
    throw new DecodeError(`CRC mismatch: header says ${batch.crc}, bytes give ${batch.computeCrc()}`, BATCH_HEADER.crc);
  }
  return batch.sizeInBytes === bytes.length ? bytes : bytes.subarray(0, batch.sizeInBytes);
}
