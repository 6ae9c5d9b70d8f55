import { DecodeError } from '../protocol/decode-error.js';
import { BATCH_HEADER, LOG_OVERHEAD, RecordBatchHeader } from '../protocol/records/batch-header.js';
import { decodeBatchRecords } from '../protocol/records/batch-records.js';
import { batchProblem, CURRENT_MAGIC } from './batch-scan.js';
import {
  CorruptRecordError,
  InvalidRecordError,
  InvalidTimestampError,
  RecordBatchTooLargeError,
  RecordTooLargeError,
  UnsupportedMessageFormatError,
} from './errors.js';
import { isCompacted, type LogConfig } from './log-config.js';

/** Who is appending as leader: a producer, or the broker itself (transaction markers, coordinators). */
export type AppendOrigin = 'client' | 'coordinator';

/**
 * Splits a produce's records into batch views and checks each one as Kafka's
 * analyzeAndValidateRecords and LogValidator do at the batch level: integrity (sizes, magic,
 * CRC), max.message.bytes, offsets and count consistent, no control batches from clients,
 * timestamps within message.timestamp.{before,after}.max.ms, and for compacted topics a key on
 * every record (the only case where records are decoded). Throws the error the produce
 * answers with; nothing is modified.
 */
export function validateLeaderAppend(records: Buffer, config: LogConfig, origin: AppendOrigin, now: number): RecordBatchHeader[] {
  if (records.length > config['segment.bytes']) {
    throw new RecordBatchTooLargeError(`${records.length} bytes of records exceed segment.bytes ${config['segment.bytes']}`);
  }
  const batches = splitBatches(records);
  for (const batch of batches) {
    if (batch.sizeInBytes > config['max.message.bytes']) {
      throw new RecordTooLargeError(`batch of ${batch.sizeInBytes} bytes exceeds max.message.bytes ${config['max.message.bytes']}`);
    }
    if (origin === 'client' && batch.baseOffset !== 0) {
      throw new InvalidRecordError(`the base offset of a produced batch must be 0, not ${batch.baseOffset}`);
    }
    if (origin === 'client' && batch.isControl) throw new InvalidRecordError('clients may not write control batches');
    if (origin === 'client' && batch.producerId >= 0 && batch.baseSequence < 0) {
      throw new InvalidRecordError(`Invalid sequence number ${batch.baseSequence} in record batch with producerId ${batch.producerId}`);
    }
    if (batch.recordCount !== batch.lastOffsetDelta + 1) {
      throw new InvalidRecordError(`record count ${batch.recordCount} does not match last offset delta ${batch.lastOffsetDelta}`);
    }
    if (config['message.timestamp.type'] === 'CreateTime') checkTimestamps(batch, config, now);
    if (isCompacted(config) && !batch.isControl) rejectKeylessRecords(batch);
  }
  return batches;
}

/** Compaction keeps one record per key, so a compacted topic refuses records without one (Kafka's validateKey). */
function rejectKeylessRecords(batch: RecordBatchHeader): void {
  let records;
  try {
    records = decodeBatchRecords(batch);
  } catch (err) {
    if (err instanceof DecodeError) throw new CorruptRecordError(`undecodable records: ${err.message}`);
    throw err;
  }
  if (records.some((r) => r.key === null)) {
    throw new InvalidRecordError('Compacted topic cannot accept message without key.');
  }
}

/** Splits replicated records into batch views, checking integrity and that offsets increase. */
export function validateFollowerAppend(records: Buffer): RecordBatchHeader[] {
  const batches = splitBatches(records);
  for (let i = 1; i < batches.length; i++) {
    if (batches[i].baseOffset <= batches[i - 1].lastOffset) {
      throw new InvalidRecordError(`batch at offset ${batches[i].baseOffset} does not follow ${batches[i - 1].lastOffset}`);
    }
  }
  return batches;
}

function splitBatches(records: Buffer): RecordBatchHeader[] {
  const batches: RecordBatchHeader[] = [];
  let position = 0;
  while (position < records.length) {
    if (position + BATCH_HEADER.magic < records.length) {
      const magic = records.readInt8(position + BATCH_HEADER.magic);
      if (magic === 0 || magic === 1) {
        throw new UnsupportedMessageFormatError(`message format v${magic} must be converted to v${CURRENT_MAGIC} before it is stored`);
      }
    }
    const rest = records.subarray(position);
    const problem = batchProblem(rest, true);
    if (problem !== null) throw new CorruptRecordError(`invalid batch at byte ${position}: ${problem}`);
    const size = rest.readInt32BE(BATCH_HEADER.batchLength) + LOG_OVERHEAD;
    batches.push(new RecordBatchHeader(size === rest.length ? rest : rest.subarray(0, size)));
    position += size;
  }
  return batches;
}

function checkTimestamps(batch: RecordBatchHeader, config: LogConfig, now: number): void {
  const earliest = now - config['message.timestamp.before.max.ms'];
  const latest = now + config['message.timestamp.after.max.ms'];
  if (batch.maxTimestamp > latest || (batch.baseTimestamp >= 0 && batch.baseTimestamp < earliest)) {
    throw new InvalidTimestampError(
      `batch timestamps ${batch.baseTimestamp}..${batch.maxTimestamp} are outside [${earliest}, ${latest}]`,
    );
  }
}
