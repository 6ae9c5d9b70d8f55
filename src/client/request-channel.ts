import type { Socket } from 'node:net';
import { DecodeError } from '../protocol/decode-error.js';
import { FrameSplitter } from '../protocol/frame-splitter.js';
import { decodeResponseFrame, encodeRequestFrame } from '../protocol/frames.js';
import { ApiKey } from '../protocol/generated/apis.js';
import type { ApiDefinition } from '../protocol/message-codec.js';
import { Writer } from '../protocol/writer.js';
import type { Logger } from '../util/logger.js';
import { ConnectionError, RequestTimeoutError } from './errors.js';

/** Kafka's clients put no limit on a response's size; only a negative size prefix is refused. */
const MAX_RESPONSE_BYTES = 0x7fffffff;
const MAX_CORRELATION_ID = 0x7fffffff;

export interface RequestChannelOptions {
  /** host:port, for errors and logs. */
  readonly broker: string;
  /** client.id, sent in every request header. */
  readonly clientId: string | null;
  /** request.timeout.ms: how long a request may wait for its response. */
  readonly requestTimeoutMs: number;
  /** connections.max.idle.ms: an idle connection with nothing in flight is closed after this. */
  readonly maxIdleMs: number;
  readonly logger: Logger;
}

interface PendingRequest {
  readonly correlationId: number;
  readonly api: ApiDefinition<unknown, unknown>;
  readonly version: number;
  readonly resolve: (body: unknown) => void;
  readonly reject: (err: Error) => void;
  readonly timer: NodeJS.Timeout;
}

/**
 * Requests and responses over one connected socket. Requests are pipelined with increasing
 * correlation ids; a broker answers them in order, so each response must carry the id of the
 * oldest request still waiting, and any other id means the stream can no longer be trusted: the
 * connection is closed. Once the channel fails, every waiting request fails with the same error.
 */
export class RequestChannel {
  private readonly pending: PendingRequest[] = [];
  private readonly splitter = new FrameSplitter(MAX_RESPONSE_BYTES);
  private readonly writer = new Writer();
  private nextCorrelationId = 0;
  private failure: ConnectionError | null = null;
  private readonly closed: Promise<void>;

