import { Reader } from '../reader.js';
import { checkBatchFrame } from './batch-frame.js';
import { BATCH_HEADER, CompressionType, type RecordBatchHeader } from './batch-header.js';
import {
  codecFor,
  compressionTypeOf,
  DEFAULT_MAX_DECOMPRESSED_BYTES,
  type DecompressionLimit,
} from './compression/codecs.js';
import { readRecord, type BatchRecord } from './record.js';

/**
 * Decodes every record of a v2 batch after checkBatchFrame, decompressing when the attributes say
 * so. The records must match the declared count exactly, with no bytes left over.
 */
export function decodeBatchRecords(batch: RecordBatchHeader, limit: DecompressionLimit = {}): BatchRecord[] {
  const bytes = checkBatchFrame(batch);
  const compression = compressionTypeOf(batch.compression, BATCH_HEADER.attributes);
  const count = batch.recordCount;
  let reader = new Reader(bytes, BATCH_HEADER.size);
  if (count < 0) reader.fail(`negative record count ${count}`);
  if (compression !== CompressionType.None) {
    const maxOutputBytes = limit.maxDecompressedBytes ?? DEFAULT_MAX_DECOMPRESSED_BYTES;
    reader = new Reader(codecFor(compression).decompress(bytes.subarray(BATCH_HEADER.size), maxOutputBytes));
  }
  const records: BatchRecord[] = [];
  for (let i = 0; i < count; i++) {
    if (reader.remaining === 0) reader.fail(`batch declares ${count} records but holds ${i}`);
    records.push(readRecord(reader));
  }
  if (reader.remaining !== 0) reader.fail(`${reader.remaining} bytes follow the ${count} records the batch declares`);
  return records;
}

export function recordOffset(batch: RecordBatchHeader, record: BatchRecord): number {
  return batch.baseOffset + record.offsetDelta;
}

/** LogAppendTime batches stamp every record with the batch's maxTimestamp. */
export function recordTimestamp(batch: RecordBatchHeader, record: BatchRecord): number {
  return batch.isLogAppendTime ? batch.maxTimestamp : batch.baseTimestamp + record.timestampDelta;
}
