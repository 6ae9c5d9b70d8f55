import { ErrorCode } from '../protocol/generated/error-codes.js';
import type { Clock } from '../util/clock.js';
import { type BrokerAddress, formatAddress } from './broker-address.js';
import type { BrokerConnection } from './broker-connection.js';
import { ClientClosedError, ConnectionError, KafkaProtocolError } from './errors.js';

/** Opens a ready connection (TCP plus ApiVersions) to an address. */
export type ConnectionOpener = (address: BrokerAddress) => Promise<BrokerConnection>;

interface NodeEntry {
  readonly address: BrokerAddress;
  current: BrokerConnection | null;
  opening: Promise<BrokerConnection> | null;
  /** Clock time of the last failed connect, null once a connect succeeds. */
  lastFailureAt: number | null;
}

/**
 * At most one connection per node id, opened on first use and reopened on the next use after
 * it closed. Callers tell it where nodes are: KafkaClient from metadata, with negative ids for
 * bootstrap servers as Kafka's client does; a Raft transport from the quorum voters.
 */
export class ConnectionPool {
  private readonly nodes = new Map<number, NodeEntry>();
  private closed = false;

  constructor(
    private readonly open: ConnectionOpener,
    private readonly clock: Clock,
  ) {}

  /** Where a node is. A node that moved has its connection closed; the next use reconnects. */
  setAddress(nodeId: number, address: BrokerAddress): void {
    const entry = this.nodes.get(nodeId);
    if (entry && entry.address.host === address.host && entry.address.port === address.port) return;
    if (entry) void this.discard(entry);
    this.nodes.set(nodeId, { address, current: null, opening: null, lastFailureAt: null });
  }

  has(nodeId: number): boolean {
    return this.nodes.has(nodeId);
  }

  /** The node's open connection, connecting first when there is none. */
  connection(nodeId: number): Promise<BrokerConnection> {
    if (this.closed) return Promise.reject(new ClientClosedError());
    const entry = this.nodes.get(nodeId);
    if (!entry) return Promise.reject(new KafkaProtocolError(ErrorCode.BROKER_NOT_AVAILABLE, `connection to node ${nodeId}`, 'no address is known for it'));
    if (entry.current?.isOpen) return Promise.resolve(entry.current);
    entry.opening ??= this.connect(nodeId, entry);
    return entry.opening;
  }

  /** True when the node's last connect failed and none has succeeded since. */
  hasFailed(nodeId: number): boolean {
    return this.nodes.get(nodeId)?.lastFailureAt != null;
  }

  /**
   * The node to send to when any will do, as Kafka's least-loaded-node choice: an open (or
   * opening) connection with the fewest requests in flight, else a node never failed, else the
   * one whose last failure is oldest.
   */
  leastLoaded(nodeIds: readonly number[]): number {
    if (nodeIds.length === 0) throw new RangeError('no nodes to choose from');
    const rank = (nodeId: number): [number, number] => {
      const entry = this.nodes.get(nodeId);
      if (entry?.current?.isOpen) return [0, entry.current.inFlight];
      if (entry?.opening) return [0, 0];
      return entry?.lastFailureAt == null ? [1, 0] : [2, entry.lastFailureAt];
    };
    let best = nodeIds[0];
    let bestRank = rank(best);
    for (const nodeId of nodeIds.slice(1)) {
      const r = rank(nodeId);
      if (r[0] < bestRank[0] || (r[0] === bestRank[0] && r[1] < bestRank[1])) [best, bestRank] = [nodeId, r];
    }
    return best;
  }

  /** Closes every connection; later requests for one fail. */
  async closeAll(): Promise<void> {
    this.closed = true;
    const entries = [...this.nodes.values()];
    this.nodes.clear();
    await Promise.all(entries.map((entry) => this.discard(entry)));
  }

  private async connect(nodeId: number, entry: NodeEntry): Promise<BrokerConnection> {
    try {
      const connection = await this.open(entry.address);
      if (this.closed || this.nodes.get(nodeId) !== entry) {
        await connection.close();
        if (this.closed) throw new ClientClosedError();
        throw new ConnectionError(formatAddress(entry.address), 'connection dropped: the node moved while it opened');
      }
      entry.current = connection;
      entry.lastFailureAt = null;
      return connection;
    } catch (err) {
      entry.lastFailureAt = this.clock.now();
      throw err;
    } finally {
      entry.opening = null;
    }
  }

  private async discard(entry: NodeEntry): Promise<void> {
    const connection = entry.current;
    entry.current = null;
    await connection?.close();
  }
}
