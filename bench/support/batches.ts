import { buildRecordBatch } from '../../src/protocol/records/batch-builder.js';
import { MIB } from './measure.js';

/** Distinct batches of `recordBytes` records, about `batchBytes` each, reused round-robin. */
export function batchPool(batchBytes: number, recordBytes = 1024): Buffer[] {
  const perBatch = Math.max(1, Math.floor(batchBytes / (recordBytes + 16)));
  const count = Math.max(4, Math.min(64, Math.floor((64 * MIB) / batchBytes)));
  return Array.from({ length: count }, (_, b) =>
    buildRecordBatch({
      records: Array.from({ length: perBatch }, (_, i) => ({
        key: Buffer.from(`key-${b}-${i}`),
        value: Buffer.alloc(Math.max(0, recordBytes - 20), 97 + ((b + i) % 26)),
        timestamp: 1_700_000_000_000 + i,
      })),
    }),
  );
}
