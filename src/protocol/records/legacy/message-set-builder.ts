import { ATTR_TIMESTAMP_TYPE, CompressionType } from '../batch-header.js';
import { codecFor } from '../compression/codecs.js';
import { compressLz4 } from '../compression/lz4.js';
import { NO_TIMESTAMP, TimestampType } from '../timestamp-type.js';
import { encodeLegacyMessage, type LegacyMagic } from './message.js';
import type { LegacyRecord } from './message-set-reader.js';

export interface MessageSetSpec {
  magic: LegacyMagic;
  /** zstd needs magic v2. */
  compression?: CompressionType;
  /** v1 only; v0 messages have no timestamp. */
  timestampType?: TimestampType.CreateTime | TimestampType.LogAppendTime;
  /** Absolute offsets, increasing. */
  records: readonly LegacyRecord[];
}

/**
 * Builds a v0/v1 message set as Kafka writes one: a message per record, or with compression a
 * single wrapper whose offset is the last record's and whose timestamp is the largest. Inner
 * offsets are relative to the first record in v1 and absolute in v0.
 */
export function buildMessageSet(spec: MessageSetSpec): Buffer {
  const { magic, records } = spec;
  const compression = spec.compression ?? CompressionType.None;
  if (compression === CompressionType.Zstd) throw new RangeError('zstd compression needs magic v2');
  const timestampBit = magic === 1 && spec.timestampType === TimestampType.LogAppendTime ? ATTR_TIMESTAMP_TYPE : 0;
  const messageOf = ({ timestamp, key, value }: LegacyRecord, offset: number): Buffer =>
    encodeLegacyMessage({ offset, magic, attributes: timestampBit, timestamp, key, value });

  if (compression === CompressionType.None) {
    return Buffer.concat(records.map((record) => messageOf(record, record.offset)));
  }
  if (records.length === 0) return Buffer.alloc(0);
  const firstOffset = records[0].offset;
  const innerOffset = (offset: number): number => (magic === 1 ? offset - firstOffset : offset);
  const inner = Buffer.concat(records.map((record) => messageOf(record, innerOffset(record.offset))));
  return encodeLegacyMessage({
    offset: records[records.length - 1].offset,
    magic,
    attributes: compression | timestampBit,
    timestamp: records.reduce((max, record) => Math.max(max, record.timestamp), NO_TIMESTAMP),
    key: null,
    value: compressWrapped(inner, compression, magic),
  });
}

/** Kafka wrote magic v0 LZ4 frames with the KAFKA-3160 header checksum; v0 readers expect it. */
function compressWrapped(inner: Buffer, compression: CompressionType, magic: LegacyMagic): Buffer {
  if (compression === CompressionType.Lz4 && magic === 0) return compressLz4(inner, { brokenHeaderChecksum: true });
  return codecFor(compression).compress(inner);
}
