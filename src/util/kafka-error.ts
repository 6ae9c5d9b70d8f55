/**
 * An error that maps to one of Kafka's protocol error codes, so that whichever layer catches it
 * can answer the client with the right code without a translation table.
 */
export class KafkaError extends Error {
  constructor(
    readonly errorName: string,
    readonly errorCode: number,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = errorName;
  }
}
