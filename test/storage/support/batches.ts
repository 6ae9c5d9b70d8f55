import { RecordBatchHeader } from '../../../src/protocol/records/batch-header.js';
import { buildRecordBatch, type RecordBatchSpec } from '../../../src/protocol/records/batch-builder.js';
import { decodeBatchRecords, recordOffset, recordTimestamp } from '../../../src/protocol/records/batch-records.js';
import { LOG_OVERHEAD } from '../../../src/protocol/records/batch-header.js';

export interface TestRecord {
  key: string | null;
  value: string | null;
  timestamp?: number;
}

/** An uncompressed (or `compression`) batch of string records, as a producer would send it. */
export function batch(records: readonly TestRecord[], options: Omit<RecordBatchSpec, 'records'> = {}): Buffer {
  return buildRecordBatch({
    ...options,
    records: records.map((r, i) => ({
      key: r.key === null ? null : Buffer.from(r.key),
      value: r.value === null ? null : Buffer.from(r.value),
      timestamp: r.timestamp ?? 1_000 + i,
    })),
  });
}

/** A batch of `count` records with values of `valueBytes` bytes each. */
export function sizedBatch(count: number, valueBytes: number, timestamp = 1_000, key: string | null = 'k'): Buffer {
  const value = 'v'.repeat(valueBytes);
  return batch(Array.from({ length: count }, () => ({ key, value, timestamp })));
}

export interface DecodedRecord {
  offset: number;
  timestamp: number;
  key: string | null;
  value: string | null;
}

/** Splits concatenated batches (a fetch response's records) into header views. */
export function splitBatches(bytes: Buffer): RecordBatchHeader[] {
  const out: RecordBatchHeader[] = [];
  let position = 0;
  while (position + LOG_OVERHEAD <= bytes.length) {
    const size = bytes.readInt32BE(position + 8) + LOG_OVERHEAD;
    if (position + size > bytes.length) break;
    out.push(new RecordBatchHeader(bytes.subarray(position, position + size)));
    position += size;
  }
  return out;
}

export function decodeRecords(bytes: Buffer): DecodedRecord[] {
  return splitBatches(bytes).flatMap((b) =>
    decodeBatchRecords(b).map((r) => ({
      offset: recordOffset(b, r),
      timestamp: recordTimestamp(b, r),
      key: r.key === null ? null : r.key.toString(),
      value: r.value === null ? null : r.value.toString(),
    })),
  );
}
