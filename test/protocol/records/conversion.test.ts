import { describe, expect, it } from 'vitest';
import { buildRecordBatch, type RecordInput } from '../../../src/protocol/records/batch-builder.js';
import { CompressionType, RecordBatchHeader } from '../../../src/protocol/records/batch-header.js';
import { decodeBatchRecords, recordOffset, recordTimestamp } from '../../../src/protocol/records/batch-records.js';
import { buildTxnMarkerBatch, ControlRecordType } from '../../../src/protocol/records/control-record.js';
import { recordBatchToMessageSet } from '../../../src/protocol/records/legacy/down-convert.js';
import { encodeLegacyMessage, type LegacyMagic } from '../../../src/protocol/records/legacy/message.js';
import { buildMessageSet } from '../../../src/protocol/records/legacy/message-set-builder.js';
import { readMessageSet, type LegacyRecord } from '../../../src/protocol/records/legacy/message-set-reader.js';
import { legacyToRecordBatches } from '../../../src/protocol/records/legacy/up-convert.js';
import { TimestampType } from '../../../src/protocol/records/timestamp-type.js';
import { expectDecodeError, sampleBytes } from './fixtures.js';

const T0 = 1_650_000_000_000;

const LEGACY: LegacyRecord[] = [
  { offset: 100, timestamp: T0, key: Buffer.from('a'), value: Buffer.from('one') },
  { offset: 101, timestamp: T0 + 9, key: null, value: Buffer.from('two') },
  { offset: 102, timestamp: T0 + 3, key: Buffer.from('c'), value: null },
];

/** Every record of a list of v2 batches, as absolute values. */
function flatten(batches: Buffer[]) {
  return batches.flatMap((bytes) => {
    const batch = new RecordBatchHeader(bytes);
    return decodeBatchRecords(batch).map((record) => ({
      offset: recordOffset(batch, record),
      timestamp: recordTimestamp(batch, record),
      key: record.key,
      value: record.value,
    }));
  });
}

function upConvert(set: Buffer, firstOffset?: number): Buffer[] {
  return legacyToRecordBatches(readMessageSet(set).entries, { firstOffset });
}

describe('legacy -> v2', () => {
  it('keeps v1 offsets, timestamps, keys and values in one batch', () => {
    const batches = upConvert(buildMessageSet({ magic: 1, records: LEGACY }));
    expect(batches).toHaveLength(1);
    const batch = new RecordBatchHeader(batches[0]);
    expect([batch.baseOffset, batch.lastOffset, batch.compression, batch.isLogAppendTime]).toEqual([100, 102, CompressionType.None, false]);
    expect([batch.producerId, batch.producerEpoch, batch.baseSequence]).toEqual([-1, -1, -1]);
    expect([batch.baseTimestamp, batch.maxTimestamp]).toEqual([T0, T0 + 9]);
    expect(flatten(batches)).toEqual(LEGACY);
  });

  it('gives v0 records no timestamp (-1)', () => {
    const batches = upConvert(buildMessageSet({ magic: 0, records: LEGACY }));
    const batch = new RecordBatchHeader(batches[0]);
    expect([batch.baseTimestamp, batch.maxTimestamp]).toEqual([-1, -1]);
    expect(flatten(batches)).toEqual(LEGACY.map((record) => ({ ...record, timestamp: -1 })));
  });

  it.each([
    ['gzip', CompressionType.Gzip],
    ['snappy', CompressionType.Snappy],
    ['lz4', CompressionType.Lz4],
  ] as const)('turns a %s wrapper into a batch of the same codec', (_name, compression) => {
    for (const magic of [0, 1] as const) {
      const batches = upConvert(buildMessageSet({ magic, compression, records: LEGACY }));
      expect(batches).toHaveLength(1);
      expect(new RecordBatchHeader(batches[0]).compression).toBe(compression);
      expect(flatten(batches).map((record) => record.offset)).toEqual([100, 101, 102]);
    }
  });

  it('renumbers from firstOffset across the batches of a mixed set', () => {
    const set = Buffer.concat([
      buildMessageSet({ magic: 1, records: LEGACY.slice(0, 1) }),
      buildMessageSet({ magic: 1, compression: CompressionType.Gzip, records: LEGACY.slice(1) }),
      buildMessageSet({ magic: 1, records: LEGACY.slice(0, 2) }),
    ]);
    const batches = upConvert(set, 500);
    expect(batches.map((bytes) => new RecordBatchHeader(bytes).compression)).toEqual([
      CompressionType.None,
      CompressionType.Gzip,
      CompressionType.None,
    ]);
    expect(flatten(batches).map((record) => record.offset)).toEqual([500, 501, 502, 503, 504]);
  });

  it('starts a new batch where kept offsets stop increasing or overflow a delta', () => {
    const kafkajsStyle = buildMessageSet({ magic: 1, records: LEGACY.map((record) => ({ ...record, offset: -1 })) });
    expect(upConvert(kafkajsStyle)).toHaveLength(3);
    expect(upConvert(kafkajsStyle, 0)).toHaveLength(1);
    const far = buildMessageSet({ magic: 1, records: [LEGACY[0], { ...LEGACY[1], offset: 100 + 2 ** 31 }] });
    const batches = upConvert(far);
    expect(batches).toHaveLength(2);
    expect(flatten(batches).map((record) => record.offset)).toEqual([100, 100 + 2 ** 31]);
  });

  it('keeps LogAppendTime, splitting plain messages whose append times differ', () => {
    const stamped = (offset: number, timestamp: number): Buffer =>
      encodeLegacyMessage({ offset, magic: 1, attributes: 0x08, timestamp, key: null, value: Buffer.from('v') });
    const batches = upConvert(Buffer.concat([stamped(1, T0), stamped(2, T0), stamped(3, T0 + 1)]));
    expect(batches).toHaveLength(2);
    const first = new RecordBatchHeader(batches[0]);
    expect([first.isLogAppendTime, first.maxTimestamp, first.recordCount]).toEqual([true, T0, 2]);
    expect(new RecordBatchHeader(batches[1]).maxTimestamp).toBe(T0 + 1);
  });

  it('converts an empty set to no batches', () => {
    expect(legacyToRecordBatches([])).toEqual([]);
  });
});

