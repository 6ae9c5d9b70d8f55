import { crc32c } from './crc.js';
import { readInt64BE, writeInt64BE } from './int64.js';

/** Byte layout of a v2 RecordBatch header (Kafka's DefaultRecordBatch). */
export const BATCH_HEADER = {
  baseOffset: 0,
  batchLength: 8,
  partitionLeaderEpoch: 12,
  magic: 16,
  crc: 17,
  attributes: 21,
  lastOffsetDelta: 23,
  baseTimestamp: 27,
  maxTimestamp: 35,
  producerId: 43,
  producerEpoch: 51,
  baseSequence: 53,
  recordCount: 57,
  size: 61,
} as const;

/** Offset + length fields that precede every batch and legacy message (the "log overhead"). */
export const LOG_OVERHEAD = 12;

export const ATTR_COMPRESSION_MASK = 0x07;
export const ATTR_TIMESTAMP_TYPE = 0x08;
export const ATTR_TRANSACTIONAL = 0x10;
export const ATTR_CONTROL = 0x20;
export const ATTR_DELETE_HORIZON = 0x40;

export const enum CompressionType {
  None = 0,
  Gzip = 1,
  Snappy = 2,
  Lz4 = 3,
  Zstd = 4,
}

/** The magic byte of v2 record batches. */
export const RECORD_BATCH_MAGIC = 2;

/** Header values of batches written without an idempotent producer or a known leader epoch. */
export const NO_PRODUCER_ID = -1;
export const NO_PRODUCER_EPOCH = -1;
export const NO_SEQUENCE = -1;
export const NO_PARTITION_LEADER_EPOCH = -1;

/**
 * A zero-copy view over one v2 RecordBatch: the header fields are read straight from the bytes,
 * and the fields Kafka rewrites on append (baseOffset, partitionLeaderEpoch outside the CRC;
 * maxTimestamp for LogAppendTime, which re-computes the CRC) are patched in place.
 * The caller guarantees `bytes` holds at least the header; `isComplete` checks the rest.
 */
export class RecordBatchHeader {
  constructor(readonly bytes: Buffer) {}

  get baseOffset(): number {
    return readInt64BE(this.bytes, BATCH_HEADER.baseOffset);
  }
  set baseOffset(v: number) {
    writeInt64BE(this.bytes, BATCH_HEADER.baseOffset, v);
  }
  /** Bytes after the length field: the whole batch is `batchLength + LOG_OVERHEAD` bytes. */
  get batchLength(): number {
    return this.bytes.readInt32BE(BATCH_HEADER.batchLength);
  }
  get sizeInBytes(): number {
    return this.batchLength + LOG_OVERHEAD;
  }
  get partitionLeaderEpoch(): number {
    return this.bytes.readInt32BE(BATCH_HEADER.partitionLeaderEpoch);
  }
  set partitionLeaderEpoch(v: number) {
    this.bytes.writeInt32BE(v, BATCH_HEADER.partitionLeaderEpoch);
  }
  get magic(): number {
    return this.bytes.readInt8(BATCH_HEADER.magic);
  }
  get crc(): number {
    return this.bytes.readUInt32BE(BATCH_HEADER.crc);
  }
  get attributes(): number {
    return this.bytes.readInt16BE(BATCH_HEADER.attributes);
  }
  get compression(): CompressionType {
    return this.attributes & ATTR_COMPRESSION_MASK;
  }
  get isLogAppendTime(): boolean {
    return (this.attributes & ATTR_TIMESTAMP_TYPE) !== 0;
  }
  get isTransactional(): boolean {
    return (this.attributes & ATTR_TRANSACTIONAL) !== 0;
  }
  get isControl(): boolean {
    return (this.attributes & ATTR_CONTROL) !== 0;
  }
  get lastOffsetDelta(): number {
    return this.bytes.readInt32BE(BATCH_HEADER.lastOffsetDelta);
  }
  get lastOffset(): number {
    return this.baseOffset + this.lastOffsetDelta;
  }
  get baseTimestamp(): number {
    return readInt64BE(this.bytes, BATCH_HEADER.baseTimestamp);
  }
  get maxTimestamp(): number {
    return readInt64BE(this.bytes, BATCH_HEADER.maxTimestamp);
  }
  get producerId(): number {
    return readInt64BE(this.bytes, BATCH_HEADER.producerId);
  }
  get producerEpoch(): number {
    return this.bytes.readInt16BE(BATCH_HEADER.producerEpoch);
  }
  get baseSequence(): number {
    return this.bytes.readInt32BE(BATCH_HEADER.baseSequence);
  }
  get recordCount(): number {
    return this.bytes.readInt32BE(BATCH_HEADER.recordCount);
  }

  /** True when the buffer holds the whole batch its length field announces. */
  get isComplete(): boolean {
    return this.bytes.length >= BATCH_HEADER.size && this.bytes.length >= this.sizeInBytes;
  }

  computeCrc(): number {
    return crc32c(this.bytes.subarray(BATCH_HEADER.attributes, this.sizeInBytes));
  }

  isCrcValid(): boolean {
    return this.computeCrc() === this.crc;
  }

  /** Rewrites maxTimestamp and the LogAppendTime attribute bit, then the CRC they are covered by. */
  setLogAppendTime(timestamp: number): void {
    this.bytes.writeInt16BE(this.attributes | ATTR_TIMESTAMP_TYPE, BATCH_HEADER.attributes);
    writeInt64BE(this.bytes, BATCH_HEADER.maxTimestamp, timestamp);
    this.bytes.writeUInt32BE(this.computeCrc(), BATCH_HEADER.crc);
  }
}
