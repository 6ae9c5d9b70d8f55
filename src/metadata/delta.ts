import type { BrokerRegistrationChangeRecord } from '../protocol/generated/metadata/broker-registration-change-record.js';
import type { PartitionChangeRecord } from '../protocol/generated/metadata/partition-change-record.js';
import type { PartitionRecord } from '../protocol/generated/metadata/partition-record.js';
import type { RegisterBrokerRecord } from '../protocol/generated/metadata/register-broker-record.js';
import { MetadataRecordType, type MetadataRecord } from '../protocol/generated/records.js';
import { ConfigResourceType } from '../protocol/config-resource-type.js';
import {
  type BrokerImage,
  MetadataImage,
  type PartitionImage,
  type TopicImage,
  configResourceKey,
} from './image.js';

/** PartitionChangeRecord.leader value meaning "leader unchanged". */
export const NO_LEADER_CHANGE = -2;
/** BrokerRegistrationChangeRecord.fenced values (Kafka's BrokerRegistrationFencingChange). */
const FENCE = 1;
const UNFENCE = -1;

/** Thrown when a record contradicts the image it is replayed on: the metadata log is corrupt. */
export class MetadataReplayError extends Error {
  override readonly name = 'MetadataReplayError';
}

function partitionFromRecord(r: PartitionRecord): PartitionImage {
  return {
    partitionId: r.partitionId,
    replicas: r.replicas,
    isr: r.isr,
    removingReplicas: r.removingReplicas,
    addingReplicas: r.addingReplicas,
    leader: r.leader,
    leaderRecoveryState: r.leaderRecoveryState,
    leaderEpoch: r.leaderEpoch,
    partitionEpoch: r.partitionEpoch,
    directories: r.directories,
    eligibleLeaderReplicas: r.eligibleLeaderReplicas ?? [],
    lastKnownElr: r.lastKnownElr ?? [],
  };
}

/** Kafka's PartitionRegistration.merge: null / sentinel fields leave the value as it was. */
function mergePartitionChange(p: PartitionImage, r: PartitionChangeRecord): PartitionImage {
  const leaderChanged = r.leader !== NO_LEADER_CHANGE;
  return {
    partitionId: p.partitionId,
    replicas: r.replicas ?? p.replicas,
    isr: r.isr ?? p.isr,
    removingReplicas: r.removingReplicas ?? p.removingReplicas,
    addingReplicas: r.addingReplicas ?? p.addingReplicas,
    leader: leaderChanged ? r.leader : p.leader,
    leaderRecoveryState: r.leaderRecoveryState === -1 ? p.leaderRecoveryState : r.leaderRecoveryState,
    leaderEpoch: leaderChanged ? p.leaderEpoch + 1 : p.leaderEpoch,
    partitionEpoch: p.partitionEpoch + 1,
    directories: r.directories ?? p.directories,
    eligibleLeaderReplicas: r.eligibleLeaderReplicas ?? p.eligibleLeaderReplicas,
    lastKnownElr: r.lastKnownElr ?? p.lastKnownElr,
  };
}

function brokerFromRecord(r: RegisterBrokerRecord): BrokerImage {
  return {
    id: r.brokerId,
    epoch: r.brokerEpoch,
    incarnationId: r.incarnationId,
    endpoints: r.endPoints.map((e) => ({ name: e.name, host: e.host, port: e.port, securityProtocol: e.securityProtocol })),
    rack: r.rack,
    features: r.features.map((f) => ({ name: f.name, minSupportedVersion: f.minSupportedVersion, maxSupportedVersion: f.maxSupportedVersion })),
    fenced: r.fenced,
    inControlledShutdown: r.inControlledShutdown,
    logDirs: r.logDirs,
  };
}

function mergeBrokerChange(b: BrokerImage, r: BrokerRegistrationChangeRecord): BrokerImage {
  const fenced = r.fenced === FENCE ? true : r.fenced === UNFENCE ? false : b.fenced;
  return {
    ...b,
    fenced,
    inControlledShutdown: r.inControlledShutdown === 1 ? true : b.inControlledShutdown,
    logDirs: r.logDirs.length > 0 ? r.logDirs : b.logDirs,
  };
}

/**
 * Changes replayed on top of a base image. Only what changes is copied; `apply()` produces the
 * next immutable image and leaves the base untouched, as KRaft's MetadataDelta does.
 */
export class MetadataDelta {
  private offset: number;
  private topicsById: Map<string, TopicImage> | null = null;
  private brokers: Map<number, BrokerImage> | null = null;
  private configs: Map<string, ReadonlyMap<string, string>> | null = null;
  private features: Map<string, number> | null = null;
  private nextProducerId: number;
  /** Topics whose partition map was already copied in this delta. */
  private readonly ownPartitions = new Map<string, Map<number, PartitionImage>>();

  constructor(private readonly base: MetadataImage) {
    this.offset = base.offset;
    this.nextProducerId = base.nextProducerId;
  }

