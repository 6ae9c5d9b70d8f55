import { MetadataRecordType } from '../../protocol/generated/records.js';

/** The feature that versions the metadata records themselves. */
export const METADATA_VERSION_FEATURE = 'metadata.version';

/**
 * The metadata.version Gregor writes: 3.9-IV0, feature level 21, Kafka 3.9's latest production
 * level (MetadataVersion.LATEST_PRODUCTION). It has directory assignment (3.7-IV2, level 17) and
 * metadata transactions (3.6-IV1), but not eligible leader replicas (4.0-IV1).
 */
export const METADATA_VERSION_LEVEL = 21;

/** The oldest KRaft metadata.version (3.0-IV1), assumed for brokers that do not name a range. */
export const MINIMUM_KRAFT_METADATA_VERSION_LEVEL = 1;

/** The version of each record type as Kafka writes it at metadata.version 3.9-IV0. */
export const RECORD_VERSION: Readonly<Partial<Record<number, number>>> = {
  [MetadataRecordType.RegisterBrokerRecord]: 3,
  [MetadataRecordType.UnregisterBrokerRecord]: 0,
  [MetadataRecordType.TopicRecord]: 0,
  [MetadataRecordType.PartitionRecord]: 1,
  [MetadataRecordType.ConfigRecord]: 0,
  [MetadataRecordType.PartitionChangeRecord]: 1,
  [MetadataRecordType.RemoveTopicRecord]: 0,
  [MetadataRecordType.FeatureLevelRecord]: 0,
  [MetadataRecordType.ProducerIdsRecord]: 0,
  // Fencing changes are written at version 0 and controlled-shutdown changes at version 1, as Kafka does.
  [MetadataRecordType.BrokerRegistrationChangeRecord]: 0,
  [MetadataRecordType.ZkMigrationStateRecord]: 0,
  [MetadataRecordType.BeginTransactionRecord]: 0,
  [MetadataRecordType.EndTransactionRecord]: 0,
};
