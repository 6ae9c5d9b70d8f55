import { EventEmitter } from 'node:events';
import { type Socket, connect } from 'node:net';
import { decodeResponseFrame, encodeRequestFrame } from '../../../src/protocol/frames.js';
import type { ApiDefinition } from '../../../src/protocol/message-codec.js';
import { Writer } from '../../../src/protocol/writer.js';

/**
 * A plain TCP connection to a broker that sends whatever bytes it is given and collects the
 * size-prefixed frames that come back, for tests of what a broker does with bad input.
 */
export class RawConnection {
  private buffered = Buffer.alloc(0);
  private readonly frames: Buffer[] = [];
  private readonly changed = new EventEmitter();
  private isClosed = false;
  private correlationId = 0;
  /** Resolves once the broker (or this side) has closed the connection. */
  readonly closed: Promise<void>;

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.buffered = Buffer.concat([this.buffered, chunk]);
      while (this.buffered.length >= 4 && this.buffered.length >= 4 + this.buffered.readInt32BE(0)) {
        const size = this.buffered.readInt32BE(0);
        this.frames.push(this.buffered.subarray(4, 4 + size));
        this.buffered = this.buffered.subarray(4 + size);
      }
      this.changed.emit('change');
    });
    // A reset from a broker closing on unread input is a close like any other here.
    socket.on('error', () => {});
    this.closed = new Promise((resolve) =>
      socket.once('close', () => {
        this.isClosed = true;
        this.changed.emit('change');
        resolve();
      }),
    );
  }

  static async open(port: number): Promise<RawConnection> {
    const socket = connect({ host: '127.0.0.1', port });
    await new Promise((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    return new RawConnection(socket);
  }

  write(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  /** Closes this side after what was written. */
  end(): void {
    this.socket.end();
  }

  /** The next response frame (without its size prefix); rejects if the connection closes first. */
  nextFrame(): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        const frame = this.frames.shift();
        if (frame === undefined && !this.isClosed) return;
        this.changed.off('change', check);
        if (frame !== undefined) resolve(frame);
        else reject(new Error('the broker closed the connection without answering'));
      };
      this.changed.on('change', check);
      check();
    });
  }

  /** Resolves once the broker closes the connection, failing if it answered anything first. */
  async closedWithoutAnswer(): Promise<void> {
    await this.closed;
    if (this.frames.length > 0) throw new Error(`the broker answered ${this.frames.length} frame(s) before closing`);
  }

  /** The request frame bytes (with size prefix) for `body` at `version`, with the next correlation id. */
  frame<Req>(api: ApiDefinition<Req, unknown>, version: number, body: Req): Buffer {
    const w = new Writer();
    encodeRequestFrame(w, api, version, ++this.correlationId, 'gregor-e2e-raw', body);
    return w.finishToBuffer();
  }

  /** Sends `body` and decodes the answer, checking that it carries the request's correlation id. */
  async request<Req, Res>(api: ApiDefinition<Req, Res>, version: number, body: Req): Promise<Res> {
    this.write(this.frame(api, version, body));
    const answer = decodeResponseFrame(await this.nextFrame(), api as ApiDefinition<unknown, Res>, version);
    if (answer.correlationId !== this.correlationId) throw new Error(`correlation id ${answer.correlationId}, expected ${this.correlationId}`);
    return answer.body;
  }
}
