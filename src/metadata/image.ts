import { ConfigResourceType } from '../protocol/config-resource-type.js';

/** One partition as the metadata log describes it (Kafka's PartitionRegistration). */
export interface PartitionImage {
  readonly partitionId: number;
  readonly replicas: readonly number[];
  readonly isr: readonly number[];
  readonly removingReplicas: readonly number[];
  readonly addingReplicas: readonly number[];
  /** -1 when the partition has no leader. */
  readonly leader: number;
  readonly leaderRecoveryState: number;
  readonly leaderEpoch: number;
  readonly partitionEpoch: number;
  readonly directories: readonly string[];
  readonly eligibleLeaderReplicas: readonly number[];
  readonly lastKnownElr: readonly number[];
}

export interface TopicImage {
  readonly name: string;
  readonly id: string;
  readonly partitions: ReadonlyMap<number, PartitionImage>;
}

export interface BrokerEndpoint {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  readonly securityProtocol: number;
}

/** The versions of a feature a broker supports, as it registered them. */
export interface BrokerFeatureRange {
  readonly name: string;
  readonly minSupportedVersion: number;
  readonly maxSupportedVersion: number;
}

/** A registered broker (Kafka's BrokerRegistration). */
export interface BrokerImage {
  readonly id: number;
  readonly epoch: number;
  readonly incarnationId: string;
  readonly endpoints: readonly BrokerEndpoint[];
  readonly rack: string | null;
  readonly features: readonly BrokerFeatureRange[];
  readonly fenced: boolean;
  readonly inControlledShutdown: boolean;
  readonly logDirs: readonly string[];
}

/** Key of a config resource in the image: `<type>:<name>` (the empty name is the cluster default). */
export function configResourceKey(type: number, name: string): string {
  return `${type}:${name}`;
}

export function parseConfigResourceKey(key: string): { type: number; name: string } {
  const colon = key.indexOf(':');
  return { type: Number(key.slice(0, colon)), name: key.slice(colon + 1) };
}

/**
 * An immutable view of the cluster's metadata at one offset of the metadata log. Images are
 * never changed: a MetadataDelta built on one produces the next.
 */
export class MetadataImage {
  static readonly EMPTY = new MetadataImage(-1, new Map(), new Map(), new Map(), new Map(), new Map(), 0);

  constructor(
    /** Offset of the last record of the metadata log applied (control records included), -1 for none. */
    readonly offset: number,
    readonly topicsById: ReadonlyMap<string, TopicImage>,
    readonly topicsByName: ReadonlyMap<string, TopicImage>,
    readonly brokers: ReadonlyMap<number, BrokerImage>,
    /** Config overrides by configResourceKey. */
    readonly configs: ReadonlyMap<string, ReadonlyMap<string, string>>,
    readonly features: ReadonlyMap<string, number>,
    readonly nextProducerId: number,
  ) {}

  topicConfigs(topicName: string): ReadonlyMap<string, string> {
    return this.configs.get(configResourceKey(ConfigResourceType.TOPIC, topicName)) ?? EMPTY_CONFIGS;
  }

  /** Per-broker overrides for `brokerId`, or cluster-wide defaults for the empty name. */
  brokerConfigs(brokerId: number | ''): ReadonlyMap<string, string> {
    return this.configs.get(configResourceKey(ConfigResourceType.BROKER, String(brokerId))) ?? EMPTY_CONFIGS;
  }
}

const EMPTY_CONFIGS: ReadonlyMap<string, string> = new Map();
