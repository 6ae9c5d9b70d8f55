import { KafkaError } from '../util/kafka-error.js';

/** An I/O failure on a log directory (disk full, EIO, ...); the directory is taken offline. */
export class KafkaStorageError extends KafkaError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('KAFKA_STORAGE_ERROR', 56, message, options);
  }
}

export class OffsetOutOfRangeError extends KafkaError {
  constructor(message: string) {
    super('OFFSET_OUT_OF_RANGE', 1, message);
  }
}

/** A batch that fails its CRC or whose sizes do not add up. */
export class CorruptRecordError extends KafkaError {
  constructor(message: string) {
    super('CORRUPT_MESSAGE', 2, message);
  }
}

/** A well-formed batch the broker refuses (keyless record in a compacted topic, bad offsets, ...). */
export class InvalidRecordError extends KafkaError {
  constructor(message: string) {
    super('INVALID_RECORD', 87, message);
  }
}

export class RecordTooLargeError extends KafkaError {
  constructor(message: string) {
    super('MESSAGE_TOO_LARGE', 10, message);
  }
}

/** A produce larger than a whole segment. */
export class RecordBatchTooLargeError extends KafkaError {
  constructor(message: string) {
    super('RECORD_LIST_TOO_LARGE', 18, message);
  }
}

export class InvalidTimestampError extends KafkaError {
  constructor(message: string) {
    super('INVALID_TIMESTAMP', 32, message);
  }
}

/** Message format v0/v1 reaches storage only after conversion to v2. */
export class UnsupportedMessageFormatError extends KafkaError {
  constructor(message: string) {
    super('UNSUPPORTED_FOR_MESSAGE_FORMAT', 43, message);
  }
}
