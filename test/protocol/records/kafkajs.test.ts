/**
 * Cross-checks against kafkajs, an implementation we did not write: its v2 record batch and
 * v0/v1 message set encoders and decoders, fed by and feeding ours. kafkajs ships only gzip; the
 * other codecs are plugged in from the native libraries directly, not from our codec modules.
 */
import { createRequire } from 'node:module';
import { compressFrameSync, decompressFrameSync } from 'lz4-napi';
import { compressSync as snappyCompress, uncompressSync as snappyUncompress } from 'snappy';
import zstd from 'zstd-napi';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildRecordBatch, type RecordInput } from '../../../src/protocol/records/batch-builder.js';
import { CompressionType, RecordBatchHeader } from '../../../src/protocol/records/batch-header.js';
import { decodeBatchRecords, recordOffset, recordTimestamp } from '../../../src/protocol/records/batch-records.js';
import { buildTxnMarkerBatch, ControlRecordType } from '../../../src/protocol/records/control-record.js';
import { buildMessageSet } from '../../../src/protocol/records/legacy/message-set-builder.js';
import { readMessageSet, type LegacyRecord } from '../../../src/protocol/records/legacy/message-set-reader.js';
import { sampleBytes } from './fixtures.js';

const require = createRequire(import.meta.url);
/* eslint-disable @typescript-eslint/no-explicit-any -- kafkajs internals are untyped CommonJS */
const { RecordBatch } = require('kafkajs/src/protocol/recordBatch/v0/index.js');
const KafkajsRecord = require('kafkajs/src/protocol/recordBatch/record/v0/index.js');
const decodeKafkajsBatch = require('kafkajs/src/protocol/recordBatch/v0/decoder.js');
const Decoder = require('kafkajs/src/protocol/decoder.js');
const KafkajsMessageSet = require('kafkajs/src/protocol/messageSet/index.js');
const decodeKafkajsMessageSet = require('kafkajs/src/protocol/messageSet/decoder.js');
const { Codecs } = require('kafkajs/src/protocol/message/compression/index.js');
const Long = require('kafkajs/src/utils/long.js');

const XERIAL_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);

/** Like the community kafkajs-snappy plugins: raw blocks out, raw or xerial in. */
function snappyPluginDecompress(data: Buffer): Buffer {
  if (!data.subarray(0, 8).equals(XERIAL_MAGIC)) return snappyUncompress(data, { asBuffer: true }) as Buffer;
  const blocks: Buffer[] = [];
  for (let pos = 16; pos < data.length; pos += 4 + data.readInt32BE(pos)) {
    blocks.push(snappyUncompress(data.subarray(pos + 4, pos + 4 + data.readInt32BE(pos)), { asBuffer: true }) as Buffer);
  }
  return Buffer.concat(blocks);
}

beforeAll(() => {
  const plugin = (compress: (data: Buffer) => Buffer, decompress: (data: Buffer) => Buffer) => () => ({
    compress: async (encoder: { buffer: Buffer }) => compress(encoder.buffer),
    decompress: async (buffer: Buffer) => decompress(buffer),
  });
  Codecs[CompressionType.Snappy] = plugin((data) => snappyCompress(data), snappyPluginDecompress);
  Codecs[CompressionType.Lz4] = plugin((data) => compressFrameSync(data), (data) => decompressFrameSync(data));
  Codecs[CompressionType.Zstd] = plugin((data) => zstd.compress(data), (data) => zstd.decompress(data));
});

const T0 = 1_690_000_000_000;
const RECORDS: RecordInput[] = [
  { key: Buffer.from('key-a'), value: Buffer.from('value-a'), timestamp: T0 + 3, headers: [{ key: 'trace', value: Buffer.from('t-1') }] },
  { key: null, value: Buffer.from('value-b'), timestamp: T0 },
  { key: Buffer.from('key-c'), value: null, timestamp: T0 + 11, headers: [{ key: 'x', value: Buffer.from('1') }, { key: 'y', value: Buffer.from('2') }] },
  { key: Buffer.from('key-d'), value: sampleBytes(4000), timestamp: T0 + 1 },
];

const CODECS = [
  ['none', CompressionType.None],
  ['gzip', CompressionType.Gzip],
  ['snappy', CompressionType.Snappy],
  ['lz4', CompressionType.Lz4],
  ['zstd', CompressionType.Zstd],
] as const;

interface BatchParams {
  compression: CompressionType;
  baseOffset: number;
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  partitionLeaderEpoch: number;
  isTransactional: boolean;
}

