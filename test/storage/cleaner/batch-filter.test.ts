import { describe, expect, it } from 'vitest';
import { CompressionType, RecordBatchHeader } from '../../../src/protocol/records/batch-header.js';
import { filterBatch, keyedRecords } from '../../../src/storage/cleaner/batch-filter.js';
import { batch, decodeRecords } from '../support/batches.js';

function header(bytes: Buffer): RecordBatchHeader {
  return new RecordBatchHeader(bytes);
}

const RECORDS = [
  { key: 'a', value: '1', timestamp: 10 },
  { key: 'b', value: '2', timestamp: 30 },
  { key: 'a', value: null, timestamp: 20 },
];

describe('filterBatch', () => {
  it('keeps a batch byte for byte when every record stays', () => {
    expect(filterBatch(header(batch(RECORDS, { baseOffset: 100 })), () => true, false)).toEqual({ kind: 'unchanged' });
  });

  it('drops a batch that loses every record, unless asked to keep its offset range', () => {
    const b = header(batch(RECORDS, { baseOffset: 100 }));
    expect(filterBatch(b, () => false, false)).toEqual({ kind: 'removed' });
    const kept = filterBatch(b, () => false, true);
    if (kept.kind !== 'rewritten') throw new Error('expected a rewrite');
    const empty = header(kept.bytes);
    expect([empty.baseOffset, empty.lastOffset, empty.recordCount]).toEqual([100, 102, 0]);
    expect(empty.isCrcValid()).toBe(true);
    // As Kafka's writeEmptyHeader: no first timestamp, the original max timestamp (producer state reads it), no codec.
    expect([empty.baseTimestamp, empty.maxTimestamp, empty.compression]).toEqual([-1, 30, CompressionType.None]);
    const compressed = filterBatch(header(batch(RECORDS, { baseOffset: 100, compression: CompressionType.Gzip })), () => false, true);
    if (compressed.kind !== 'rewritten') throw new Error('expected a rewrite');
    expect(header(compressed.bytes).compression).toBe(CompressionType.None);
  });

  it.each([CompressionType.None, CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4, CompressionType.Zstd])(
    'rebuilds survivors with their offsets, timestamps and the codec (%i)',
    (compression) => {
      const original = header(batch(RECORDS, { baseOffset: 100, compression, partitionLeaderEpoch: 7, producerId: 42, producerEpoch: 3, baseSequence: 9 }));
      const result = filterBatch(original, (offset) => offset !== 100, false);
      if (result.kind !== 'rewritten') throw new Error('expected a rewrite');
      const rebuilt = header(result.bytes);
      expect(rebuilt.compression).toBe(compression);
      expect([rebuilt.baseOffset, rebuilt.lastOffset, rebuilt.partitionLeaderEpoch]).toEqual([100, 102, 7]);
      expect([rebuilt.producerId, rebuilt.producerEpoch, rebuilt.baseSequence]).toEqual([42, 3, 9]);
      expect(decodeRecords(result.bytes)).toEqual([
        { offset: 101, key: 'b', value: '2', timestamp: 30 },
        { offset: 102, key: 'a', value: null, timestamp: 20 },
      ]);
    },
  );

  it('leaves control batches alone unless told to discard them', () => {
    const control = header(batch(RECORDS, { isControl: true, isTransactional: true, producerId: 1, producerEpoch: 2 }));
    expect(filterBatch(control, () => false, false)).toEqual({ kind: 'unchanged' });
    expect(filterBatch(control, () => true, false, true)).toEqual({ kind: 'removed' });
    const kept = filterBatch(control, () => true, true, true);
    if (kept.kind !== 'rewritten') throw new Error('expected a rewrite');
    const empty = header(kept.bytes);
    expect([empty.isControl, empty.isTransactional, empty.producerId, empty.producerEpoch, empty.recordCount, empty.lastOffset]).toEqual([
      true,
      true,
      1,
      2,
      0,
      2,
    ]);
  });

  it('filters transactional data like other data and keeps its flags', () => {
    const txn = header(batch(RECORDS, { isTransactional: true, producerId: 1, producerEpoch: 0, baseSequence: 0 }));
    const result = filterBatch(txn, (offset) => offset === 1, false);
    if (result.kind !== 'rewritten') throw new Error('expected a rewrite');
    expect(header(result.bytes).isTransactional).toBe(true);
    expect(decodeRecords(result.bytes).map((r) => r.offset)).toEqual([1]);
    expect(filterBatch(txn, () => true, false, true)).toEqual({ kind: 'removed' });
  });

  it('lists the keyed records of data batches, transactional ones included', () => {
    const keyed = keyedRecords(header(batch([...RECORDS, { key: null, value: 'x', timestamp: 1 }], { baseOffset: 5 })));
    expect(keyed.map((r) => [r.key.toString(), r.offset])).toEqual([
      ['a', 5],
      ['b', 6],
      ['a', 7],
    ]);
    expect(keyedRecords(header(batch(RECORDS, { isTransactional: true, producerId: 1 }))).length).toBe(3);
    expect(keyedRecords(header(batch(RECORDS, { isControl: true, isTransactional: true, producerId: 1 })))).toEqual([]);
  });
});
