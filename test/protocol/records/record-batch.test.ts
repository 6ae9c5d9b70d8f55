import { describe, expect, it } from 'vitest';
import { Writer } from '../../../src/protocol/writer.js';
import { buildRecordBatch, type RecordInput } from '../../../src/protocol/records/batch-builder.js';
import { checkBatchFrame } from '../../../src/protocol/records/batch-frame.js';
import {
  BATCH_HEADER,
  CompressionType,
  RecordBatchHeader,
} from '../../../src/protocol/records/batch-header.js';
import { decodeBatchRecords, recordOffset, recordTimestamp } from '../../../src/protocol/records/batch-records.js';
import { codecFor } from '../../../src/protocol/records/compression/codecs.js';
import { expectBytes, expectDecodeError, noiseBytes, sampleBytes } from './fixtures.js';

const T0 = 1_700_000_000_000;

const RECORDS: RecordInput[] = [
  {
    key: Buffer.from('key-0'),
    value: Buffer.from('value-0'),
    timestamp: T0 + 5,
    headers: [
      { key: 'trace', value: Buffer.from('abc') },
      { key: 'trace', value: Buffer.from('def') },
      { key: 'empty', value: Buffer.alloc(0) },
      { key: 'nothing', value: null },
      { key: 'ünïcødé 🎉', value: Buffer.from([0, 1, 2]) },
    ],
  },
  { key: null, value: Buffer.from('no key'), timestamp: T0 },
  { key: Buffer.from('tombstone'), value: null, timestamp: T0 + 1000 },
  { key: Buffer.alloc(0), value: Buffer.alloc(0), timestamp: T0 - 3 },
  { key: sampleBytes(600), value: sampleBytes(5000, 9), timestamp: T0 + 7 },
];

const CODECS = [
  ['none', CompressionType.None],
  ['gzip', CompressionType.Gzip],
  ['snappy', CompressionType.Snappy],
  ['lz4', CompressionType.Lz4],
  ['zstd', CompressionType.Zstd],
] as const;

/** Recomputes the CRC after a test tampered with the batch, so decoding gets past it. */
function reseal(bytes: Buffer): Buffer {
  bytes.writeUInt32BE(new RecordBatchHeader(bytes).computeCrc(), BATCH_HEADER.crc);
  return bytes;
}

/** A batch around hand-written record bytes, its header claiming `count` records. */
function batchAround(payload: Buffer, count: number, compression = CompressionType.None): Buffer {
  const bytes = Buffer.concat([buildRecordBatch({ records: [], compression }).subarray(0, BATCH_HEADER.size), payload]);
  bytes.writeInt32BE(bytes.length - 12, BATCH_HEADER.batchLength);
  bytes.writeInt32BE(count, BATCH_HEADER.recordCount);
  return reseal(bytes);
}

function decode(bytes: Buffer) {
  return decodeBatchRecords(new RecordBatchHeader(bytes));
}

/** One record's bytes, written field by field so tests can lie in any of them. */
interface RawRecordFields {
  length?: number;
  keyLength?: number;
  headerCount?: number;
  headerKey?: string;
  headerKeyLength?: number;
  trailing?: number;
}

function rawRecord(fields: RawRecordFields): Buffer {
  const body = new Writer();
  body.writeInt8(0).writeVarlong(0).writeVarint(0);
  body.writeVarint(fields.keyLength ?? 1);
  if ((fields.keyLength ?? 1) > 0) body.writeRaw(Buffer.from('k'.repeat(fields.keyLength ?? 1)));
  body.writeVarint(1).writeRaw(Buffer.from('v'));
  const hasHeader = fields.headerKey !== undefined || fields.headerKeyLength !== undefined;
  body.writeVarint(fields.headerCount ?? (hasHeader ? 1 : 0));
  if (hasHeader) {
    const headerKey = Buffer.from(fields.headerKey ?? '');
    body.writeVarint(fields.headerKeyLength ?? headerKey.length).writeRaw(headerKey).writeVarint(-1);
  }
  for (let i = 0; i < (fields.trailing ?? 0); i++) body.writeInt8(0);
  const bodyBytes = body.finishToBuffer();
  const out = new Writer();
  out.writeVarint(fields.length ?? bodyBytes.length).writeRaw(bodyBytes);
  return out.finishToBuffer();
}

