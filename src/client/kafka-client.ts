import { FindCoordinatorApi, MetadataApi } from '../protocol/generated/apis.js';
import { createFindCoordinatorRequest } from '../protocol/generated/clients/find-coordinator-request.js';
import { createMetadataRequest, createMetadataRequestTopic } from '../protocol/generated/clients/metadata-request.js';
import { ErrorCode } from '../protocol/generated/error-codes.js';
import type { ApiDefinition } from '../protocol/message-codec.js';
import { type Clock, systemClock } from '../util/clock.js';
import { type Logger, SILENT_LOGGER } from '../util/logger.js';
import { type Random, SeededRandom } from '../util/random.js';
import { BrokerConnection } from './broker-connection.js';
import { ClusterMetadata } from './cluster-metadata.js';
import { type KafkaClientConfig, type ResolvedClientConfig, resolveClientConfig } from './client-config.js';
import { ConnectionPool } from './connection-pool.js';
import { ClientClosedError, ConnectionError, KafkaProtocolError, type VersionRange, throwIfError } from './errors.js';
import { ExponentialBackoff, type RetryPolicy, type Sleep, timerSleep, withRetries } from './retry.js';

/** Injected I/O and time, so tests and simulations control them. */
export interface KafkaClientDeps {
  readonly logger?: Logger;
  readonly clock?: Clock;
  readonly sleep?: Sleep;
  /** Jitter of retry backoffs. */
  readonly random?: Random;
}

export interface SendOptions<Res> {
  /** The versions the caller can use; the highest one the broker also serves is sent. */
  readonly versions?: VersionRange;
  /** Overrides request.timeout.ms for this request (a long-polling Fetch, for one). */
  readonly timeoutMs?: number;
  /**
   * Throws for an error inside the response (with `throwIfError`), so that retriable ones are
   * retried and those that prove the routing stale send the request elsewhere.
   */
  readonly check?: (response: Res) => void;
}

/** A request, or a function that builds it for the version it will be sent at. */
export type RequestFor<Req> = Req | ((version: number) => Req);

/** A coordinator as FindCoordinator names it. */
export interface CoordinatorNode {
  readonly nodeId: number;
  readonly host: string;
  readonly port: number;
}

/** FindCoordinator key types. */
export const CoordinatorType = { Group: 0, Transaction: 1 } as const;
export type CoordinatorType = (typeof CoordinatorType)[keyof typeof CoordinatorType];

/** Errors after which the cached partition leaders are not to be trusted. */
const STALE_LEADER_ERRORS: ReadonlySet<number> = new Set([
  ErrorCode.NOT_LEADER_OR_FOLLOWER,
  ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
  ErrorCode.LEADER_NOT_AVAILABLE,
  ErrorCode.FENCED_LEADER_EPOCH,
  ErrorCode.KAFKA_STORAGE_ERROR,
  ErrorCode.UNKNOWN_TOPIC_ID,
  ErrorCode.LISTENER_NOT_FOUND,
  ErrorCode.BROKER_NOT_AVAILABLE,
]);
const STALE_CONTROLLER_ERRORS: ReadonlySet<number> = new Set([ErrorCode.NOT_CONTROLLER, ErrorCode.BROKER_NOT_AVAILABLE]);
const STALE_BROKER_ERRORS: ReadonlySet<number> = new Set([ErrorCode.BROKER_NOT_AVAILABLE]);
const MOVED_COORDINATOR_ERRORS: ReadonlySet<number> = new Set([ErrorCode.NOT_COORDINATOR, ErrorCode.COORDINATOR_NOT_AVAILABLE]);

/** Metadata v0 reads an empty topic list as "all topics"; v1 is the first that can ask for none. */
const METADATA_VERSIONS: VersionRange = { min: 1, max: MetadataApi.maxVersion };

/**
 * A client of a whole cluster: bootstraps from bootstrap.servers, caches Metadata, keeps one
 * connection per broker, and routes requests to any broker, a given broker, a partition's
 * leader, the controller or a group or transaction coordinator, refreshing what a retriable
 * error proves stale and retrying with backoff.
 */