  constructor(
    private readonly socket: Socket,
    private readonly options: RequestChannelOptions,
  ) {
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (err) => this.fail(new ConnectionError(options.broker, `connection failed: ${err.message}`, { cause: err })));
    socket.on('close', () => this.fail(new ConnectionError(options.broker, 'connection closed by the broker')));
    // Fires after maxIdleMs without bytes in either direction, again after each later activity.
    socket.setTimeout(options.maxIdleMs);
    socket.on('timeout', () => {
      if (this.pending.length === 0) this.shutDown(new ConnectionError(options.broker, `connection closed after connections.max.idle.ms=${options.maxIdleMs} without traffic`));
    });
  }

  /** Requests sent and still waiting for their response. */
  get inFlight(): number {
    return this.pending.length;
  }

  get isOpen(): boolean {
    return this.failure === null;
  }

  /** Sends a request and resolves with its response, decoded at the version it was sent with. */
  send<Req, Res>(api: ApiDefinition<Req, Res>, version: number, request: Req, timeoutMs = this.options.requestTimeoutMs): Promise<Res> {
    if (this.failure) return Promise.reject(this.failure);
    const correlationId = this.takeCorrelationId();
    let frame: Buffer[];
    try {
      frame = this.encode(api, version, correlationId, request);
    } catch (err) {
      return Promise.reject(err);
    }
    return new Promise<Res>((resolve, reject) => {
      const entry: PendingRequest = {
        correlationId,
        api: api as ApiDefinition<unknown, unknown>,
        version,
        resolve: resolve as (body: unknown) => void,
        reject,
        timer: setTimeout(() => this.onTimeout(entry, timeoutMs), timeoutMs),
      };
      this.pending.push(entry);
      this.write(frame);
    });
  }

  /**
   * Sends a request the broker will not answer (Produce with acks=0). Resolves once the bytes
   * are handed to the operating system, which gives the caller flow control.
   */
  sendWithoutResponse<Req>(api: ApiDefinition<Req, unknown>, version: number, request: Req): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    let frame: Buffer[];
    try {
      frame = this.encode(api, version, this.takeCorrelationId(), request);
    } catch (err) {
      return Promise.reject(err);
    }
    return new Promise<void>((resolve, reject) => {
      this.write(frame, (err) => (err ? reject(this.failure ?? new ConnectionError(this.options.broker, `write failed: ${err.message}`, { cause: err })) : resolve()));
    });
  }

  /** Fails waiting requests, flushes what was written (acks=0 sends included) and closes. */
  async close(): Promise<void> {
    this.shutDown(new ConnectionError(this.options.broker, 'connection closed by the client'));
    await this.closed;
  }

  private takeCorrelationId(): number {
    const id = this.nextCorrelationId;
    this.nextCorrelationId = id === MAX_CORRELATION_ID ? 0 : id + 1;
    return id;
  }

  private encode<Req>(api: ApiDefinition<Req, unknown>, version: number, correlationId: number, request: Req): Buffer[] {
    try {
      encodeRequestFrame(this.writer, api, version, correlationId, this.options.clientId, request);
      return this.writer.finish();
    } catch (err) {
      this.writer.finish(); // drop the partial frame so the next request starts clean
      throw err;
    }
  }

  private write(frame: Buffer[], onFlushed?: (err?: Error | null) => void): void {
    this.socket.cork();
    for (let i = 0; i < frame.length; i++) this.socket.write(frame[i], i === frame.length - 1 ? onFlushed : undefined);
    this.socket.uncork();
  }

  private onData(chunk: Buffer): void {
    let frames: Buffer[];
    try {
      frames = this.splitter.push(chunk);
    } catch (err) {
      this.fail(new ConnectionError(this.options.broker, (err as Error).message, { cause: err }));
      return;
    }
    for (const frame of frames) {
      if (this.failure) return;
      this.onResponse(frame);
    }
  }

  private onResponse(frame: Buffer): void {
    const expected = this.pending[0];
    if (!expected) {
      this.fail(new ConnectionError(this.options.broker, 'received a response while no request was waiting'));
      return;
    }
    const correlationId = frame.length >= 4 ? frame.readInt32BE(0) : null;
    if (correlationId !== expected.correlationId) {
      this.fail(
        new ConnectionError(
          this.options.broker,
          `response correlation id ${correlationId ?? '(truncated)'} does not match ${expected.api.name} request ${expected.correlationId}`,
        ),
      );
      return;
    }
    this.pending.shift();
    clearTimeout(expected.timer);
    let body: unknown;
    try {
      body = decodeResponse(frame, expected.api, expected.version);
    } catch (err) {
      expected.reject(err as Error);
      return;
    }
    expected.resolve(body);
  }

  private onTimeout(entry: PendingRequest, timeoutMs: number): void {
    const index = this.pending.indexOf(entry);
    if (index < 0) return;
    this.pending.splice(index, 1);
    const what = `${entry.api.name} v${entry.version} request (correlation id ${entry.correlationId})`;
    entry.reject(new RequestTimeoutError(this.options.broker, `${what} got no response within ${timeoutMs} ms`));
    // Later responses queue behind the missing one, so the connection is of no further use.
    this.fail(new ConnectionError(this.options.broker, `connection closed after ${what} timed out`));
  }

  /** Broken connection: fail everything and drop unsent bytes. */
  private fail(error: ConnectionError): void {
    if (this.failure) return;
    this.rejectAll(error);
    this.options.logger.debug({ broker: this.options.broker }, error.message);
    this.socket.destroy();
  }

  /** Orderly close: fail waiting requests but let written bytes reach the broker first. */
  private shutDown(error: ConnectionError): void {
    if (this.failure) return;
    this.rejectAll(error);
    this.options.logger.debug({ broker: this.options.broker }, error.message);
    this.socket.end(() => this.socket.destroy());
  }

  private rejectAll(error: ConnectionError): void {
    this.failure = error;
    for (const entry of this.pending.splice(0)) {
      clearTimeout(entry.timer);
      entry.reject(error);
    }
  }
}

/**
 * A broker that does not know the ApiVersions version we asked for answers in the v0 layout
 * (with UNSUPPORTED_VERSION), so a response that does not decode at the version we sent is read
 * again as v0, as Kafka's own client does.
 */
function decodeResponse(frame: Buffer, api: ApiDefinition<unknown, unknown>, version: number): unknown {
  try {
    return decodeResponseFrame(frame, api, version).body;
  } catch (err) {
    if (!(err instanceof DecodeError) || api.key !== ApiKey.ApiVersions || version === 0) throw err;
    return decodeResponseFrame(frame, api, 0).body;
  }
}
