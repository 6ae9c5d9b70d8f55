import { DecodeError } from '../../decode-error.js';
import { Reader } from '../../reader.js';
import { LOG_OVERHEAD } from '../batch-header.js';
import { crc32 } from '../crc.js';
import { writeInt64BE } from '../int64.js';
import { NO_TIMESTAMP } from '../timestamp-type.js';

/** Message format versions before record batches: v0 (Kafka 0.8) and v1 (0.10, adds a timestamp). */
export type LegacyMagic = 0 | 1;

/**
 * Byte layout of one legacy log entry (Kafka's LegacyRecord behind offset and size). The CRC-32
 * covers magic to the end. Attributes keep the v2 meaning of their low bits: codec in bits 0-2,
 * timestamp type in bit 3 (v1 only).
 */
export const LEGACY_MESSAGE = {
  offset: 0,
  size: 8,
  crc: 12,
  magic: 16,
  attributes: 17,
  timestamp: 18,
} as const;

/** Smallest message bodies (what the size field counts): crc, magic, attributes, [timestamp], two lengths. */
export const MIN_MESSAGE_SIZE: Readonly<Record<LegacyMagic, number>> = { 0: 14, 1: 22 };

export interface LegacyMessage {
  offset: number;
  magic: LegacyMagic;
  attributes: number;
  /** -1 for v0, which has no timestamp. */
  timestamp: number;
  key: Buffer | null;
  value: Buffer | null;
}

/**
 * Reads the message body at [start, end) of `buf`, the bytes after its offset and size fields:
 * its fields must fill the body exactly and its CRC-32 must match.
 */
export function readLegacyMessage(buf: Buffer, offset: number, start: number, end: number): LegacyMessage {
  // Annotated so that reader.fail (never) narrows magic below.
  const reader: Reader = new Reader(buf, start, end);
  const crc = reader.readUInt32();
  const magic = reader.readInt8();
  if (magic !== 0 && magic !== 1) reader.fail(`magic ${magic} is not a legacy message`);
  const attributes = reader.readUInt8();
  const timestamp = magic === 1 ? reader.readInt64() : NO_TIMESTAMP;
  const key = reader.readNullableBytes();
  const value = reader.readNullableBytes();
  if (reader.remaining !== 0) reader.fail(`${reader.remaining} bytes left over at the end of a message`);
  const computed = crc32(buf.subarray(start + 4, end));
  if (computed !== crc) throw new DecodeError(`message CRC mismatch: stored ${crc}, computed ${computed}`, start);
  return { offset, magic, attributes, timestamp, key, value };
}

/** Encodes one log entry: offset, size, then the message with its CRC-32. */
export function encodeLegacyMessage(message: LegacyMessage): Buffer {
  const { magic, key, value } = message;
  const bodySize = MIN_MESSAGE_SIZE[magic] + (key?.length ?? 0) + (value?.length ?? 0);
  const out = Buffer.allocUnsafe(LOG_OVERHEAD + bodySize);
  writeInt64BE(out, LEGACY_MESSAGE.offset, message.offset);
  out.writeInt32BE(bodySize, LEGACY_MESSAGE.size);
  out.writeInt8(magic, LEGACY_MESSAGE.magic);
  out.writeUInt8(message.attributes, LEGACY_MESSAGE.attributes);
  let pos: number = LEGACY_MESSAGE.timestamp;
  if (magic === 1) {
    writeInt64BE(out, pos, message.timestamp);
    pos += 8;
  }
  pos = writeNullableBytes(out, pos, key);
  writeNullableBytes(out, pos, value);
  out.writeUInt32BE(crc32(out.subarray(LEGACY_MESSAGE.magic)), LEGACY_MESSAGE.crc);
  return out;
}

function writeNullableBytes(out: Buffer, pos: number, bytes: Buffer | null): number {
  if (bytes === null) return out.writeInt32BE(-1, pos);
  pos = out.writeInt32BE(bytes.length, pos);
  return pos + bytes.copy(out, pos);
}
