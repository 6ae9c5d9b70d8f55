import { CompressionType, type RecordBatchHeader } from '../batch-header.js';
import { decodeBatchRecords, recordOffset, recordTimestamp } from '../batch-records.js';
import type { DecompressionLimit } from '../compression/codecs.js';
import { TimestampType } from '../timestamp-type.js';
import type { LegacyMagic } from './message.js';
import { buildMessageSet } from './message-set-builder.js';

/**
 * Rewrites one v2 batch as a v0/v1 message set for clients that fetch with an old version, as
 * Kafka's down-conversion does: offsets and codec kept, headers dropped (the old formats have
 * none), control batches dropped (old clients know nothing of transactions), timestamps dropped
 * for v0. Where Kafka refuses zstd to old clients (UNSUPPORTED_COMPRESSION_TYPE), we write those
 * records uncompressed, which every old client can read.
 */
export function recordBatchToMessageSet(
  batch: RecordBatchHeader,
  magic: LegacyMagic,
  limit: DecompressionLimit = {},
): Buffer {
  const records = decodeBatchRecords(batch, limit);
  if (batch.isControl) return Buffer.alloc(0);
  return buildMessageSet({
    magic,
    compression: batch.compression === CompressionType.Zstd ? CompressionType.None : batch.compression,
    timestampType: batch.isLogAppendTime ? TimestampType.LogAppendTime : TimestampType.CreateTime,
    records: records.map((record) => ({
      offset: recordOffset(batch, record),
      timestamp: recordTimestamp(batch, record),
      key: record.key,
      value: record.value,
    })),
  });
}
