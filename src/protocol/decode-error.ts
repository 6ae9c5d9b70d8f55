/**
 * The one error the codec throws for input it cannot decode: truncated frames, lengths that
 * point past the frame, nulls where the schema forbids them, values outside the int64 range we
 * represent. Callers map it to Kafka's CORRUPT_MESSAGE / INVALID_REQUEST handling.
 */
export class DecodeError extends Error {
  override readonly name = 'DecodeError';
  constructor(
    readonly reason: string,
    readonly offset: number,
  ) {
    super(`${reason} (at byte ${offset})`);
  }

  /** The same error, saying what was being decoded ("Metadata v12 request: ..."). */
  within(context: string): DecodeError {
    return new DecodeError(`${context}: ${this.reason}`, this.offset);
  }
}