const PARAMS: Omit<BatchParams, 'compression'> = {
  baseOffset: 4242,
  producerId: 9001,
  producerEpoch: 3,
  baseSequence: 77,
  partitionLeaderEpoch: 6,
  isTransactional: true,
};

async function kafkajsBatch(params: BatchParams): Promise<Buffer> {
  const baseTimestamp = RECORDS[0].timestamp;
  const encoder = await RecordBatch({
    compression: params.compression,
    firstOffset: Long.fromValue(params.baseOffset),
    firstTimestamp: baseTimestamp,
    maxTimestamp: Math.max(...RECORDS.map((record) => record.timestamp)),
    partitionLeaderEpoch: params.partitionLeaderEpoch,
    lastOffsetDelta: RECORDS.length - 1,
    transactional: params.isTransactional,
    producerId: Long.fromValue(params.producerId),
    producerEpoch: params.producerEpoch,
    firstSequence: params.baseSequence,
    records: RECORDS.map((record, i) =>
      KafkajsRecord({
        offsetDelta: i,
        timestampDelta: record.timestamp - baseTimestamp,
        key: record.key,
        value: record.value,
        headers: Object.fromEntries((record.headers ?? []).map((header) => [header.key, header.value])),
      }),
    ),
  });
  return encoder.buffer;
}

async function decodeWithKafkajs(bytes: Buffer): Promise<any> {
  return decodeKafkajsBatch(new Decoder(bytes));
}

describe.each(CODECS)('v2 batches with %s compression against kafkajs', (_name, compression) => {
  const params = { ...PARAMS, compression };

  it('decodes what kafkajs encodes', async () => {
    const bytes = await kafkajsBatch(params);
    const batch = new RecordBatchHeader(bytes);
    expect(batch.isCrcValid()).toBe(true);
    expect([batch.baseOffset, batch.producerId, batch.producerEpoch, batch.baseSequence]).toEqual([4242, 9001, 3, 77]);
    expect([batch.isTransactional, batch.compression, batch.recordCount, batch.lastOffset]).toEqual([true, compression, 4, 4245]);
    const records = decodeBatchRecords(batch);
    records.forEach((record, i) => {
      expect(recordOffset(batch, record)).toBe(4242 + i);
      expect(recordTimestamp(batch, record)).toBe(RECORDS[i].timestamp);
      expect(record.key).toEqual(RECORDS[i].key);
      expect(record.value).toEqual(RECORDS[i].value);
      expect(record.headers).toEqual(RECORDS[i].headers ?? []);
    });
  });

  it('encodes what kafkajs decodes', async () => {
    const decoded = await decodeWithKafkajs(buildRecordBatch({ records: RECORDS, ...params }));
    expect([decoded.firstOffset, decoded.producerId, decoded.producerEpoch, decoded.firstSequence]).toEqual(['4242', '9001', 3, 77]);
    expect([decoded.inTransaction, decoded.isControlBatch, decoded.partitionLeaderEpoch]).toEqual([true, false, 6]);
    expect(decoded.maxTimestamp).toBe(String(T0 + 11));
    expect(decoded.records).toHaveLength(RECORDS.length);
    decoded.records.forEach((record: any, i: number) => {
      expect(record.offset).toBe(String(4242 + i));
      expect(record.timestamp).toBe(String(RECORDS[i].timestamp));
      expect(record.key).toEqual(RECORDS[i].key);
      expect(record.value).toEqual(RECORDS[i].value);
      expect(record.headers).toEqual(Object.fromEntries((RECORDS[i].headers ?? []).map((header) => [header.key, header.value])));
    });
  });
});

describe('byte-for-byte agreement with kafkajs', () => {
  it('writes the same uncompressed v2 batch', async () => {
    const ours = buildRecordBatch({ records: RECORDS, ...PARAMS, compression: CompressionType.None });
    expect(ours).toEqual(await kafkajsBatch({ ...PARAMS, compression: CompressionType.None }));
  });

  it.each([0, 1] as const)('writes the same uncompressed v%i message set', (magic) => {
    const entries = RECORDS.map((record) => ({ key: record.key, value: record.value, timestamp: record.timestamp }));
    const theirs = KafkajsMessageSet({ messageVersion: magic, compression: CompressionType.None, entries }).buffer;
    const ours = buildMessageSet({ magic, records: entries.map((entry) => ({ ...entry, offset: -1 })) });
    expect(ours).toEqual(theirs);
  });
});

