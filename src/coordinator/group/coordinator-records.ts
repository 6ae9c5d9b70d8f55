import type { ConsumerGroupCurrentMemberAssignmentKey } from '../../protocol/generated/group-coordinator/consumer-group-current-member-assignment-key.js';
import type { ConsumerGroupCurrentMemberAssignmentValue } from '../../protocol/generated/group-coordinator/consumer-group-current-member-assignment-value.js';
import type { ConsumerGroupMemberMetadataKey } from '../../protocol/generated/group-coordinator/consumer-group-member-metadata-key.js';
import type { ConsumerGroupMemberMetadataValue } from '../../protocol/generated/group-coordinator/consumer-group-member-metadata-value.js';
import type { ConsumerGroupMetadataKey } from '../../protocol/generated/group-coordinator/consumer-group-metadata-key.js';
import type { ConsumerGroupMetadataValue } from '../../protocol/generated/group-coordinator/consumer-group-metadata-value.js';
import type { ConsumerGroupPartitionMetadataKey } from '../../protocol/generated/group-coordinator/consumer-group-partition-metadata-key.js';
import type { ConsumerGroupPartitionMetadataValue } from '../../protocol/generated/group-coordinator/consumer-group-partition-metadata-value.js';
import type { ConsumerGroupTargetAssignmentMemberKey } from '../../protocol/generated/group-coordinator/consumer-group-target-assignment-member-key.js';
import type { ConsumerGroupTargetAssignmentMemberValue } from '../../protocol/generated/group-coordinator/consumer-group-target-assignment-member-value.js';
import type { ConsumerGroupTargetAssignmentMetadataKey } from '../../protocol/generated/group-coordinator/consumer-group-target-assignment-metadata-key.js';
import type { ConsumerGroupTargetAssignmentMetadataValue } from '../../protocol/generated/group-coordinator/consumer-group-target-assignment-metadata-value.js';
import type { GroupMetadataKey } from '../../protocol/generated/group-coordinator/group-metadata-key.js';
import type { GroupMetadataValue } from '../../protocol/generated/group-coordinator/group-metadata-value.js';
import type { OffsetCommitKey } from '../../protocol/generated/group-coordinator/offset-commit-key.js';
import type { OffsetCommitValue } from '../../protocol/generated/group-coordinator/offset-commit-value.js';

/**
 * The records of `__consumer_offsets`, as the group coordinator writes and replays them. Each
 * kind is a key and a value; a null value is a tombstone. The kind decides the key version on
 * disk (coordinator-record-serde.ts); this type is what the state machines see.
 */
export type CoordinatorRecord =
  | OffsetCommitRecord
  | GroupMetadataRecord
  | { readonly type: 'ConsumerGroupMetadata'; readonly key: ConsumerGroupMetadataKey; readonly value: ConsumerGroupMetadataValue | null }
  | {
      readonly type: 'ConsumerGroupPartitionMetadata';
      readonly key: ConsumerGroupPartitionMetadataKey;
      readonly value: ConsumerGroupPartitionMetadataValue | null;
    }
  | {
      readonly type: 'ConsumerGroupMemberMetadata';
      readonly key: ConsumerGroupMemberMetadataKey;
      readonly value: ConsumerGroupMemberMetadataValue | null;
    }
  | {
      readonly type: 'ConsumerGroupTargetAssignmentMetadata';
      readonly key: ConsumerGroupTargetAssignmentMetadataKey;
      readonly value: ConsumerGroupTargetAssignmentMetadataValue | null;
    }
  | {
      readonly type: 'ConsumerGroupTargetAssignmentMember';
      readonly key: ConsumerGroupTargetAssignmentMemberKey;
      readonly value: ConsumerGroupTargetAssignmentMemberValue | null;
    }
  | {
      readonly type: 'ConsumerGroupCurrentMemberAssignment';
      readonly key: ConsumerGroupCurrentMemberAssignmentKey;
      readonly value: ConsumerGroupCurrentMemberAssignmentValue | null;
    };

export type CoordinatorRecordType = CoordinatorRecord['type'];

/** A committed offset of one group and partition, or its tombstone (deleted or expired). */
export interface OffsetCommitRecord {
  readonly type: 'OffsetCommit';
  readonly key: OffsetCommitKey;
  readonly value: OffsetCommitValue | null;
}

/** A classic group's metadata, or its tombstone when the group is deleted. */
export interface GroupMetadataRecord {
  readonly type: 'GroupMetadata';
  readonly key: GroupMetadataKey;
  readonly value: GroupMetadataValue | null;
}

export function groupMetadataRecord(groupId: string, value: GroupMetadataValue | null): GroupMetadataRecord {
  return { type: 'GroupMetadata', key: { group: groupId }, value };
}