describe('v2 -> legacy', () => {
  const RECORDS: RecordInput[] = [
    { key: Buffer.from('k0'), value: Buffer.from('v0'), timestamp: T0 + 4, headers: [{ key: 'h', value: Buffer.from('dropped') }] },
    { key: null, value: sampleBytes(2000), timestamp: T0, offsetDelta: 3 },
    { key: Buffer.from('k2'), value: null, timestamp: T0 + 2, offsetDelta: 4 },
  ];
  const expectedOffsets = [200, 203, 204];

  function downConvert(spec: Parameters<typeof buildRecordBatch>[0], magic: LegacyMagic) {
    return readMessageSet(recordBatchToMessageSet(new RecordBatchHeader(buildRecordBatch(spec)), magic));
  }

  it.each([0, 1] as const)('writes uncompressed batches as plain v%i messages', (magic) => {
    const { entries } = downConvert({ records: RECORDS, baseOffset: 200 }, magic);
    expect(entries).toHaveLength(3);
    expect(entries.map((entry) => entry.magic)).toEqual([magic, magic, magic]);
    expect(entries.flatMap((entry) => entry.records)).toEqual(
      RECORDS.map((record, i) => ({
        offset: expectedOffsets[i],
        timestamp: magic === 0 ? -1 : record.timestamp,
        key: record.key,
        value: record.value,
      })),
    );
  });

  it.each([
    ['gzip', CompressionType.Gzip],
    ['snappy', CompressionType.Snappy],
    ['lz4', CompressionType.Lz4],
  ] as const)('keeps %s as one wrapper, offset gaps included', (_name, compression) => {
    for (const magic of [0, 1] as const) {
      const { entries } = downConvert({ records: RECORDS, baseOffset: 200, compression }, magic);
      expect(entries).toHaveLength(1);
      expect([entries[0].compression, entries[0].offset]).toEqual([compression, 204]);
      expect(entries[0].records.map((record) => record.offset)).toEqual(expectedOffsets);
      expect(entries[0].records.map((record) => record.value)).toEqual(RECORDS.map((record) => record.value));
    }
  });

  it('writes zstd batches uncompressed, since old formats cannot carry zstd', () => {
    const { entries } = downConvert({ records: RECORDS, baseOffset: 200, compression: CompressionType.Zstd }, 1);
    expect(entries.map((entry) => entry.compression)).toEqual([0, 0, 0]);
    expect(entries.map((entry) => entry.offset)).toEqual(expectedOffsets);
  });

  it('keeps LogAppendTime as the v1 timestamp type', () => {
    const { entries } = downConvert({ records: RECORDS, logAppendTime: T0 + 50, compression: CompressionType.Gzip }, 1);
    expect(entries[0].timestampType).toBe(TimestampType.LogAppendTime);
    expect(entries[0].records.map((record) => record.timestamp)).toEqual([T0 + 50, T0 + 50, T0 + 50]);
  });

  it('drops control batches', () => {
    const marker = buildTxnMarkerBatch({ type: ControlRecordType.Commit, producerId: 1, producerEpoch: 0, coordinatorEpoch: 0, timestamp: T0 });
    expect(recordBatchToMessageSet(new RecordBatchHeader(marker), 1)).toHaveLength(0);
  });

  it('round-trips v2 -> v1 -> v2 without losing keys, values, offsets or timestamps', () => {
    const original = buildRecordBatch({ records: RECORDS, baseOffset: 200, compression: CompressionType.Snappy });
    const legacy = recordBatchToMessageSet(new RecordBatchHeader(original), 1);
    const back = legacyToRecordBatches(readMessageSet(legacy).entries);
    expect(back).toHaveLength(1);
    expect(flatten(back)).toEqual(flatten([original]));
  });

  it('rejects a corrupt batch', () => {
    const bytes = buildRecordBatch({ records: RECORDS });
    bytes[bytes.length - 1] ^= 1;
    expectDecodeError(() => recordBatchToMessageSet(new RecordBatchHeader(bytes), 1), /CRC mismatch/);
  });
});