  /** Replays one record found at `offset` of the metadata log. */
  replay(record: MetadataRecord, offset: number): void {
    this.offset = offset;
    switch (record.type) {
      case MetadataRecordType.TopicRecord: {
        const { name, topicId } = record.data;
        if (this.topics().has(topicId)) throw new MetadataReplayError(`topic id ${topicId} already exists`);
        const partitions = new Map<number, PartitionImage>();
        this.topics().set(topicId, { name, id: topicId, partitions });
        this.ownPartitions.set(topicId, partitions);
        return;
      }
      case MetadataRecordType.PartitionRecord:
        this.setPartition(record.data.topicId, partitionFromRecord(record.data));
        return;
      case MetadataRecordType.PartitionChangeRecord: {
        const current = this.topic(record.data.topicId).partitions.get(record.data.partitionId);
        if (!current) throw new MetadataReplayError(`change to unknown partition ${record.data.topicId}-${record.data.partitionId}`);
        this.setPartition(record.data.topicId, mergePartitionChange(current, record.data));
        return;
      }
      case MetadataRecordType.RemoveTopicRecord: {
        const topic = this.topic(record.data.topicId);
        this.topics().delete(topic.id);
        this.ownPartitions.delete(topic.id);
        this.configMap().delete(configResourceKey(ConfigResourceType.TOPIC, topic.name));
        return;
      }
      case MetadataRecordType.ConfigRecord: {
        const key = configResourceKey(record.data.resourceType, record.data.resourceName);
        const next = new Map(this.configMap().get(key) ?? []);
        if (record.data.value === null) next.delete(record.data.name);
        else next.set(record.data.name, record.data.value);
        if (next.size === 0) this.configMap().delete(key);
        else this.configMap().set(key, next);
        return;
      }
      case MetadataRecordType.RegisterBrokerRecord:
        this.brokerMap().set(record.data.brokerId, brokerFromRecord(record.data));
        return;
      case MetadataRecordType.UnregisterBrokerRecord:
        this.brokerMap().delete(record.data.brokerId);
        return;
      case MetadataRecordType.FenceBrokerRecord:
        this.updateBroker(record.data.id, (b) => ({ ...b, fenced: true }));
        return;
      case MetadataRecordType.UnfenceBrokerRecord:
        this.updateBroker(record.data.id, (b) => ({ ...b, fenced: false }));
        return;
      case MetadataRecordType.BrokerRegistrationChangeRecord: {
        const change = record.data;
        this.updateBroker(change.brokerId, (b) => mergeBrokerChange(b, change));
        return;
      }
      case MetadataRecordType.FeatureLevelRecord:
        if (record.data.featureLevel === 0) this.featureMap().delete(record.data.name);
        else this.featureMap().set(record.data.name, record.data.featureLevel);
        return;
      case MetadataRecordType.ProducerIdsRecord:
        this.nextProducerId = record.data.nextProducerId;
        return;
      default:
        // Records that do not change this image: NoOp, ACLs, quotas, SCRAM, delegation tokens
        // and transactions are owned by the modules that replay them.
        return;
    }
  }

  /** Moves the image past records that change nothing in it, such as the quorum's control batches. */
  advanceTo(offset: number): void {
    this.offset = offset;
  }

  apply(): MetadataImage {
    const topicsById = this.topicsById ?? this.base.topicsById;
    const topicsByName = this.topicsById ? new Map([...this.topicsById.values()].map((t) => [t.name, t])) : this.base.topicsByName;
    return new MetadataImage(
      this.offset,
      topicsById,
      topicsByName,
      this.brokers ?? this.base.brokers,
      this.configs ?? this.base.configs,
      this.features ?? this.base.features,
      this.nextProducerId,
    );
  }

  private topics(): Map<string, TopicImage> {
    this.topicsById ??= new Map(this.base.topicsById);
    return this.topicsById;
  }

  private topic(topicId: string): TopicImage {
    const topic = (this.topicsById ?? this.base.topicsById).get(topicId);
    if (!topic) throw new MetadataReplayError(`unknown topic id ${topicId}`);
    return topic;
  }

  private setPartition(topicId: string, partition: PartitionImage): void {
    const topic = this.topic(topicId);
    let partitions = this.ownPartitions.get(topicId);
    if (!partitions) {
      partitions = new Map(topic.partitions);
      this.ownPartitions.set(topicId, partitions);
      this.topics().set(topicId, { ...topic, partitions });
    }
    partitions.set(partition.partitionId, partition);
  }

  private brokerMap(): Map<number, BrokerImage> {
    this.brokers ??= new Map(this.base.brokers);
    return this.brokers;
  }

  private updateBroker(id: number, change: (b: BrokerImage) => BrokerImage): void {
    const broker = this.brokerMap().get(id);
    if (!broker) throw new MetadataReplayError(`change to unregistered broker ${id}`);
    this.brokerMap().set(id, change(broker));
  }

  private configMap(): Map<string, ReadonlyMap<string, string>> {
    this.configs ??= new Map(this.base.configs);
    return this.configs;
  }

  private featureMap(): Map<string, number> {
    this.features ??= new Map(this.base.features);
    return this.features;
  }
}
