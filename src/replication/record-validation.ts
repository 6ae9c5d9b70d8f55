import { DecodeError } from '../protocol/decode-error.js';
import { ErrorCode } from '../protocol/generated/error-codes.js';
import type { RecordBatchHeader } from '../protocol/records/batch-header.js';
import { decodeBatchRecords, recordTimestamp } from '../protocol/records/batch-records.js';
import { NO_TIMESTAMP } from '../protocol/records/timestamp-type.js';
import { isCompacted } from '../storage/log-config.js';
import { KafkaError } from '../util/kafka-error.js';
import type { ReplicaTopicConfig } from './topic-config.js';

/** One record that made a produce fail, by its index in its batch (Produce v8+ record_errors). */
export interface RecordError {
  readonly batchIndex: number;
  readonly message: string;
}

/**
 * A produce refused because of particular records (Kafka's RecordValidationException): the
 * response carries the record errors and this error's message.
 */
export class RecordValidationError extends KafkaError {
  constructor(
    code: number,
    message: string,
    readonly recordErrors: readonly RecordError[],
  ) {
    super(code === ErrorCode.INVALID_TIMESTAMP ? 'INVALID_TIMESTAMP' : 'INVALID_RECORD', code, message);
  }
}

interface ApiRecordError extends RecordError {
  readonly code: number;
}

/**
 * Kafka's per-record checks (LogValidator.validateRecord) on the batches of a produce: a key on
 * every record of a compacted topic, CreateTime timestamps within
 * message.timestamp.{before,after}.max.ms of `now`, and no LogAppendTime set by the producer.
 * Returns the error for the first batch with failing records, or null. Storage checks the same
 * rules from batch headers; this decodes the records, so it runs only where storage found a
 * problem or a header says one is certain.
 */
export function recordValidationError(
  batches: readonly RecordBatchHeader[],
  config: ReplicaTopicConfig,
  now: number,
  partitionName: string,
): RecordValidationError | null {
  for (const batch of batches) {
    const errors = batchRecordErrors(batch, config, now, partitionName);
    if (errors.length === 0) continue;
    const recordErrors = errors.map(({ batchIndex, message }) => ({ batchIndex, message }));
    if (errors.some((e) => e.code === ErrorCode.INVALID_TIMESTAMP)) {
      return new RecordValidationError(ErrorCode.INVALID_TIMESTAMP, 'One or more records have been rejected due to invalid timestamp', recordErrors);
    }
    const shown = recordErrors.slice(0, 3).map((e) => `RecordError(batchIndex=${e.batchIndex}, message='${e.message}')`);
    return new RecordValidationError(
      ErrorCode.INVALID_RECORD,
      `One or more records have been rejected due to ${recordErrors.length} record errors in total, and only showing the first three errors at most: [${shown.join(', ')}]`,
      recordErrors,
    );
  }
  return null;
}

function batchRecordErrors(batch: RecordBatchHeader, config: ReplicaTopicConfig, now: number, partitionName: string): ApiRecordError[] {
  let records;
  try {
    records = decodeBatchRecords(batch);
  } catch (err) {
    // Undecodable records are storage's CORRUPT_MESSAGE, not record errors.
    if (err instanceof DecodeError) return [];
    throw err;
  }
  const compacted = isCompacted(config);
  const createTime = config['message.timestamp.type'] === 'CreateTime';
  const earliest = now - config['message.timestamp.before.max.ms'];
  const latest = now + config['message.timestamp.after.max.ms'];
  const errors: ApiRecordError[] = [];
  records.forEach((record, batchIndex) => {
    const timestamp = recordTimestamp(batch, record);
    if (compacted && record.key === null) {
      const message = `Compacted topic cannot accept message without key in topic partition ${partitionName}.`;
      errors.push({ batchIndex, code: ErrorCode.INVALID_RECORD, message });
    } else if (createTime && timestamp !== NO_TIMESTAMP) {
      if (timestamp < earliest || timestamp > latest) {
        const message =
          `Timestamp ${timestamp} of message with offset ${batch.baseOffset + record.offsetDelta} is out of range. ` +
          `The timestamp should be within [${earliest}, ${latest}]`;
        errors.push({ batchIndex, code: ErrorCode.INVALID_TIMESTAMP, message });
      }
    } else if (batch.isLogAppendTime) {
      const described =
        `DefaultRecord(offset=${batch.baseOffset + record.offsetDelta}, timestamp=${timestamp}, ` +
        `key=${record.key?.length ?? 0} bytes, value=${record.value?.length ?? 0} bytes)`;
      const message = `Invalid timestamp type in message ${described}. Producer should not set timestamp type to LogAppendTime.`;
      errors.push({ batchIndex, code: ErrorCode.INVALID_TIMESTAMP, message });
    }
  });
  return errors;
}
