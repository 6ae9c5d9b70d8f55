import { batch } from './batches.js';

export const RECORDS_PER_BATCH = 4;

/** Batch number `i` of the SIGKILL test: its content says which batch it is. */
export function numberedBatch(i: number): Buffer {
  return batch(
    Array.from({ length: RECORDS_PER_BATCH }, (_, j) => ({
      key: `key-${i}-${j}`,
      value: `value-${i}-${j}-`.padEnd(300 + (i % 7) * 50, 'x'),
      timestamp: 1_000_000 + i,
    })),
  );
}
