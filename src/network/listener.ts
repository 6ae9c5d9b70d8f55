import { type AddressInfo, type Server, type Socket, createServer } from 'node:net';
import type { Logger } from '../util/logger.js';
import { Connection, type ConnectionLimits, type FrameHandler } from './connection.js';

/** Where a listener binds: one entry of Kafka's `listeners`. */
export interface Endpoint {
  readonly listenerName: string;
  readonly securityProtocol: string;
  /** Empty binds every interface, as Kafka does for `PLAINTEXT://:9092`. */
  readonly host: string;
  readonly port: number;
}

/** A TCP listener that hands every connection's frames to one handler. */
export class Listener {
  private readonly server: Server;
  private readonly connections = new Set<Connection>();
  private nextConnectionId = 0;

  constructor(
    readonly endpoint: Endpoint,
    private readonly handler: FrameHandler,
    private readonly limits: ConnectionLimits,
    private readonly log: Logger,
  ) {
    this.server = createServer({ noDelay: true }, (socket) => this.accept(socket));
  }

  /** Binds and resolves with the actual address (port 0 picks a free port). */
  async start(): Promise<AddressInfo> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen({ host: this.endpoint.host || undefined, port: this.endpoint.port }, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    return this.server.address() as AddressInfo;
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  /** Stops accepting, drains every connection's in-flight requests, then closes them. */
  async close(): Promise<void> {
    const stopped = new Promise<void>((resolve) => this.server.close(() => resolve()));
    await Promise.all([...this.connections].map((c) => c.drainAndClose()));
    await stopped;
  }

  private accept(socket: Socket): void {
    const id = `${this.endpoint.listenerName}-${this.nextConnectionId++}`;
    const info = {
      id,
      listenerName: this.endpoint.listenerName,
      securityProtocol: this.endpoint.securityProtocol,
      remoteAddress: socket.remoteAddress ?? '',
      remotePort: socket.remotePort ?? 0,
    };
    const connection = new Connection(socket, info, this.handler, this.limits, this.log);
    this.connections.add(connection);
    socket.once('close', () => this.connections.delete(connection));
  }
}
