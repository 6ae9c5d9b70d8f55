import { CompressionType, LOG_OVERHEAD, RecordBatchHeader } from '../protocol/records/batch-header.js';
import { buildRecordBatch } from '../protocol/records/batch-builder.js';
import { decodeBatchRecords, recordTimestamp } from '../protocol/records/batch-records.js';
import { readMessageSet } from '../protocol/records/legacy/message-set-reader.js';
import { legacyToRecordBatches } from '../protocol/records/legacy/up-convert.js';
import { CorruptRecordError, InvalidRecordError, RecordTooLargeError } from '../storage/errors.js';
import { batchViews, firstMagic } from './batch-views.js';
import { recordValidationError } from './record-validation.js';
import { type CompressionSetting, targetCompression, type ReplicaTopicConfig } from './topic-config.js';

/**
 * Turns a produce's records into what storage appends, changing bytes only where Kafka's
 * LogValidator would: v0/v1 message sets become v2 batches, batches whose codec differs from
 * the topic's compression.type are recompressed (uncompressed transaction markers excepted), and batches a producer marked LogAppendTime
 * are refused with record errors. Batches that need none of this are returned as the very bytes
 * the producer sent, which is the common case. Malformed bytes are passed through for storage
 * to reject with CORRUPT_MESSAGE.
 */
export function toStoredRecords(records: Buffer, config: ReplicaTopicConfig, now: number, partitionName: string): Buffer {
  const magic = firstMagic(records);
  const converted = magic === 0 || magic === 1 ? upConvert(records, config, partitionName) : records;
  const batches = batchViews(converted);
  if (batches === null) return converted;
  if (batches.some((b) => b.isLogAppendTime)) {
    const error = recordValidationError(batches, config, now, partitionName);
    if (error !== null) throw error;
  }
  const setting = config['compression.type'];
  if (setting === 'producer' || batches.every((b) => storedCompression(setting, b) === b.compression)) return converted;
  return Buffer.concat(
    batches.map((batch) => {
      const target = storedCompression(setting, batch);
      if (target === batch.compression) return batch.bytes;
      checkSize(batch.sizeInBytes, config, partitionName);
      return recompress(batch, target, partitionName);
    }),
  );
}

/** The codec a batch is stored with; as Kafka's LogValidator, an uncompressed control batch (a transaction marker) stays uncompressed. */
function storedCompression(setting: CompressionSetting, batch: RecordBatchHeader): CompressionType {
  if (batch.isControl && batch.compression === CompressionType.None) return CompressionType.None;
  return targetCompression(setting, batch.compression);
}

/** A v0/v1 message set as v2 batches, each with base offset 0 as a producer's batch has. */
function upConvert(records: Buffer, config: ReplicaTopicConfig, partitionName: string): Buffer {
  for (let position = 0; position + LOG_OVERHEAD <= records.length; ) {
    const size = records.readInt32BE(position + 8) + LOG_OVERHEAD;
    checkSize(size, config, partitionName);
    position += Math.max(size, LOG_OVERHEAD);
  }
  const { entries, partialBytes } = readMessageSet(records);
  if (partialBytes > 0) {
    throw new CorruptRecordError(`the message set of ${partitionName} ends with ${partialBytes} bytes of an incomplete message`);
  }
  const batches = legacyToRecordBatches(entries, { firstOffset: 0 });
  for (const batch of batches) new RecordBatchHeader(batch).baseOffset = 0;
  return Buffer.concat(batches);
}

/** Kafka's check of each incoming batch (or legacy message) against max.message.bytes. */
function checkSize(size: number, config: ReplicaTopicConfig, partitionName: string): void {
  const max = config['max.message.bytes'];
  if (size > max) {
    throw new RecordTooLargeError(
      `The record batch size in the append to ${partitionName} is ${size} bytes which exceeds the maximum configured value of ${max}.`,
    );
  }
}

/**
 * The batch rebuilt with another codec, keeping its records (offsets renumbered consecutively,
 * as Kafka's rebuild does), producer fields and flags. The offset range is checked against the
 * record count first, because the rebuilt batch would no longer show a mismatch.
 */
function recompress(batch: RecordBatchHeader, compression: CompressionType, partitionName: string): Buffer {
  if (batch.recordCount !== batch.lastOffsetDelta + 1) {
    throw new InvalidRecordError(
      `Inconsistent batch offset range [${batch.baseOffset}, ${batch.lastOffset}] and count of records ${batch.recordCount} in topic partition ${partitionName}.`,
    );
  }
  const records = decodeBatchRecords(batch);
  return buildRecordBatch({
    records: records.map((record) => ({
      key: record.key,
      value: record.value,
      headers: record.headers,
      timestamp: recordTimestamp(batch, record),
    })),
    baseOffset: batch.baseOffset,
    partitionLeaderEpoch: batch.partitionLeaderEpoch,
    compression,
    producerId: batch.producerId,
    producerEpoch: batch.producerEpoch,
    baseSequence: batch.baseSequence,
    isTransactional: batch.isTransactional,
    isControl: batch.isControl,
  });
}
