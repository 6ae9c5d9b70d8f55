import { createBeginTransactionRecord } from '../../protocol/generated/metadata/begin-transaction-record.js';
import { createEndTransactionRecord } from '../../protocol/generated/metadata/end-transaction-record.js';
import { createFeatureLevelRecord } from '../../protocol/generated/metadata/feature-level-record.js';
import { createZkMigrationStateRecord } from '../../protocol/generated/metadata/zk-migration-state-record.js';
import { MetadataRecordType, type MetadataRecord } from '../../protocol/generated/records.js';
import { METADATA_VERSION_FEATURE, METADATA_VERSION_LEVEL } from './metadata-version.js';
import { metadataRecord } from './records.js';

/** ZkMigrationState.NONE: a cluster born in KRaft mode, never migrated from ZooKeeper. */
const ZK_MIGRATION_NONE = 0;

/**
 * The records the first active controller appends to an empty metadata log, as Kafka 3.9's
 * ActivationRecordsGenerator does for a cluster formatted at 3.9-IV0: the metadata.version in a
 * metadata transaction, with the ZooKeeper migration state NONE. No other feature has a level
 * above 0 at 3.9-IV0, so none gets a record.
 */
export function bootstrapRecords(): MetadataRecord[] {
  return [
    metadataRecord(MetadataRecordType.BeginTransactionRecord, createBeginTransactionRecord({ name: 'Bootstrap records' })),
    metadataRecord(
      MetadataRecordType.FeatureLevelRecord,
      createFeatureLevelRecord({ name: METADATA_VERSION_FEATURE, featureLevel: METADATA_VERSION_LEVEL }),
    ),
    metadataRecord(MetadataRecordType.ZkMigrationStateRecord, createZkMigrationStateRecord({ zkMigrationState: ZK_MIGRATION_NONE })),
    metadataRecord(MetadataRecordType.EndTransactionRecord, createEndTransactionRecord()),
  ];
}