export class KafkaClient {
  readonly config: ResolvedClientConfig;
  private readonly log: Logger;
  private readonly clock: Clock;
  private readonly pool: ConnectionPool;
  private readonly retry: RetryPolicy;
  /** Bootstrap servers are nodes -1, -2, ... until metadata names the brokers. */
  private readonly bootstrapNodeIds: readonly number[];
  private readonly topicsOfInterest = new Set<string>();
  private readonly coordinators = new Map<string, CoordinatorNode>();
  private cached: ClusterMetadata | null = null;
  private stale = false;
  private refreshing: Promise<ClusterMetadata> | null = null;
  private closed = false;

  constructor(config: KafkaClientConfig, deps: KafkaClientDeps = {}) {
    this.config = resolveClientConfig(config);
    this.log = (deps.logger ?? SILENT_LOGGER).child({ component: 'kafka-client', clientId: this.config.clientId });
    this.clock = deps.clock ?? systemClock;
    const { clientId, clientSoftware, requestTimeoutMs, socketConnectionSetupTimeoutMs, connectionsMaxIdleMs } = this.config;
    this.pool = new ConnectionPool(
      (address) =>
        BrokerConnection.open({
          address,
          clientId,
          clientSoftware,
          requestTimeoutMs,
          connectTimeoutMs: socketConnectionSetupTimeoutMs,
          maxIdleMs: connectionsMaxIdleMs,
          logger: this.log,
        }),
      this.clock,
    );
    this.bootstrapNodeIds = this.config.bootstrapServers.map((address, i) => {
      this.pool.setAddress(-(i + 1), address);
      return -(i + 1);
    });
    this.retry = {
      retries: this.config.retries,
      backoff: new ExponentialBackoff(this.config.retryBackoffMs, this.config.retryBackoffMaxMs, deps.random ?? new SeededRandom(this.clock.now())),
      sleep: deps.sleep ?? timerSleep,
    };
  }

  /**
   * Cluster metadata that covers `topics` (which are kept in every later refresh), fetched when
   * there is none yet, when an error proved it stale, or when older than metadata.max.age.ms.
   */
  metadata(topics: readonly string[] = []): Promise<ClusterMetadata> {
    return this.retrying(() => this.currentMetadata(topics));
  }

  /** Fetches metadata now (for the topics asked about so far). */
  refreshMetadata(): Promise<ClusterMetadata> {
    return this.retrying(() => this.fetchMetadata());
  }

  /** The connection to a node known from metadata, for callers that drive it themselves (acks=0). */
  async connection(nodeId: number): Promise<BrokerConnection> {
    if (this.closed) throw new ClientClosedError();
    if (!this.pool.has(nodeId)) await this.fetchMetadata();
    return this.pool.connection(nodeId);
  }

  /** Sends to the least loaded broker: for requests any broker answers (Metadata, ListGroups, ...). */
  sendToAny<Req, Res>(api: ApiDefinition<Req, Res>, request: RequestFor<Req>, options: SendOptions<Res> = {}): Promise<Res> {
    return this.retrying(() => this.sendOnce(this.anyNode(), api, request, options));
  }

  /** Sends to one broker by node id. */
  sendToBroker<Req, Res>(nodeId: number, api: ApiDefinition<Req, Res>, request: RequestFor<Req>, options: SendOptions<Res> = {}): Promise<Res> {
    return this.retrying(
      async () => {
        if (!this.pool.has(nodeId)) await this.fetchMetadata();
        return this.sendOnce(nodeId, api, request, options);
      },
      (err) => this.markStaleOn(err, STALE_BROKER_ERRORS),
    );
  }

