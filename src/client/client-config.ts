import type { ClientSoftware } from './api-versions.js';
import { type BrokerAddress, parseBootstrapServers } from './broker-address.js';

/** KafkaClient settings; each is Kafka's client property of the name in its comment. */
export interface KafkaClientConfig {
  /** bootstrap.servers: "host:port,host:port", or the entries as a list. */
  readonly bootstrapServers: string | readonly string[];
  /** client.id (default "gregor") */
  readonly clientId?: string;
  /** request.timeout.ms (default 30000) */
  readonly requestTimeoutMs?: number;
  /** retries: how many times a failed routed request is retried (default 5). */
  readonly retries?: number;
  /** retry.backoff.ms: the first retry's delay, doubled per attempt (default 100). */
  readonly retryBackoffMs?: number;
  /** retry.backoff.max.ms: the ceiling of that delay, even when below retry.backoff.ms (default 1000). */
  readonly retryBackoffMaxMs?: number;
  /** metadata.max.age.ms: cached metadata older than this is refreshed before use (default 300000). */
  readonly metadataMaxAgeMs?: number;
  /** connections.max.idle.ms (default 540000) */
  readonly connectionsMaxIdleMs?: number;
  /** socket.connection.setup.timeout.ms (default 10000) */
  readonly socketConnectionSetupTimeoutMs?: number;
  /**
   * allow.auto.create.topics: whether Metadata requests may make the broker create missing
   * topics. Off by default, unlike Kafka's consumer: admin tools must never create a topic by
   * describing it. Producers that want auto-creation turn it on.
   */
  readonly allowAutoCreateTopics?: boolean;
  /** Sent in ApiVersions (KIP-511); the CLI passes Gregor's version. */
  readonly clientSoftware?: ClientSoftware;
}

export interface ResolvedClientConfig {
  readonly bootstrapServers: readonly BrokerAddress[];
  readonly clientId: string;
  readonly requestTimeoutMs: number;
  readonly retries: number;
  readonly retryBackoffMs: number;
  readonly retryBackoffMaxMs: number;
  readonly metadataMaxAgeMs: number;
  readonly connectionsMaxIdleMs: number;
  readonly socketConnectionSetupTimeoutMs: number;
  readonly allowAutoCreateTopics: boolean;
  readonly clientSoftware: ClientSoftware;
}

/** Fills in Kafka's defaults and rejects values that make no sense, naming the property. */
export function resolveClientConfig(config: KafkaClientConfig): ResolvedClientConfig {
  const count = (name: string, value: number | undefined, fallback: number, min: number): number => {
    const v = value ?? fallback;
    if (!Number.isSafeInteger(v) || v < min) throw new RangeError(`${name} must be an integer >= ${min}, got ${v}`);
    return v;
  };
  return {
    bootstrapServers: parseBootstrapServers(config.bootstrapServers),
    clientId: config.clientId ?? 'gregor',
    requestTimeoutMs: count('request.timeout.ms', config.requestTimeoutMs, 30_000, 1),
    retries: count('retries', config.retries, 5, 0),
    retryBackoffMs: count('retry.backoff.ms', config.retryBackoffMs, 100, 0),
    retryBackoffMaxMs: count('retry.backoff.max.ms', config.retryBackoffMaxMs, 1_000, 0),
    metadataMaxAgeMs: count('metadata.max.age.ms', config.metadataMaxAgeMs, 300_000, 0),
    connectionsMaxIdleMs: count('connections.max.idle.ms', config.connectionsMaxIdleMs, 540_000, 1),
    socketConnectionSetupTimeoutMs: count('socket.connection.setup.timeout.ms', config.socketConnectionSetupTimeoutMs, 10_000, 1),
    allowAutoCreateTopics: config.allowAutoCreateTopics ?? false,
    clientSoftware: config.clientSoftware ?? { name: 'gregor', version: 'unknown' },
  };
}
