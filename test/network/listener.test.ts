import { EventEmitter } from 'node:events';
import { type Socket, connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Connection, type ConnectionLimits, type FrameHandler } from '../../src/network/connection.js';
import { Listener } from '../../src/network/listener.js';
import { SILENT_LOGGER } from '../../src/util/logger.js';
import { sizePrefixed } from '../support/frames.js';

const LIMITS: ConnectionLimits = { maxRequestBytes: 1024, maxIdleMs: 600_000, maxInFlightRequests: 100, maxQueuedResponseBytes: 1 << 20 };


function deferred<T>(): { promise: Promise<T>; resolve: (v: T) => void } {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** A client that collects response frames and resolves once `count` have arrived. */
class TestClient {
  readonly frames: string[] = [];
  private buffered = Buffer.alloc(0);
  private waiters: Array<{ count: number; resolve: () => void }> = [];
  readonly closed: Promise<void>;

  constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.buffered = Buffer.concat([this.buffered, chunk]);
      while (this.buffered.length >= 4 && this.buffered.length >= 4 + this.buffered.readInt32BE(0)) {
        const size = this.buffered.readInt32BE(0);
        this.frames.push(this.buffered.subarray(4, 4 + size).toString());
        this.buffered = this.buffered.subarray(4 + size);
      }
      this.waiters = this.waiters.filter((w) => (this.frames.length >= w.count ? (w.resolve(), false) : true));
    });
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
  }

  static async open(port: number): Promise<TestClient> {
    const socket = connect({ host: '127.0.0.1', port });
    await new Promise((resolve) => socket.once('connect', resolve));
    return new TestClient(socket);
  }

  received(count: number): Promise<void> {
    if (this.frames.length >= count) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ count, resolve }));
  }
}

let listener: Listener | undefined;
afterEach(async () => {
  await listener?.close();
  listener = undefined;
});

async function startListener(handler: FrameHandler, limits = LIMITS): Promise<number> {
  listener = new Listener({ listenerName: 'PLAINTEXT', securityProtocol: 'PLAINTEXT', host: '127.0.0.1', port: 0 }, handler, limits, SILENT_LOGGER);
  return (await listener.start()).port;
}

describe('Listener and Connection', () => {
  it('answers pipelined requests in request order when handlers finish out of order', async () => {
    const pending = new Map<string, (frame: Buffer[] | null) => void>();
    const started: string[] = [];
    const allStarted = deferred<void>();
    const port = await startListener((f) => {
      const name = f.toString();
      started.push(name);
      if (started.length === 3) allStarted.resolve();
      return new Promise((resolve) => pending.set(name, resolve));
    });
    const client = await TestClient.open(port);
    client.socket.write(Buffer.concat([sizePrefixed('a'), sizePrefixed('b'), sizePrefixed('c')]));
    await allStarted.promise;
    expect(started).toEqual(['a', 'b', 'c']);
    pending.get('c')!([sizePrefixed('reply-c')]);
    pending.get('b')!(null);
    pending.get('a')!([sizePrefixed('reply-a')]);
    await client.received(2);
    expect(client.frames).toEqual(['reply-a', 'reply-c']);
    client.socket.destroy();
  });

  it('closes a connection that sends an oversized frame and keeps serving others', async () => {
    const port = await startListener((f) => [sizePrefixed(`echo:${f.toString()}`)]);
    const bad = await TestClient.open(port);
    const prefix = Buffer.alloc(4);
    prefix.writeInt32BE(1025, 0);
    bad.socket.write(prefix);
    await bad.closed;
    const good = await TestClient.open(port);
    good.socket.write(sizePrefixed('still here'));
    await good.received(1);
    expect(good.frames).toEqual(['echo:still here']);
    good.socket.destroy();
  });

  it('closes only the connection whose handler fails', async () => {
    const port = await startListener((f) => {
      if (f.toString() === 'boom') throw new Error('handler failed');
      return Promise.resolve([sizePrefixed('ok')]);
    });
    const failing = await TestClient.open(port);
    failing.socket.write(sizePrefixed('boom'));
    await failing.closed;
    const other = await TestClient.open(port);
    other.socket.write(sizePrefixed('fine'));
    await other.received(1);
    expect(other.frames).toEqual(['ok']);
    other.socket.destroy();
  });

  it('drains in-flight requests on close, then closes the connection', async () => {
    const reply = deferred<Buffer[] | null>();
    const started = deferred<void>();
    const port = await startListener(() => {
      started.resolve();
      return reply.promise;
    });
    const client = await TestClient.open(port);
    client.socket.write(sizePrefixed('slow'));
    await started.promise;
    const closing = listener!.close();
    listener = undefined;
    reply.resolve([sizePrefixed('late answer')]);
    await closing;
    await client.closed;
    expect(client.frames).toEqual(['late answer']);
  });

  it('closes a connection idle for connections.max.idle.ms', async () => {
    const port = await startListener(() => null, { ...LIMITS, maxIdleMs: 20 });
    const client = await TestClient.open(port);
    await client.closed;
    expect(client.socket.destroyed).toBe(true);
    expect(client.frames).toEqual([]);
  });
});

/** Just enough of a socket to watch the connection's flow control. */
class FakeSocket extends EventEmitter {
  paused = false;
  writableLength = 0;
  destroyed = false;
  written: Buffer[] = [];
  setNoDelay(): void {}
  setTimeout(): void {}
  pause(): void {
    this.paused = true;
  }
  resume(): void {
    this.paused = false;
  }
  isPaused(): boolean {
    return this.paused;
  }
  cork(): void {}
  uncork(): void {}
  write(chunk: Buffer): boolean {
    this.written.push(chunk);
    return true;
  }
  end(): void {}
  destroy(): void {
    this.destroyed = true;
  }
}

describe('Connection backpressure', () => {
  const info = { id: 'c', listenerName: 'PLAINTEXT', securityProtocol: 'PLAINTEXT', remoteAddress: '127.0.0.1', remotePort: 1 };

  it('stops reading while too many requests are in flight, and resumes when they finish', async () => {
    const replies: Array<(f: Buffer[] | null) => void> = [];
    const socket = new FakeSocket();
    const connection = new Connection(socket as unknown as Socket, info, () => new Promise((r) => replies.push(r)), { ...LIMITS, maxInFlightRequests: 2 }, SILENT_LOGGER);
    socket.emit('data', sizePrefixed('1'));
    expect(socket.paused).toBe(false);
    socket.emit('data', sizePrefixed('2'));
    expect(socket.paused).toBe(true);
    expect(connection.inFlight).toBe(2);
    replies[0]([sizePrefixed('r1')]);
    await Promise.resolve();
    await Promise.resolve();
    expect(socket.paused).toBe(false);
    expect(socket.written.map((b) => b.subarray(4).toString())).toEqual(['r1']);
  });

  it('stops reading while the socket holds too many unsent response bytes, and resumes on drain', () => {
    const socket = new FakeSocket();
    new Connection(socket as unknown as Socket, info, () => [sizePrefixed('x')], { ...LIMITS, maxQueuedResponseBytes: 100 }, SILENT_LOGGER);
    socket.writableLength = 150;
    socket.emit('data', sizePrefixed('1'));
    expect(socket.paused).toBe(true);
    socket.writableLength = 0;
    socket.emit('drain');
    expect(socket.paused).toBe(false);
  });
});
