import { DecodeError } from '../protocol/decode-error.js';
import { ERRORS, ErrorCode } from '../protocol/generated/error-codes.js';
import { KafkaError } from '../util/kafka-error.js';

/** A KafkaError for `code`, named as Kafka names it. */
export function kafkaError(code: number, message: string): KafkaError {
  return new KafkaError(ERRORS.get(code)?.name ?? 'UNKNOWN_SERVER_ERROR', code, message);
}

/**
 * The error code a failed partition operation answers with: a KafkaError's own, CORRUPT_MESSAGE
 * for bytes the codecs could not read, UNKNOWN_SERVER_ERROR for anything else (a bug; the
 * caller logs it).
 */
export function errorCodeOf(err: unknown): number {
  if (err instanceof KafkaError) return err.errorCode;
  if (err instanceof DecodeError) return ErrorCode.CORRUPT_MESSAGE;
  return ErrorCode.UNKNOWN_SERVER_ERROR;
}

/** Whether an error is one Kafka expects (answered with its code) rather than a bug. */
export function isExpectedError(err: unknown): boolean {
  return err instanceof KafkaError || err instanceof DecodeError;
}