describe.each(CODECS)('v2 batch with %s compression', (_name, compression) => {
  it('round-trips keys, values, headers and timestamps', () => {
    const bytes = buildRecordBatch({ records: RECORDS, compression, baseOffset: 1000 });
    const batch = new RecordBatchHeader(bytes);
    expect(batch.compression).toBe(compression);
    const records = decodeBatchRecords(batch);
    expect(records).toHaveLength(RECORDS.length);
    records.forEach((record, i) => {
      expect(record.offsetDelta).toBe(i);
      expect(recordOffset(batch, record)).toBe(1000 + i);
      expect(recordTimestamp(batch, record)).toBe(RECORDS[i].timestamp);
      expect(record.key).toEqual(RECORDS[i].key);
      expect(record.value).toEqual(RECORDS[i].value);
      expect(record.headers).toEqual(RECORDS[i].headers ?? []);
    });
  });

  it('round-trips a batch larger than 1 MiB', () => {
    const records = Array.from({ length: 40 }, (_, i) => ({
      key: Buffer.from(`k${i}`),
      value: i % 2 ? sampleBytes(40_000, i) : noiseBytes(20_000, i + 1),
      timestamp: T0 + i,
    }));
    const bytes = buildRecordBatch({ records, compression });
    const decoded = decodeBatchRecords(new RecordBatchHeader(bytes), { maxDecompressedBytes: 2 << 20 });
    expect(decoded).toHaveLength(40);
    decoded.forEach((record, i) => expectBytes(record.value!, records[i].value));
  });

  it('decodes a batch viewed inside a larger buffer', () => {
    const bytes = buildRecordBatch({ records: RECORDS, compression });
    const joined = Buffer.concat([bytes, buildRecordBatch({ records: RECORDS.slice(0, 1), compression })]);
    expect(decode(joined)).toHaveLength(RECORDS.length);
  });
});

describe('v2 batch header', () => {
  it('carries every field the builder was given', () => {
    const bytes = buildRecordBatch({
      records: RECORDS,
      baseOffset: 2 ** 40,
      partitionLeaderEpoch: 17,
      compression: CompressionType.Lz4,
      producerId: 2 ** 45 + 3,
      producerEpoch: 9,
      baseSequence: 123_456,
      isTransactional: true,
    });
    const batch = new RecordBatchHeader(bytes);
    expect(batch.sizeInBytes).toBe(bytes.length);
    expect(batch.baseOffset).toBe(2 ** 40);
    expect(batch.partitionLeaderEpoch).toBe(17);
    expect(batch.magic).toBe(2);
    expect(batch.compression).toBe(CompressionType.Lz4);
    expect(batch.isTransactional).toBe(true);
    expect(batch.isControl).toBe(false);
    expect(batch.isLogAppendTime).toBe(false);
    expect(batch.lastOffsetDelta).toBe(RECORDS.length - 1);
    expect(batch.lastOffset).toBe(2 ** 40 + RECORDS.length - 1);
    expect(batch.baseTimestamp).toBe(RECORDS[0].timestamp);
    expect(batch.maxTimestamp).toBe(T0 + 1000);
    expect(batch.producerId).toBe(2 ** 45 + 3);
    expect(batch.producerEpoch).toBe(9);
    expect(batch.baseSequence).toBe(123_456);
    expect(batch.recordCount).toBe(RECORDS.length);
    expect(batch.isCrcValid()).toBe(true);
  });

  it('defaults to no producer, no leader epoch, offset 0, CreateTime', () => {
    const batch = new RecordBatchHeader(buildRecordBatch({ records: RECORDS.slice(0, 1) }));
    expect([batch.baseOffset, batch.partitionLeaderEpoch, batch.producerId, batch.producerEpoch, batch.baseSequence]).toEqual([
      0, -1, -1, -1, -1,
    ]);
    expect(batch.attributes).toBe(0);
  });

  it('stamps LogAppendTime batches: every record takes the batch maxTimestamp', () => {
    const bytes = buildRecordBatch({ records: RECORDS, logAppendTime: T0 + 99_999 });
    const batch = new RecordBatchHeader(bytes);
    expect(batch.isLogAppendTime).toBe(true);
    expect(batch.maxTimestamp).toBe(T0 + 99_999);
    for (const record of decodeBatchRecords(batch)) expect(recordTimestamp(batch, record)).toBe(T0 + 99_999);
  });

  it('keeps its CRC through setLogAppendTime and the in-place offset patches', () => {
    const bytes = buildRecordBatch({ records: RECORDS, compression: CompressionType.Gzip });
    const batch = new RecordBatchHeader(bytes);
    batch.baseOffset = 555;
    batch.partitionLeaderEpoch = 3;
    batch.setLogAppendTime(T0 + 1);
    expect(checkBatchFrame(batch)).toBe(bytes);
    for (const record of decodeBatchRecords(batch)) expect(recordTimestamp(batch, record)).toBe(T0 + 1);
  });

  it('keeps offset gaps and an explicit lastOffsetDelta (compaction)', () => {
    const records = [
      { key: Buffer.from('a'), value: null, timestamp: T0, offsetDelta: 2 },
      { key: Buffer.from('b'), value: null, timestamp: T0, offsetDelta: 7 },
    ];
    const batch = new RecordBatchHeader(buildRecordBatch({ records, baseOffset: 10, lastOffsetDelta: 9 }));
    expect(batch.lastOffset).toBe(19);
    expect(decodeBatchRecords(batch).map((record) => recordOffset(batch, record))).toEqual([12, 17]);
  });

  it('builds an empty batch that keeps an offset range', () => {
    const batch = new RecordBatchHeader(buildRecordBatch({ records: [], baseOffset: 40, lastOffsetDelta: 4, producerId: 8 }));
    expect([batch.recordCount, batch.lastOffset, batch.baseTimestamp, batch.maxTimestamp]).toEqual([0, 44, -1, -1]);
    expect(decodeBatchRecords(batch)).toEqual([]);
  });

  it('rejects builder input that cannot be a batch, and recovers from it', () => {
    const a = { key: null, value: null, timestamp: T0 };
    expect(() => buildRecordBatch({ records: [{ ...a, offsetDelta: 3 }, { ...a, offsetDelta: 3 }] })).toThrow(RangeError);
    expect(() => buildRecordBatch({ records: [a, a], lastOffsetDelta: 0 })).toThrow(RangeError);
    expect(() => buildRecordBatch({ records: [a, { ...a, timestamp: 2 ** 60 }] })).toThrow(RangeError);
    const bytes = buildRecordBatch({ records: RECORDS });
    expect(decode(bytes)).toHaveLength(RECORDS.length);
  });
});

