import { type Socket, connect } from 'node:net';
import { ApiVersionsApi } from '../protocol/generated/apis.js';
import type { ApiDefinition } from '../protocol/message-codec.js';
import type { Logger } from '../util/logger.js';
import { type BrokerApiVersions, type ClientSoftware, negotiateApiVersions } from './api-versions.js';
import { type BrokerAddress, formatAddress } from './broker-address.js';
import { ConnectionError } from './errors.js';
import { RequestChannel } from './request-channel.js';

export interface BrokerConnectionOptions {
  readonly address: BrokerAddress;
  /** client.id, sent in every request header. */
  readonly clientId: string | null;
  readonly clientSoftware: ClientSoftware;
  /** request.timeout.ms */
  readonly requestTimeoutMs: number;
  /** socket.connection.setup.timeout.ms: how long the TCP connect may take. */
  readonly connectTimeoutMs: number;
  /** connections.max.idle.ms */
  readonly maxIdleMs: number;
  readonly logger: Logger;
}

/**
 * One TCP connection to one broker, ready for requests: opened, and the broker's API versions
 * learnt, before `open` resolves. Ask `versions.highest(api)` for the version to send.
 */
export class BrokerConnection {
  private constructor(
    /** host:port of the broker. */
    readonly broker: string,
    private readonly channel: RequestChannel,
    readonly versions: BrokerApiVersions,
  ) {}

  static async open(options: BrokerConnectionOptions): Promise<BrokerConnection> {
    const broker = formatAddress(options.address);
    const socket = await connectSocket(options.address, broker, options.connectTimeoutMs);
    const channel = new RequestChannel(socket, {
      broker,
      clientId: options.clientId,
      requestTimeoutMs: options.requestTimeoutMs,
      maxIdleMs: options.maxIdleMs,
      logger: options.logger,
    });
    try {
      const versions = await negotiateApiVersions(broker, options.clientSoftware, (version, request) => channel.send(ApiVersionsApi, version, request));
      options.logger.debug({ broker }, 'connected');
      return new BrokerConnection(broker, channel, versions);
    } catch (err) {
      await channel.close();
      throw err;
    }
  }

  /** Requests sent on this connection and still waiting for their response. */
  get inFlight(): number {
    return this.channel.inFlight;
  }

  /** False once the connection failed or was closed; it never reopens. */
  get isOpen(): boolean {
    return this.channel.isOpen;
  }

  /**
   * Sends a request at `version` and resolves with the response. Fails with ConnectionError when
   * the connection breaks, RequestTimeoutError after `timeoutMs` (default request.timeout.ms).
   */
  send<Req, Res>(api: ApiDefinition<Req, Res>, version: number, request: Req, timeoutMs?: number): Promise<Res> {
    return this.channel.send(api, version, request, timeoutMs);
  }

  /** Sends a request that gets no response (Produce with acks=0); resolves once it is written. */
  sendWithoutResponse<Req>(api: ApiDefinition<Req, unknown>, version: number, request: Req): Promise<void> {
    return this.channel.sendWithoutResponse(api, version, request);
  }

  /** Fails requests still waiting, lets written bytes reach the broker, and closes. */
  close(): Promise<void> {
    return this.channel.close();
  }
}

function connectSocket(address: BrokerAddress, broker: string, timeoutMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: address.host, port: address.port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new ConnectionError(broker, `connection not established within socket.connection.setup.timeout.ms=${timeoutMs}`));
    }, timeoutMs);
    socket.once('error', (err) => {
      clearTimeout(timer);
      reject(new ConnectionError(broker, `cannot connect: ${err.message}`, { cause: err }));
    });
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      socket.setNoDelay(true);
      socket.setKeepAlive(true);
      resolve(socket);
    });
  });
}