describe('control batches against kafkajs', () => {
  it('are recognised as control batches by kafkajs', async () => {
    const marker = buildTxnMarkerBatch({ type: ControlRecordType.Abort, producerId: 5, producerEpoch: 1, coordinatorEpoch: 2, timestamp: T0 });
    const decoded = await decodeWithKafkajs(marker);
    expect([decoded.isControlBatch, decoded.inTransaction, decoded.records.length]).toEqual([true, true, 1]);
    expect(decoded.records[0].key).toEqual(Buffer.from([0, 0, 0, 0]));
  });
});

describe('legacy message sets against kafkajs', () => {
  const legacyRecords: LegacyRecord[] = RECORDS.map((record, i) => ({ offset: 60 + i, timestamp: record.timestamp, key: record.key, value: record.value }));
  const entries = legacyRecords.map(({ key, value, timestamp }) => ({ key, value, timestamp }));

  /** kafkajs's produce v0-v2 construction: inner set with offsets 0..n-1, then a wrapper at offset 0. */
  async function kafkajsCompressedSet(magic: 0 | 1, compression: CompressionType): Promise<Buffer> {
    const inner = KafkajsMessageSet({ messageVersion: magic, compression, entries });
    const value = await Codecs[compression]().compress(inner);
    return KafkajsMessageSet({ messageVersion: magic, entries: [{ compression, timestamp: T0, key: null, value }] }).buffer;
  }

  it.each([0, 1] as const)('reads kafkajs uncompressed v%i sets', (magic) => {
    const { entries: read, partialBytes } = readMessageSet(KafkajsMessageSet({ messageVersion: magic, compression: CompressionType.None, entries }).buffer);
    expect(partialBytes).toBe(0);
    expect(read.flatMap((entry) => entry.records)).toEqual(
      legacyRecords.map((record) => ({ ...record, offset: -1, timestamp: magic === 0 ? -1 : record.timestamp })),
    );
  });

  it.each([
    [0, 'gzip', CompressionType.Gzip],
    [1, 'gzip', CompressionType.Gzip],
    [0, 'snappy', CompressionType.Snappy],
    [1, 'snappy', CompressionType.Snappy],
    [1, 'lz4', CompressionType.Lz4],
  ] as const)('reads kafkajs v%i %s wrappers', async (magic, _name, compression) => {
    const { entries: read } = readMessageSet(await kafkajsCompressedSet(magic, compression));
    expect(read).toHaveLength(1);
    expect(read[0].compression).toBe(compression);
    const records = read[0].records;
    expect(records.map((record) => [record.key, record.value])).toEqual(legacyRecords.map((record) => [record.key, record.value]));
    // v1: the wrapper's offset (0) is the last inner record's; v0 keeps the inner offsets 0..n-1.
    expect(records.map((record) => record.offset)).toEqual(magic === 1 ? [-3, -2, -1, 0] : [0, 1, 2, 3]);
  });

  it.each([
    [0, 'none', CompressionType.None],
    [1, 'none', CompressionType.None],
    [0, 'gzip', CompressionType.Gzip],
    [1, 'gzip', CompressionType.Gzip],
    [0, 'snappy', CompressionType.Snappy],
    [1, 'snappy', CompressionType.Snappy],
    [1, 'lz4', CompressionType.Lz4],
  ] as const)('writes v%i %s sets kafkajs reads', async (magic, _name, compression) => {
    const bytes = buildMessageSet({ magic, compression, records: legacyRecords });
    const messages = await decodeKafkajsMessageSet(new Decoder(bytes), bytes.length);
    expect(messages.map((message: any) => message.offset)).toEqual(['60', '61', '62', '63']);
    expect(messages.map((message: any) => [message.key, message.value])).toEqual(legacyRecords.map((record) => [record.key, record.value]));
    if (magic === 1) expect(messages.map((message: any) => message.timestamp)).toEqual(legacyRecords.map((record) => String(record.timestamp)));
  });

  it('leaves a partial trailing message to the next fetch, as kafkajs does', async () => {
    const bytes = buildMessageSet({ magic: 1, records: legacyRecords });
    const cut = bytes.subarray(0, bytes.length - 10);
    const theirs = await decodeKafkajsMessageSet(new Decoder(cut), cut.length);
    const ours = readMessageSet(cut);
    expect(ours.entries).toHaveLength(theirs.length);
    expect(ours.partialBytes).toBeGreaterThan(0);
  });
});
