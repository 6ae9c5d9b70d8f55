import { DecodeError } from '../../decode-error.js';

/** Compressed bytes the codec rejected; `at` is the byte of the compressed input, when known. */
export function corruptData(codec: string, detail: string, at = 0): DecodeError {
  return new DecodeError(`corrupt ${codec} data: ${detail}`, at);
}

/** Decompressed output over the caller's limit, detected before or while it is produced. */
export function outputTooLarge(codec: string, maxOutputBytes: number): DecodeError {
  return new DecodeError(`${codec} data decompresses to more than the ${maxOutputBytes} bytes allowed`, 0);
}

/** The message of whatever a native codec threw. */
export function describe(cause: unknown): string {
  return cause instanceof Error ? cause.message : String(cause);
}