  /**
   * Sends to the leader of a partition. NOT_LEADER_OR_FOLLOWER, UNKNOWN_TOPIC_OR_PARTITION,
   * LEADER_NOT_AVAILABLE and the like (from the metadata or from `options.check`) and broken
   * connections refresh the metadata before the retry.
   */
  sendToLeader<Req, Res>(topic: string, partition: number, api: ApiDefinition<Req, Res>, request: RequestFor<Req>, options: SendOptions<Res> = {}): Promise<Res> {
    return this.retrying(
      async () => {
        const metadata = await this.currentMetadata([topic]);
        return this.sendOnce(metadata.leaderId(topic, partition), api, request, options);
      },
      (err) => this.markStaleOn(err, STALE_LEADER_ERRORS),
    );
  }

  /**
   * Sends to the controller that Metadata names (with KRaft, a broker that forwards to the
   * active controller); NOT_CONTROLLER refreshes the metadata before the retry.
   */
  sendToController<Req, Res>(api: ApiDefinition<Req, Res>, request: RequestFor<Req>, options: SendOptions<Res> = {}): Promise<Res> {
    return this.retrying(
      async () => {
        const metadata = await this.currentMetadata([]);
        if (metadata.controllerId < 0) throw new KafkaProtocolError(ErrorCode.NOT_CONTROLLER, `${api.name} to the controller`, 'the cluster metadata names no controller');
        return this.sendOnce(metadata.controllerId, api, request, options);
      },
      (err) => this.markStaleOn(err, STALE_CONTROLLER_ERRORS),
    );
  }

  /** Sends to the coordinator of a consumer group, found with FindCoordinator and cached. */
  sendToGroupCoordinator<Req, Res>(groupId: string, api: ApiDefinition<Req, Res>, request: RequestFor<Req>, options: SendOptions<Res> = {}): Promise<Res> {
    return this.sendToCoordinator(CoordinatorType.Group, groupId, api, request, options);
  }

  /** The coordinator of a consumer group (FindCoordinator, cached as for sendToGroupCoordinator). */
  groupCoordinator(groupId: string): Promise<CoordinatorNode> {
    const cacheKey = `${CoordinatorType.Group}:${groupId}`;
    return this.retrying(async () => {
      let node = this.coordinators.get(cacheKey);
      if (node === undefined) {
        node = await this.findCoordinator(CoordinatorType.Group, groupId);
        this.coordinators.set(cacheKey, node);
      }
      return node;
    });
  }

  /** Sends to the coordinator of a transactional id, found with FindCoordinator and cached. */
  sendToTransactionCoordinator<Req, Res>(
    transactionalId: string,
    api: ApiDefinition<Req, Res>,
    request: RequestFor<Req>,
    options: SendOptions<Res> = {},
  ): Promise<Res> {
    return this.sendToCoordinator(CoordinatorType.Transaction, transactionalId, api, request, options);
  }

  /** Closes every connection; requests in flight fail, later ones throw ClientClosedError. */
  async close(): Promise<void> {
    this.closed = true;
    await this.pool.closeAll();
  }

  private sendToCoordinator<Req, Res>(type: CoordinatorType, key: string, api: ApiDefinition<Req, Res>, request: RequestFor<Req>, options: SendOptions<Res>): Promise<Res> {
    const cacheKey = `${type}:${key}`;
    return this.retrying(
      async () => {
        let node = this.coordinators.get(cacheKey);
        if (node === undefined) {
          node = await this.findCoordinator(type, key);
          this.coordinators.set(cacheKey, node);
        }
        return this.sendOnce(node.nodeId, api, request, options);
      },
      (err) => {
        if (err instanceof ConnectionError || (err instanceof KafkaProtocolError && MOVED_COORDINATOR_ERRORS.has(err.errorCode))) {
          this.coordinators.delete(cacheKey);
        }
      },
    );
  }

