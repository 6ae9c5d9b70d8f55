import { crc32 as zlibCrc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { CompressionType } from '../../../src/protocol/records/batch-header.js';
import { codecFor } from '../../../src/protocol/records/compression/codecs.js';
import { xxhash32 } from '../../../src/protocol/records/compression/xxhash32.js';
import { encodeLegacyMessage, LEGACY_MESSAGE, type LegacyMagic } from '../../../src/protocol/records/legacy/message.js';
import { buildMessageSet } from '../../../src/protocol/records/legacy/message-set-builder.js';
import { readMessageSet, type LegacyRecord } from '../../../src/protocol/records/legacy/message-set-reader.js';
import { TimestampType } from '../../../src/protocol/records/timestamp-type.js';
import { expectDecodeError, sampleBytes } from './fixtures.js';

const T0 = 1_600_000_000_000;

const RECORDS: LegacyRecord[] = [
  { offset: 100, timestamp: T0, key: Buffer.from('a'), value: Buffer.from('first') },
  { offset: 101, timestamp: T0 + 20, key: null, value: Buffer.from('no key') },
  { offset: 102, timestamp: T0 + 10, key: Buffer.from('c'), value: null },
  { offset: 103, timestamp: T0 + 5, key: Buffer.alloc(0), value: sampleBytes(3000) },
];

const LEGACY_CODECS = [
  ['gzip', CompressionType.Gzip],
  ['snappy', CompressionType.Snappy],
  ['lz4', CompressionType.Lz4],
] as const;

/** Recomputes the CRC of the message whose log entry starts at `at`. */
function reseal(set: Buffer, at = 0): Buffer {
  const end = at + 12 + set.readInt32BE(at + LEGACY_MESSAGE.size);
  set.writeUInt32BE(zlibCrc32(set.subarray(at + LEGACY_MESSAGE.magic, end)), at + LEGACY_MESSAGE.crc);
  return set;
}

function wrapper(magic: LegacyMagic, compression: CompressionType, inner: Buffer, offset = 9, attributes: number = compression): Buffer {
  return encodeLegacyMessage({ offset, magic, attributes, timestamp: T0, key: null, value: codecFor(compression).compress(inner) });
}

function plain(magic: LegacyMagic, offset: number, attributes = 0): Buffer {
  return encodeLegacyMessage({ offset, magic, attributes, timestamp: T0, key: null, value: Buffer.from('x') });
}

describe('legacy message layout', () => {
  it('encodes a v0 message byte for byte', () => {
    const set = buildMessageSet({ magic: 0, records: [{ offset: 5, timestamp: T0, key: Buffer.from('k'), value: Buffer.from('v') }] });
    const body = Buffer.from([0, 0, 0, 0, 0, 1, 0x6b, 0, 0, 0, 1, 0x76]);
    const expected = Buffer.alloc(12 + 4 + body.length);
    expected.writeBigInt64BE(5n, 0);
    expected.writeInt32BE(4 + body.length, 8);
    expected.writeUInt32BE(zlibCrc32(body), 12);
    body.copy(expected, 16);
    expect(set).toEqual(expected);
  });

  it('encodes a v1 message byte for byte, null key included', () => {
    const set = buildMessageSet({
      magic: 1,
      timestampType: TimestampType.LogAppendTime,
      records: [{ offset: 6, timestamp: T0, key: null, value: Buffer.from('v') }],
    });
    const body = Buffer.alloc(2 + 8 + 4 + 5);
    body.writeInt8(1, 0);
    body.writeInt8(0x08, 1);
    body.writeBigInt64BE(BigInt(T0), 2);
    body.writeInt32BE(-1, 10);
    body.writeInt32BE(1, 14);
    body.write('v', 18);
    expect(set.readInt32BE(8)).toBe(4 + body.length);
    expect(set.readUInt32BE(12)).toBe(zlibCrc32(body));
    expect(set.subarray(16)).toEqual(body);
  });
});

describe.each([0, 1] as const)('magic v%i message sets', (magic) => {
  const expectedTimestamp = (record: LegacyRecord): number => (magic === 0 ? -1 : record.timestamp);

  it('round-trips uncompressed messages', () => {
    const { entries, partialBytes } = readMessageSet(buildMessageSet({ magic, records: RECORDS }));
    expect(partialBytes).toBe(0);
    expect(entries.map((entry) => entry.records)).toEqual(RECORDS.map((record) => [{ ...record, timestamp: expectedTimestamp(record) }]));
    for (const entry of entries) {
      expect(entry.magic).toBe(magic);
      expect(entry.compression).toBe(CompressionType.None);
      expect(entry.timestampType).toBe(magic === 0 ? TimestampType.None : TimestampType.CreateTime);
    }
  });

  it.each(LEGACY_CODECS)('round-trips a %s wrapper', (_name, compression) => {
    const set = buildMessageSet({ magic, compression, records: RECORDS });
    const { entries } = readMessageSet(set);
    expect(entries).toHaveLength(1);
    const [entry] = entries;
    expect(entry.offset).toBe(103);
    expect(entry.compression).toBe(compression);
    expect(entry.key).toBeNull();
    expect(entry.timestamp).toBe(magic === 0 ? -1 : T0 + 20);
    expect(entry.records).toEqual(RECORDS.map((record) => ({ ...record, timestamp: expectedTimestamp(record) })));

    const inner = readMessageSet(codecFor(compression).decompress(entry.value!, 1 << 20)).entries;
    expect(inner.map((message) => message.offset)).toEqual(magic === 1 ? [0, 1, 2, 3] : [100, 101, 102, 103]);
  });

  it('reads plain messages and wrappers mixed in one set', () => {
    const set = Buffer.concat([
      buildMessageSet({ magic, records: RECORDS.slice(0, 1) }),
      buildMessageSet({ magic, compression: CompressionType.Gzip, records: RECORDS.slice(1, 3) }),
      buildMessageSet({ magic, records: RECORDS.slice(3) }),
    ]);
    const { entries } = readMessageSet(set);
    expect(entries.map((entry) => entry.compression)).toEqual([CompressionType.None, CompressionType.Gzip, CompressionType.None]);
    expect(entries.flatMap((entry) => entry.records.map((record) => record.offset))).toEqual([100, 101, 102, 103]);
  });

  it('reports a partial message at the end and keeps the whole ones', () => {
    const head = buildMessageSet({ magic, records: RECORDS.slice(0, 3) });
    const set = Buffer.concat([head, buildMessageSet({ magic, records: RECORDS.slice(3) })]);
    const lastStart = head.length;
    for (const cut of [1, 11, 12, 20, set.length - lastStart - 1]) {
      const { entries, partialBytes } = readMessageSet(set.subarray(0, lastStart + cut));
      expect(entries).toHaveLength(3);
      expect(partialBytes).toBe(cut);
    }
  });
});

describe('legacy wrappers', () => {
  it('resolves v1 inner offsets from the wrapper offset, as Kafka does (wrapper = last inner)', () => {
    const inner = Buffer.concat([plain(1, 0), plain(1, 1), plain(1, 2)]);
    const { entries } = readMessageSet(wrapper(1, CompressionType.Gzip, inner, 52));
    expect(entries[0].records.map((record) => record.offset)).toEqual([50, 51, 52]);
  });

  it('resolves kafkajs-style wrappers with offset -1 to negative offsets, left for the broker to assign', () => {
    const inner = Buffer.concat([plain(1, 0), plain(1, 1)]);
    const { entries } = readMessageSet(wrapper(1, CompressionType.Gzip, inner, -1));
    expect(entries[0].records.map((record) => record.offset)).toEqual([-2, -1]);
  });

  it('gives a LogAppendTime wrapper timestamp to every inner record', () => {
    const inner = Buffer.concat([plain(1, 0), plain(1, 1)]);
    const set = encodeLegacyMessage({
      offset: 1,
      magic: 1,
      attributes: CompressionType.Snappy | 0x08,
      timestamp: T0 + 777,
      key: null,
      value: codecFor(CompressionType.Snappy).compress(inner),
    });
    const [entry] = readMessageSet(set).entries;
    expect(entry.timestampType).toBe(TimestampType.LogAppendTime);
    expect(entry.records.map((record) => record.timestamp)).toEqual([T0 + 777, T0 + 777]);
  });

  it('writes magic v0 LZ4 with the KAFKA-3160 header checksum and v1 with the standard one', () => {
    for (const magic of [0, 1] as const) {
      const [entry] = readMessageSet(buildMessageSet({ magic, compression: CompressionType.Lz4, records: RECORDS })).entries;
      const frame = entry.value!;
      const covered = magic === 0 ? frame.subarray(0, 6) : frame.subarray(4, 6);
      expect(frame[6]).toBe((xxhash32(covered) >>> 8) & 0xff);
    }
  });

  it('builds nothing for a compressed set without records, and refuses zstd', () => {
    expect(buildMessageSet({ magic: 1, compression: CompressionType.Gzip, records: [] })).toHaveLength(0);
    expect(() => buildMessageSet({ magic: 1, compression: CompressionType.Zstd, records: RECORDS })).toThrow(RangeError);
  });
});

describe('legacy message validation', () => {
  const valid = (): Buffer => buildMessageSet({ magic: 1, records: RECORDS.slice(0, 2) });

  it('rejects a CRC mismatch', () => {
    const set = valid();
    set[20] ^= 1;
    expectDecodeError(() => readMessageSet(set), /message CRC mismatch/);
  });

  it('rejects sizes below the minimum, unknown magic and left-over bytes', () => {
    const small = valid();
    small.writeInt32BE(13, 8);
    expectDecodeError(() => readMessageSet(small), /message size 13 is below the minimum 14/);
    const magic2 = valid();
    magic2[LEGACY_MESSAGE.magic] = 2;
    expectDecodeError(() => readMessageSet(reseal(magic2)), /magic 2 is not a legacy message/);
    const oneMessage = buildMessageSet({ magic: 0, records: RECORDS.slice(0, 1) });
    const padded = Buffer.concat([oneMessage, Buffer.alloc(3)]);
    padded.writeInt32BE(oneMessage.length - 12 + 3, 8);
    expectDecodeError(() => readMessageSet(reseal(padded)), /3 bytes left over/);
  });

  it('rejects key and value lengths past the message', () => {
    const set = valid();
    set.writeInt32BE(1000, LEGACY_MESSAGE.timestamp + 8);
    expectDecodeError(() => readMessageSet(reseal(set)), /exceeds/);
  });

  it('rejects wrappers that cannot hold records', () => {
    const nullValue = encodeLegacyMessage({ offset: 0, magic: 1, attributes: CompressionType.Gzip, timestamp: T0, key: null, value: null });
    expectDecodeError(() => readMessageSet(nullValue), /compressed message without a value/);
    expectDecodeError(() => readMessageSet(wrapper(1, CompressionType.Gzip, Buffer.alloc(0))), /no inner messages/);
    const nested = wrapper(1, CompressionType.Gzip, plain(1, 0));
    expectDecodeError(() => readMessageSet(wrapper(1, CompressionType.Gzip, nested)), /compressed message inside a compressed message/);
    expectDecodeError(() => readMessageSet(wrapper(1, CompressionType.Gzip, plain(0, 0))), /inner message magic 0 differs/);
    const truncated = Buffer.concat([plain(1, 0), plain(1, 1)]);
    expectDecodeError(() => readMessageSet(wrapper(1, CompressionType.Gzip, truncated.subarray(0, truncated.length - 2))), /truncated message inside/);
    expectDecodeError(() => readMessageSet(wrapper(1, CompressionType.Zstd, plain(1, 0))), /zstd compression needs magic v2/);
    expectDecodeError(() => readMessageSet(wrapper(1, CompressionType.Gzip, plain(1, 0), 0, 6)), /unknown compression type 6/);
    const corrupt = encodeLegacyMessage({ offset: 0, magic: 0, attributes: CompressionType.Snappy, timestamp: -1, key: null, value: Buffer.from('zzzz') });
    expectDecodeError(() => readMessageSet(corrupt), /snappy/);
  });

  it('rejects inner offsets that leave the safe integer range', () => {
    const inner = Buffer.concat([plain(1, 0), plain(1, -(2 ** 52))]);
    expectDecodeError(() => readMessageSet(wrapper(1, CompressionType.Gzip, inner, 2 ** 52)), /safe integer range/);
  });

  it('shares one decompression budget across all wrappers of a set', () => {
    const records = [{ offset: 0, timestamp: T0, key: null, value: Buffer.alloc(600_000) }];
    const one = buildMessageSet({ magic: 1, compression: CompressionType.Gzip, records });
    expect(readMessageSet(one, { maxDecompressedBytes: 1 << 20 }).entries).toHaveLength(1);
    expectDecodeError(() => readMessageSet(Buffer.concat([one, one]), { maxDecompressedBytes: 1 << 20 }), /allowed/);
  });

  it('throws only DecodeError for damaged sets', () => {
    const original = Buffer.concat([
      buildMessageSet({ magic: 1, compression: CompressionType.Lz4, records: RECORDS }),
      buildMessageSet({ magic: 0, records: RECORDS }),
    ]);
    for (let i = 0; i < 500; i++) {
      const set = Buffer.from(original);
      const at = (i * 7877) % set.length;
      set[at] ^= 1 << (i % 8);
      try {
        readMessageSet(set.readInt32BE(8) > 0 && set.readInt32BE(8) < set.length ? reseal(set) : set);
      } catch (error) {
        expect((error as Error).name, String(error)).toBe('DecodeError');
      }
    }
  });
});
