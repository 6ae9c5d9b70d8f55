import { type AddressInfo, type Server, type Socket, createServer } from 'node:net';
import { FrameSplitter } from '../../../src/protocol/frame-splitter.js';
import { decodeRequestFrame, encodeResponseFrame } from '../../../src/protocol/frames.js';
import { API_DEFINITIONS, ApiKey, ApiVersionsApi } from '../../../src/protocol/generated/apis.js';
import type { RequestHeader } from '../../../src/protocol/generated/clients/request-header.js';
import { type ApiVersionsResponse, createApiVersionsResponse } from '../../../src/protocol/generated/clients/api-versions-response.js';
import { ErrorCode } from '../../../src/protocol/generated/error-codes.js';
import type { ApiDefinition } from '../../../src/protocol/message-codec.js';
import { Writer } from '../../../src/protocol/writer.js';

/** Returned by a handler that must not answer (Produce with acks=0, or a broker that hangs). */
export const NO_REPLY = Symbol('no reply');

export interface ReceivedRequest<Req = unknown> {
  readonly api: ApiDefinition<unknown, unknown>;
  readonly version: number;
  readonly header: RequestHeader;
  readonly body: Req;
  readonly connection: FakeConnection;
}

export type Handler<Req, Res> = (body: Req, request: ReceivedRequest<Req>) => Res | typeof NO_REPLY | Promise<Res | typeof NO_REPLY>;

export interface ApiRange {
  readonly apiKey: number;
  readonly minVersion: number;
  readonly maxVersion: number;
}

/** Every API our codec speaks, at its full stable range. */
export const ALL_API_RANGES: readonly ApiRange[] = [...API_DEFINITIONS.values()].map((api) => ({
  apiKey: api.key,
  minVersion: api.minVersion,
  maxVersion: api.latestVersionUnstable ? api.maxVersion - 1 : api.maxVersion,
}));

/** The server side of one client connection. */
export class FakeConnection {
  readonly closed: Promise<void>;
  private readonly writer = new Writer();

  constructor(readonly socket: Socket) {
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
  }

  reply<Res>(api: ApiDefinition<unknown, Res>, version: number, correlationId: number, body: Res): void {
    encodeResponseFrame(this.writer, api, version, correlationId, body);
    this.socket.write(this.writer.finishToBuffer());
  }

  /** Writes bytes as they are, to send what no well-behaved broker would. */
  writeRaw(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  destroy(): void {
    this.socket.destroy();
  }
}

interface Waiter {
  readonly matches: (request: ReceivedRequest) => boolean;
  readonly resolve: (request: ReceivedRequest) => void;
}

/**
 * An in-process broker for client tests: a TCP server on 127.0.0.1 that decodes each request
 * with the real codec and answers with whatever the test's handler for that API returns,
 * encoded at the request's version. A handler's answer is written when it settles, so a test
 * that resolves handlers out of order makes the broker misbehave on purpose. ApiVersions is
 * answered from `apiRanges`; a version above `maxApiVersionsVersion` gets Kafka's v0
 * UNSUPPORTED_VERSION answer.
 */
export class FakeBroker {
  readonly host = '127.0.0.1';
  readonly requests: ReceivedRequest[] = [];
  readonly connections: FakeConnection[] = [];
  /** Versions of ApiVersions requests refused with UNSUPPORTED_VERSION. */
  readonly refusedApiVersions: number[] = [];
  apiRanges: readonly ApiRange[] = ALL_API_RANGES;
  maxApiVersionsVersion = ApiVersionsApi.maxVersion;
  private readonly handlers = new Map<number, Handler<unknown, unknown>>();
  private waiters: Waiter[] = [];

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {
    this.on(ApiVersionsApi, () => this.apiVersionsResponse(ErrorCode.NONE));
  }

  static async start(): Promise<FakeBroker> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const broker = new FakeBroker(server, (server.address() as AddressInfo).port);
    server.on('connection', (socket) => broker.accept(socket));
    return broker;
  }

  get address(): string {
    return `${this.host}:${this.port}`;
  }

  on<Req, Res>(api: ApiDefinition<Req, Res>, handler: Handler<Req, Res>): void {
    this.handlers.set(api.key, handler as Handler<unknown, unknown>);
  }

  /** Resolves with the `nth` (1-based) request of `api` received, now or when it arrives. */
  received<Req>(api: ApiDefinition<Req, unknown>, nth = 1): Promise<ReceivedRequest<Req>> {
    let seen = 0;
    const matches = (r: ReceivedRequest): boolean => r.api.key === api.key && ++seen === nth;
    const earlier = this.requests.find(matches);
    if (earlier) return Promise.resolve(earlier as ReceivedRequest<Req>);
    return new Promise((resolve) => this.waiters.push({ matches, resolve: resolve as (r: ReceivedRequest) => void }));
  }

  count(api: ApiDefinition<unknown, unknown>): number {
    return this.requests.filter((r) => r.api.key === api.key).length;
  }

  /** Closes the listener and every connection. */
  async stop(): Promise<void> {
    for (const connection of this.connections) connection.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  apiVersionsResponse(errorCode: number): ApiVersionsResponse {
    return createApiVersionsResponse({ errorCode, apiKeys: this.apiRanges.map((r) => ({ ...r })) });
  }

  private accept(socket: Socket): void {
    const connection = new FakeConnection(socket);
    this.connections.push(connection);
    const splitter = new FrameSplitter(1 << 30);
    socket.on('error', () => {});
    socket.on('data', (chunk: Buffer) => {
      for (const frame of splitter.push(chunk)) this.dispatch(connection, frame);
    });
  }

  private dispatch(connection: FakeConnection, frame: Buffer): void {
    const decoded = decodeRequestFrame(frame, (api, version) => api.key !== ApiKey.ApiVersions || version <= this.maxApiVersionsVersion);
    if (decoded.kind === 'unknown-api') throw new Error(`fake broker: unknown API key ${decoded.prefix.apiKey}`);
    if (decoded.kind === 'unsupported-version') {
      this.refusedApiVersions.push(decoded.prefix.apiVersion);
      connection.reply(ApiVersionsApi, 0, decoded.prefix.correlationId, this.apiVersionsResponse(ErrorCode.UNSUPPORTED_VERSION));
      return;
    }
    const request: ReceivedRequest = { api: decoded.api, version: decoded.header.requestApiVersion, header: decoded.header, body: decoded.body, connection };
    this.requests.push(request);
    this.waiters = this.waiters.filter((w) => (w.matches(request) ? (w.resolve(request), false) : true));
    const handler = this.handlers.get(decoded.api.key);
    if (!handler) throw new Error(`fake broker: no handler for ${decoded.api.name}`);
    void Promise.resolve(handler(request.body, request)).then((response) => {
      if (response !== NO_REPLY && !connection.socket.destroyed) {
        connection.reply(decoded.api, request.version, decoded.header.correlationId, response);
      }
    });
  }
}