  /** One FindCoordinator round trip: v4+ batches keys, earlier versions take one. */
  private async findCoordinator(type: CoordinatorType, key: string): Promise<CoordinatorNode> {
    const context = `FindCoordinator for ${type === CoordinatorType.Group ? 'group' : 'transactional id'} ${key}`;
    let sentVersion = -1;
    const response = await this.sendOnce(
      this.anyNode(),
      FindCoordinatorApi,
      (version) => {
        sentVersion = version;
        return version >= 4 ? createFindCoordinatorRequest({ keyType: type, coordinatorKeys: [key] }) : createFindCoordinatorRequest({ key, keyType: type });
      },
      // v0 has no key type: it finds group coordinators only.
      { versions: { min: type === CoordinatorType.Group ? 0 : 1, max: FindCoordinatorApi.maxVersion } },
    );
    const found = sentVersion >= 4 ? response.coordinators.find((c) => c.key === key) : response;
    if (!found) throw new KafkaProtocolError(ErrorCode.COORDINATOR_NOT_AVAILABLE, context, 'the response has no entry for the key');
    throwIfError(found.errorCode, context, found.errorMessage);
    this.pool.setAddress(found.nodeId, { host: found.host, port: found.port });
    return { nodeId: found.nodeId, host: found.host, port: found.port };
  }

  private async sendOnce<Req, Res>(nodeId: number, api: ApiDefinition<Req, Res>, request: RequestFor<Req>, options: SendOptions<Res>): Promise<Res> {
    const connection = await this.pool.connection(nodeId);
    const version = connection.versions.highest(api as ApiDefinition<unknown, unknown>, options.versions);
    const body = typeof request === 'function' ? (request as (version: number) => Req)(version) : request;
    const response = await connection.send(api, version, body, options.timeoutMs);
    options.check?.(response);
    return response;
  }

  /** Runs `attempt` with the retry policy; `beforeRetry` drops the routing an error proved stale. */
  private retrying<T>(attempt: () => Promise<T>, beforeRetry: (err: unknown) => void = () => {}): Promise<T> {
    return withRetries(
      this.retry,
      () => (this.closed ? Promise.reject(new ClientClosedError()) : attempt()),
      (err, retry) => {
        this.log.debug({ err: (err as Error).message, retry: retry + 1 }, 'retrying');
        beforeRetry(err);
      },
    );
  }

  private markStaleOn(err: unknown, codes: ReadonlySet<number>): void {
    if (err instanceof ConnectionError || (err instanceof KafkaProtocolError && codes.has(err.errorCode))) this.stale = true;
  }

  /** Brokers from metadata; the bootstrap servers before there is any, or when every broker failed. */
  private anyNode(): number {
    const brokers = this.cached ? [...this.cached.brokers.keys()] : [];
    if (brokers.length > 0) {
      const best = this.pool.leastLoaded(brokers);
      if (!this.pool.hasFailed(best)) return best;
    }
    return this.pool.leastLoaded([...brokers, ...this.bootstrapNodeIds]);
  }

  private async currentMetadata(topics: readonly string[]): Promise<ClusterMetadata> {
    for (const topic of topics) this.topicsOfInterest.add(topic);
    const usable = (m: ClusterMetadata | null): m is ClusterMetadata =>
      m !== null && !this.stale && this.clock.now() - m.fetchedAt < this.config.metadataMaxAgeMs && topics.every((t) => m.topics.has(t));
    if (usable(this.cached)) return this.cached;
    if (this.refreshing) {
      // The refresh under way may have been asked before these topics were of interest.
      const shared = await this.refreshing;
      if (usable(shared)) return shared;
    }
    return this.fetchMetadata();
  }

  /** Fetches metadata once, sharing a fetch already under way. */
  private fetchMetadata(): Promise<ClusterMetadata> {
    this.refreshing ??= this.requestMetadata().finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  private async requestMetadata(): Promise<ClusterMetadata> {
    const topics = [...this.topicsOfInterest].map((name) => createMetadataRequestTopic({ name }));
    const response = await this.sendOnce(
      this.anyNode(),
      MetadataApi,
      createMetadataRequest({ topics, allowAutoTopicCreation: this.config.allowAutoCreateTopics }),
      { versions: METADATA_VERSIONS },
    );
    const metadata = ClusterMetadata.fromResponse(response, this.clock.now());
    for (const { nodeId, host, port } of metadata.brokers.values()) this.pool.setAddress(nodeId, { host, port });
    this.cached = metadata;
    this.stale = false;
    return metadata;
  }
}
