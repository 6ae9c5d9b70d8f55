import type { Socket } from 'node:net';
import type { Logger } from '../util/logger.js';
import { FrameSplitter, InvalidFrameSizeError } from '../protocol/frame-splitter.js';
import { ResponseQueue, type ResponseSlot } from './response-queue.js';

/** Who sent a request: handed to the request handler with every frame. */
export interface ConnectionInfo {
  readonly id: string;
  readonly listenerName: string;
  readonly securityProtocol: string;
  readonly remoteAddress: string;
  readonly remotePort: number;
}

/**
 * Handles one request frame (size prefix removed). Returns the response frame (with its size
 * prefix) as chunks, or null to send nothing. A thrown error or rejection closes the connection.
 */
export type FrameHandler = (frame: Buffer, connection: ConnectionInfo) => Promise<Buffer[] | null> | Buffer[] | null;

export interface ConnectionLimits {
  /** socket.request.max.bytes */
  readonly maxRequestBytes: number;
  /** connections.max.idle.ms */
  readonly maxIdleMs: number;
  /** Stop reading while this many requests await their responses. */
  readonly maxInFlightRequests: number;
  /** Stop reading while this many response bytes wait in the socket. */
  readonly maxQueuedResponseBytes: number;
}

/**
 * One client connection: frames in, handler calls started in arrival order, responses out in the
 * same order. Reading pauses while too much is in flight or queued (backpressure).
 */
export class Connection {
  private readonly splitter: FrameSplitter;
  private readonly responses: ResponseQueue;
  private draining = false;
  private readonly closed: Promise<void>;

  constructor(
    private readonly socket: Socket,
    readonly info: ConnectionInfo,
    private readonly handler: FrameHandler,
    private readonly limits: ConnectionLimits,
    private readonly log: Logger,
  ) {
    this.splitter = new FrameSplitter(limits.maxRequestBytes);
    this.responses = new ResponseQueue((frame) => this.send(frame));
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
    socket.setNoDelay(true);
    socket.setTimeout(limits.maxIdleMs, () => this.onIdle());
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('drain', () => this.updateFlow());
    socket.on('error', (err) => this.log.debug({ err: err.message, connection: info.id }, 'connection error'));
  }

  get inFlight(): number {
    return this.responses.inFlight;
  }

  /** Stops reading, lets in-flight requests finish and their responses go out, then closes. */
  async drainAndClose(): Promise<void> {
    this.draining = true;
    this.socket.pause();
    this.endIfDrained();
    await this.closed;
  }

  destroy(): void {
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    let frames: Buffer[];
    try {
      frames = this.splitter.push(chunk);
    } catch (err) {
      if (!(err instanceof InvalidFrameSizeError)) throw err;
      this.log.warn({ connection: this.info.id, remote: this.info.remoteAddress }, `closing connection: ${err.message}`);
      this.socket.destroy();
      return;
    }
    for (const frame of frames) this.dispatch(frame);
    this.updateFlow();
  }

  private dispatch(frame: Buffer): void {
    const slot = this.responses.reserve();
    const fail = (err: unknown): void => {
      const message = err instanceof Error ? err.message : String(err);
      this.log.warn({ connection: this.info.id, remote: this.info.remoteAddress }, `closing connection: ${message}`);
      this.socket.destroy();
    };
    let result: Promise<Buffer[] | null> | Buffer[] | null;
    try {
      result = this.handler(frame, this.info);
    } catch (err) {
      fail(err);
      return;
    }
    if (result instanceof Promise) {
      result.then((response) => this.complete(slot, response), fail);
    } else {
      this.complete(slot, result);
    }
  }

  private complete(slot: ResponseSlot, response: Buffer[] | null): void {
    if (this.socket.destroyed) return;
    slot.complete(response);
    this.updateFlow();
    this.endIfDrained();
  }

  private send(frame: Buffer[]): void {
    if (this.socket.destroyed) return;
    this.socket.cork();
    for (const chunk of frame) this.socket.write(chunk);
    this.socket.uncork();
  }

  private updateFlow(): void {
    if (this.draining || this.socket.destroyed) return;
    const busy =
      this.responses.inFlight >= this.limits.maxInFlightRequests ||
      this.socket.writableLength >= this.limits.maxQueuedResponseBytes;
    if (busy && !this.socket.isPaused()) this.socket.pause();
    else if (!busy && this.socket.isPaused()) this.socket.resume();
  }

  private endIfDrained(): void {
    // Once the last response is flushed the socket is destroyed: a client that keeps its side
    // open must not hold up a shutdown.
    if (this.draining && this.responses.inFlight === 0 && !this.socket.destroyed) this.socket.end(() => this.socket.destroy());
  }

  private onIdle(): void {
    if (this.responses.inFlight > 0) return;
    this.log.debug({ connection: this.info.id }, `closing connection idle for connections.max.idle.ms=${this.limits.maxIdleMs}`);
    this.socket.destroy();
  }
}