describe('v2 batch validation', () => {
  const valid = (): Buffer => buildRecordBatch({ records: RECORDS, baseOffset: 7 });

  it('accepts a good CRC and rejects a flipped byte anywhere it covers', () => {
    expect(new RecordBatchHeader(valid()).isCrcValid()).toBe(true);
    for (const at of [BATCH_HEADER.attributes + 1, BATCH_HEADER.maxTimestamp + 7, BATCH_HEADER.size + 10, valid().length - 1]) {
      const bytes = valid();
      bytes[at] ^= 0x10;
      expectDecodeError(() => decode(bytes), /CRC mismatch/);
    }
  });

  it('ignores changes outside the CRC (baseOffset, partitionLeaderEpoch)', () => {
    const bytes = valid();
    bytes[3] ^= 0xff;
    bytes[BATCH_HEADER.partitionLeaderEpoch] ^= 0x01;
    expect(decode(bytes)).toHaveLength(RECORDS.length);
  });

  it('rejects truncated batches', () => {
    expectDecodeError(() => decode(valid().subarray(0, 60)), /shorter than its header/);
    expectDecodeError(() => decode(valid().subarray(0, 100)), /truncated/);
  });

  it('rejects a wrong magic and a length shorter than the header', () => {
    const v1 = valid();
    v1[BATCH_HEADER.magic] = 1;
    expectDecodeError(() => decode(v1), /magic 1/);
    const short = valid();
    short.writeInt32BE(40, BATCH_HEADER.batchLength);
    expectDecodeError(() => decode(short), /shorter than the header/);
  });

  it('rejects int64 fields outside the safe range', () => {
    const bytes = valid();
    bytes.writeUInt32BE(0x7fffffff, BATCH_HEADER.producerId);
    expectDecodeError(() => decode(reseal(bytes)), /producerId outside/);
  });

  it('rejects record counts that disagree with the bytes', () => {
    const bytes = valid();
    bytes.writeInt32BE(RECORDS.length + 1, BATCH_HEADER.recordCount);
    expectDecodeError(() => decode(reseal(bytes)), /declares 6 records but holds 5/);
    bytes.writeInt32BE(RECORDS.length - 1, BATCH_HEADER.recordCount);
    expectDecodeError(() => decode(reseal(bytes)), /bytes follow the 4 records/);
    bytes.writeInt32BE(-1, BATCH_HEADER.recordCount);
    expectDecodeError(() => decode(reseal(bytes)), /negative record count/);
  });

  it('rejects record counts that disagree with compressed bytes', () => {
    const bytes = buildRecordBatch({ records: RECORDS, compression: CompressionType.Zstd });
    bytes.writeInt32BE(2, BATCH_HEADER.recordCount);
    expectDecodeError(() => decode(reseal(bytes)), /bytes follow the 2 records/);
    bytes.writeInt32BE(2_000_000_000, BATCH_HEADER.recordCount);
    expectDecodeError(() => decode(reseal(bytes)), /declares 2000000000 records but holds 5/);
  });

  it('accepts hand-written records, then rejects each kind of malformed one', () => {
    expect(decode(batchAround(Buffer.concat([rawRecord({}), rawRecord({ headerKey: 'hk' })]), 2))).toHaveLength(2);
    const cases: [string, Buffer, RegExp][] = [
      ['record length past the end', rawRecord({ length: 100 }), /record length 100 does not fit/],
      ['negative record length', rawRecord({ length: -1 }), /record length -1/],
      ['fields shorter than the length', rawRecord({ trailing: 2 }), /2 bytes left over/],
      ['fields longer than the length', rawRecord({ length: 6 }), /exceeds the 0 bytes left/],
      ['key length below -1', rawRecord({ keyLength: -2 }), /invalid length -2/],
      ['key longer than the record', rawRecord({ keyLength: 1, length: 9, trailing: 0 }).subarray(0, 6), /truncated|does not fit/],
      ['negative header count', rawRecord({ headerCount: -1 }), /negative header count/],
      ['null header key', rawRecord({ headerKeyLength: -1 }), /null header key/],
      ['header key past the record', rawRecord({ headerKeyLength: 50 }), /exceeds/],
    ];
    for (const [label, payload, message] of cases) {
      expect(() => decode(batchAround(payload, 1)), label).toThrow(message);
      expectDecodeError(() => decode(batchAround(payload, 1)));
    }
  });

  it('rejects unknown compression ids and corrupt compressed records', () => {
    const unknown = valid();
    unknown.writeInt16BE(5, BATCH_HEADER.attributes);
    expectDecodeError(() => decode(reseal(unknown)), /unknown compression type 5/);
    expectDecodeError(() => decode(batchAround(Buffer.from('not gzip at all'), 1, CompressionType.Gzip)), /corrupt gzip/);
    const compressedGarbage = codecFor(CompressionType.Snappy).compress(Buffer.from([0x10, 0x00]));
    expectDecodeError(() => decode(batchAround(compressedGarbage, 1, CompressionType.Snappy)), /record length 8 does not fit/);
  });

  it('bounds decompression by the caller limit', () => {
    const bytes = buildRecordBatch({ records: [{ key: null, value: Buffer.alloc(3 << 20), timestamp: T0 }], compression: CompressionType.Zstd });
    expectDecodeError(() => decodeBatchRecords(new RecordBatchHeader(bytes), { maxDecompressedBytes: 1 << 20 }), /allowed/);
    expect(decodeBatchRecords(new RecordBatchHeader(bytes), { maxDecompressedBytes: 4 << 20 })).toHaveLength(1);
  });

  it.each(CODECS)('throws only DecodeError for damaged %s batches', (_name, compression) => {
    const original = buildRecordBatch({ records: RECORDS, compression });
    for (let i = 0; i < 400; i++) {
      const bytes = Buffer.from(original);
      const at = BATCH_HEADER.attributes + ((i * 104_729) % (bytes.length - BATCH_HEADER.attributes));
      bytes[at] ^= 1 << (i % 8);
      const cut = i % 3 === 0 ? bytes.subarray(0, BATCH_HEADER.size + ((i * 31) % (bytes.length - BATCH_HEADER.size))) : bytes;
      if (cut !== bytes) cut.writeInt32BE(cut.length - 12, BATCH_HEADER.batchLength);
      try {
        decode(reseal(cut));
      } catch (error) {
        expect((error as Error).name, String(error)).toBe('DecodeError');
      }
    }
  });
});
