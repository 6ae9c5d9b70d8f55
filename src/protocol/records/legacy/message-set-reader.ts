import { DecodeError } from '../../decode-error.js';
import { Reader } from '../../reader.js';
import { ATTR_COMPRESSION_MASK, ATTR_TIMESTAMP_TYPE, CompressionType, LOG_OVERHEAD } from '../batch-header.js';
import {
  codecFor,
  compressionTypeOf,
  DEFAULT_MAX_DECOMPRESSED_BYTES,
  type DecompressionLimit,
} from '../compression/codecs.js';
import { TimestampType } from '../timestamp-type.js';
import { LEGACY_MESSAGE, MIN_MESSAGE_SIZE, readLegacyMessage, type LegacyMessage } from './message.js';

/** A record as a consumer sees it: absolute offset, and the timestamp that applies to it. */
export interface LegacyRecord {
  offset: number;
  timestamp: number;
  key: Buffer | null;
  value: Buffer | null;
}

/**
 * One message as it sits in the set: a plain message, or a wrapper whose value is its compressed
 * inner message set.
 */
export interface LegacyEntry extends LegacyMessage {
  compression: CompressionType;
  timestampType: TimestampType;
  /** The message itself when uncompressed; a wrapper's inner messages otherwise. */
  records: LegacyRecord[];
}

export interface MessageSet {
  entries: LegacyEntry[];
  /**
   * Bytes of an incomplete message at the end. Kafka cuts fetch responses at the size limit, so
   * a partial trailing message is normal there (and an error in a produce request).
   */
  partialBytes: number;
}

/**
 * Reads a v0/v1 message set, checking every CRC and expanding compressed wrappers. v1 inner
 * offsets are relative to the wrapper, whose own offset is that of its last inner message; v0
 * inner offsets are absolute. LogAppendTime wrappers give their timestamp to every inner record.
 */
export function readMessageSet(bytes: Buffer, limit: DecompressionLimit = {}): MessageSet {
  let budget = limit.maxDecompressedBytes ?? DEFAULT_MAX_DECOMPRESSED_BYTES;
  const { messages, partialBytes } = readShallowMessages(bytes, true);
  const entries = messages.map(({ message, at }): LegacyEntry => {
    const compression = compressionTypeOf(message.attributes & ATTR_COMPRESSION_MASK, at + LEGACY_MESSAGE.attributes);
    const timestampType = timestampTypeOf(message);
    let records: LegacyRecord[];
    if (compression === CompressionType.None) {
      records = [{ offset: message.offset, timestamp: message.timestamp, key: message.key, value: message.value }];
    } else {
      const inner = decompressWrapper(message, compression, at, budget);
      budget -= inner.length;
      records = innerRecords(message, timestampType, inner);
    }
    return { ...message, compression, timestampType, records };
  });
  return { entries, partialBytes };
}

function timestampTypeOf(message: LegacyMessage): TimestampType {
  if (message.magic === 0) return TimestampType.None;
  return message.attributes & ATTR_TIMESTAMP_TYPE ? TimestampType.LogAppendTime : TimestampType.CreateTime;
}

interface PlacedMessage {
  message: LegacyMessage;
  /** Where its log entry starts in the set. */
  at: number;
}

interface ShallowMessages {
  messages: PlacedMessage[];
  partialBytes: number;
}

function readShallowMessages(bytes: Buffer, partialAllowed: boolean): ShallowMessages {
  const messages: PlacedMessage[] = [];
  const reader = new Reader(bytes);
  while (reader.remaining > 0) {
    const at = reader.pos;
    if (reader.remaining >= LOG_OVERHEAD) {
      const offset = reader.readInt64();
      const size = reader.readInt32();
      if (size < MIN_MESSAGE_SIZE[0]) {
        throw new DecodeError(`message size ${size} is below the minimum ${MIN_MESSAGE_SIZE[0]}`, at);
      }
      if (size <= reader.remaining) {
        messages.push({ message: readLegacyMessage(bytes, offset, reader.pos, reader.pos + size), at });
        reader.skip(size);
        continue;
      }
    }
    if (!partialAllowed) throw new DecodeError('truncated message inside a compressed message set', at);
    return { messages, partialBytes: bytes.length - at };
  }
  return { messages, partialBytes: 0 };
}

function decompressWrapper(wrapper: LegacyMessage, compression: CompressionType, at: number, budget: number): Buffer {
  if (wrapper.value === null) throw new DecodeError('compressed message without a value', at);
  if (compression === CompressionType.Zstd) throw new DecodeError('zstd compression needs magic v2', at);
  return codecFor(compression).decompress(wrapper.value, budget);
}

function innerRecords(wrapper: LegacyMessage, timestampType: TimestampType, inner: Buffer): LegacyRecord[] {
  const { messages } = readShallowMessages(inner, false);
  if (messages.length === 0) throw new DecodeError('compressed message with no inner messages', 0);
  for (const { message, at } of messages) {
    if (message.magic !== wrapper.magic) {
      throw new DecodeError(`inner message magic ${message.magic} differs from its wrapper's ${wrapper.magic}`, at);
    }
    if ((message.attributes & ATTR_COMPRESSION_MASK) !== CompressionType.None) {
      throw new DecodeError('compressed message inside a compressed message', at);
    }
  }
  const base = wrapper.magic === 0 ? 0 : wrapper.offset - messages[messages.length - 1].message.offset;
  const logAppendTime = timestampType === TimestampType.LogAppendTime;
  return messages.map(({ message, at }) => {
    const offset = base + message.offset;
    if (!Number.isSafeInteger(offset)) throw new DecodeError('inner message offset outside the safe integer range', at);
    return {
      offset,
      timestamp: logAppendTime ? wrapper.timestamp : message.timestamp,
      key: message.key,
      value: message.value,
    };
  });
}
