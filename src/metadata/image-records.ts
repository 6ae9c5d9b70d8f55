import { createConfigRecord } from '../protocol/generated/metadata/config-record.js';
import { createFeatureLevelRecord } from '../protocol/generated/metadata/feature-level-record.js';
import { createPartitionRecord } from '../protocol/generated/metadata/partition-record.js';
import { createProducerIdsRecord } from '../protocol/generated/metadata/producer-ids-record.js';
import {
  createRegisterBrokerRecord,
  createRegisterBrokerRecordBrokerEndpoint,
  createRegisterBrokerRecordBrokerFeature,
} from '../protocol/generated/metadata/register-broker-record.js';
import { createTopicRecord } from '../protocol/generated/metadata/topic-record.js';
import { createZkMigrationStateRecord } from '../protocol/generated/metadata/zk-migration-state-record.js';
import { MetadataRecordType, type MetadataRecord } from '../protocol/generated/records.js';
import { METADATA_VERSION_FEATURE } from './controller/metadata-version.js';
import { metadataRecord } from './controller/records.js';
import { type BrokerImage, type MetadataImage, type PartitionImage, type TopicImage, parseConfigResourceKey } from './image.js';

/** ZkMigrationState.NONE, the only state of a cluster born in KRaft mode. */
const ZK_MIGRATION_NONE = 0;

/**
 * The records that rebuild `image` when replayed on an empty one: the content of a snapshot, in
 * the order Kafka's MetadataImage.write uses (features, brokers, topics with their partitions,
 * configs, producer ids). Records the image does not keep (metadata transactions, NoOp) are not
 * in it, as they are not in Kafka's snapshots.
 */
export function imageToRecords(image: MetadataImage): MetadataRecord[] {
  return [
    ...featureRecords(image),
    ...[...image.brokers.values()].sort((a, b) => a.id - b.id).map(brokerRecord),
    ...[...image.topicsById.values()].sort((a, b) => compare(a.name, b.name)).flatMap(topicRecords),
    ...configRecords(image),
    ...producerIdRecords(image),
  ];
}

function featureRecords(image: MetadataImage): MetadataRecord[] {
  const names = [...image.features.keys()].sort((a, b) => (a === METADATA_VERSION_FEATURE ? -1 : b === METADATA_VERSION_FEATURE ? 1 : compare(a, b)));
  const records = names.map((name) =>
    metadataRecord(MetadataRecordType.FeatureLevelRecord, createFeatureLevelRecord({ name, featureLevel: image.features.get(name)! })),
  );
  if (image.features.has(METADATA_VERSION_FEATURE)) {
    records.push(metadataRecord(MetadataRecordType.ZkMigrationStateRecord, createZkMigrationStateRecord({ zkMigrationState: ZK_MIGRATION_NONE })));
  }
  return records;
}

function brokerRecord(broker: BrokerImage): MetadataRecord {
  return metadataRecord(
    MetadataRecordType.RegisterBrokerRecord,
    createRegisterBrokerRecord({
      brokerId: broker.id,
      incarnationId: broker.incarnationId,
      brokerEpoch: broker.epoch,
      endPoints: broker.endpoints.map(({ name, host, port, securityProtocol }) =>
        createRegisterBrokerRecordBrokerEndpoint({ name, host, port, securityProtocol }),
      ),
      features: broker.features.map((f) => createRegisterBrokerRecordBrokerFeature({ ...f })),
      rack: broker.rack,
      fenced: broker.fenced,
      inControlledShutdown: broker.inControlledShutdown,
      logDirs: [...broker.logDirs],
    }),
  );
}

function topicRecords(topic: TopicImage): MetadataRecord[] {
  const partitions = [...topic.partitions.values()].sort((a, b) => a.partitionId - b.partitionId);
  return [
    metadataRecord(MetadataRecordType.TopicRecord, createTopicRecord({ name: topic.name, topicId: topic.id })),
    ...partitions.map((p) => partitionRecord(topic.id, p)),
  ];
}

function partitionRecord(topicId: string, p: PartitionImage): MetadataRecord {
  return metadataRecord(
    MetadataRecordType.PartitionRecord,
    createPartitionRecord({
      partitionId: p.partitionId,
      topicId,
      replicas: [...p.replicas],
      isr: [...p.isr],
      removingReplicas: [...p.removingReplicas],
      addingReplicas: [...p.addingReplicas],
      leader: p.leader,
      leaderRecoveryState: p.leaderRecoveryState,
      leaderEpoch: p.leaderEpoch,
      partitionEpoch: p.partitionEpoch,
      directories: [...p.directories],
      eligibleLeaderReplicas: p.eligibleLeaderReplicas.length > 0 ? [...p.eligibleLeaderReplicas] : null,
      lastKnownElr: p.lastKnownElr.length > 0 ? [...p.lastKnownElr] : null,
    }),
  );
}

function configRecords(image: MetadataImage): MetadataRecord[] {
  return [...image.configs.entries()]
    .sort(([a], [b]) => compare(a, b))
    .flatMap(([key, configs]) => {
      const resource = parseConfigResourceKey(key);
      return [...configs.entries()]
        .sort(([a], [b]) => compare(a, b))
        .map(([name, value]) =>
          metadataRecord(MetadataRecordType.ConfigRecord, createConfigRecord({ resourceType: resource.type, resourceName: resource.name, name, value })),
        );
    });
}

/** Kafka's ProducerIdsImage writes the next block's start with no broker. */
function producerIdRecords(image: MetadataImage): MetadataRecord[] {
  if (image.nextProducerId === 0) return [];
  const record = createProducerIdsRecord({ brokerId: -1, brokerEpoch: -1, nextProducerId: image.nextProducerId });
  return [metadataRecord(MetadataRecordType.ProducerIdsRecord, record)];
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
