import { Writer } from '../writer.js';
import {
  ATTR_CONTROL,
  ATTR_TIMESTAMP_TYPE,
  ATTR_TRANSACTIONAL,
  BATCH_HEADER,
  CompressionType,
  LOG_OVERHEAD,
  NO_PARTITION_LEADER_EPOCH,
  NO_PRODUCER_EPOCH,
  NO_PRODUCER_ID,
  NO_SEQUENCE,
  RECORD_BATCH_MAGIC,
} from './batch-header.js';
import { codecFor } from './compression/codecs.js';
import { crc32c } from './crc.js';
import { writeInt64BE } from './int64.js';
import { writeRecord, type RecordHeader } from './record.js';
import { NO_TIMESTAMP } from './timestamp-type.js';

const INT32_MAX = 0x7fffffff;

export interface RecordInput {
  key: Buffer | null;
  value: Buffer | null;
  headers?: readonly RecordHeader[];
  timestamp: number;
  /** Defaults to the record's index; must increase through the batch (compaction leaves gaps). */
  offsetDelta?: number;
}

export interface RecordBatchSpec {
  records: readonly RecordInput[];
  baseOffset?: number;
  partitionLeaderEpoch?: number;
  compression?: CompressionType;
  /** Makes the batch LogAppendTime, with this as its maxTimestamp; without it the batch is CreateTime. */
  logAppendTime?: number;
  producerId?: number;
  producerEpoch?: number;
  baseSequence?: number;
  isTransactional?: boolean;
  isControl?: boolean;
  /**
   * Keeps the offset range of a batch whose last records were dropped (compaction may even leave
   * it empty); defaults to the last record's offsetDelta.
   */
  lastOffsetDelta?: number;
}

/** Records are encoded here first, then compressed or copied into the batch. */
const recordsWriter = new Writer();

/**
 * Builds one v2 record batch: baseTimestamp is the first record's timestamp (-1 when empty),
 * maxTimestamp the largest, and the CRC-32C covers attributes to the end, as Kafka writes them.
 */
export function buildRecordBatch(spec: RecordBatchSpec): Buffer {
  const { records } = spec;
  const compression = spec.compression ?? CompressionType.None;
  const codec = compression === CompressionType.None ? null : codecFor(compression);
  const baseTimestamp = records.length > 0 ? records[0].timestamp : NO_TIMESTAMP;
  let maxTimestamp = NO_TIMESTAMP;
  let lastRecordDelta = -1;
  let lastOffsetDelta: number;
  try {
    for (let i = 0; i < records.length; i++) {
      const record = records[i];
      const offsetDelta = record.offsetDelta ?? i;
      if (!Number.isInteger(offsetDelta) || offsetDelta <= lastRecordDelta || offsetDelta > INT32_MAX) {
        throw new RangeError(`record ${i}: offsetDelta ${offsetDelta} does not follow ${lastRecordDelta}`);
      }
      lastRecordDelta = offsetDelta;
      maxTimestamp = Math.max(maxTimestamp, record.timestamp);
      const timestampDelta = record.timestamp - baseTimestamp;
      writeRecord(recordsWriter, offsetDelta, timestampDelta, record.key, record.value, record.headers ?? []);
    }
    lastOffsetDelta = spec.lastOffsetDelta ?? Math.max(lastRecordDelta, 0);
    if (lastOffsetDelta < lastRecordDelta || lastOffsetDelta > INT32_MAX) {
      throw new RangeError(`lastOffsetDelta ${lastOffsetDelta} is before the last record's ${lastRecordDelta}`);
    }
  } catch (error) {
    recordsWriter.finish(); // drop the partly written records
    throw error;
  }

  const payload = codec === null ? recordsWriter.finish() : [codec.compress(recordsWriter.finishToBuffer())];
  const size = BATCH_HEADER.size + payload.reduce((sum, chunk) => sum + chunk.length, 0);
  const batch = Buffer.allocUnsafe(size);
  let pos = BATCH_HEADER.size;
  for (const chunk of payload) pos += chunk.copy(batch, pos);

  let attributes: number = compression;
  if (spec.logAppendTime !== undefined) attributes |= ATTR_TIMESTAMP_TYPE;
  if (spec.isTransactional) attributes |= ATTR_TRANSACTIONAL;
  if (spec.isControl) attributes |= ATTR_CONTROL;
  writeInt64BE(batch, BATCH_HEADER.baseOffset, spec.baseOffset ?? 0);
  batch.writeInt32BE(size - LOG_OVERHEAD, BATCH_HEADER.batchLength);
  batch.writeInt32BE(spec.partitionLeaderEpoch ?? NO_PARTITION_LEADER_EPOCH, BATCH_HEADER.partitionLeaderEpoch);
  batch.writeInt8(RECORD_BATCH_MAGIC, BATCH_HEADER.magic);
  batch.writeInt16BE(attributes, BATCH_HEADER.attributes);
  batch.writeInt32BE(lastOffsetDelta, BATCH_HEADER.lastOffsetDelta);
  writeInt64BE(batch, BATCH_HEADER.baseTimestamp, baseTimestamp);
  writeInt64BE(batch, BATCH_HEADER.maxTimestamp, spec.logAppendTime ?? maxTimestamp);
  writeInt64BE(batch, BATCH_HEADER.producerId, spec.producerId ?? NO_PRODUCER_ID);
  batch.writeInt16BE(spec.producerEpoch ?? NO_PRODUCER_EPOCH, BATCH_HEADER.producerEpoch);
  batch.writeInt32BE(spec.baseSequence ?? NO_SEQUENCE, BATCH_HEADER.baseSequence);
  batch.writeInt32BE(records.length, BATCH_HEADER.recordCount);
  batch.writeUInt32BE(crc32c(batch.subarray(BATCH_HEADER.attributes)), BATCH_HEADER.crc);
  return batch;
}
