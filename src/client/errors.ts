import { ERRORS } from '../protocol/generated/error-codes.js';
import { KafkaError } from '../util/kafka-error.js';

/** An error code a broker answered with, named and described from Kafka's error table. */
export class KafkaProtocolError extends KafkaError {
  /** Kafka marks the code retriable: the same request may succeed later or elsewhere. */
  readonly retriable: boolean;

  /**
   * `context` says what was asked ("Produce to orders-3"); `detail`, when present, replaces the
   * table's generic description: the error message a response carried, or a more precise one.
   */
  constructor(errorCode: number, context: string, detail?: string | null) {
    const info = ERRORS.get(errorCode);
    const errorName = info?.name ?? `UNKNOWN_ERROR_CODE_${errorCode}`;
    const description = detail || info?.message || `error code ${errorCode}`;
    super(errorName, errorCode, `${context}: ${errorName}: ${description}`);
    this.retriable = info?.retriable ?? false;
  }
}

/** Throws a KafkaProtocolError unless `errorCode` is NONE (0). */
export function throwIfError(errorCode: number, context: string, detail?: string | null): void {
  if (errorCode !== 0) throw new KafkaProtocolError(errorCode, context, detail);
}

/**
 * A connection to a broker could not be opened, or broke: every request still waiting on it
 * fails with this. Retriable, since a new connection (or another broker) may succeed.
 */
export class ConnectionError extends Error {
  override name = 'ConnectionError';
  readonly retriable = true;

  constructor(
    /** host:port of the broker. */
    readonly broker: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${broker}: ${message}`, options);
  }
}

/** A request got no response within its timeout (request.timeout.ms); the connection is closed. */
export class RequestTimeoutError extends ConnectionError {
  override name = 'RequestTimeoutError';
}

/** The client was closed; nothing more is sent through it. */
export class ClientClosedError extends Error {
  override readonly name = 'ClientClosedError';

  constructor() {
    super('the client is closed');
  }
}

/** Inclusive range of API versions. */
export interface VersionRange {
  readonly min: number;
  readonly max: number;
}

/** The versions we may use for an API and the versions the broker serves do not meet. */
export class UnsupportedVersionError extends Error {
  override readonly name = 'UnsupportedVersionError';

  constructor(
    readonly apiName: string,
    readonly broker: string,
    readonly ours: VersionRange,
    /** What the broker advertised, or null when it does not serve the API at all. */
    readonly theirs: VersionRange | null,
  ) {
    super(
      theirs === null
        ? `${broker} does not support ${apiName} (we need v${ours.min}-v${ours.max})`
        : `${broker} supports ${apiName} v${theirs.min}-v${theirs.max}, we need v${ours.min}-v${ours.max}`,
    );
  }
}

/** True for errors worth retrying: retriable protocol errors, broken connections, timeouts. */
export function isRetriable(err: unknown): boolean {
  return (err instanceof KafkaProtocolError || err instanceof ConnectionError) && err.retriable;
}
