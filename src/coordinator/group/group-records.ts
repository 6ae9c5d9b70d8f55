import type { GroupMetadataKey } from '../../protocol/generated/group-coordinator/group-metadata-key.js';
import type { GroupMetadataValue } from '../../protocol/generated/group-coordinator/group-metadata-value.js';

/** The key version Kafka 3.9 writes for a classic group's metadata record. */
export const GROUP_METADATA_KEY_VERSION = 2;
/** The value version Kafka 3.9 writes (metadata versions 2.3 and later). */
export const GROUP_METADATA_VALUE_VERSION = 3;

/**
 * One record for `__consumer_offsets`: a classic group's metadata, or its tombstone (`value`
 * null) when the group is deleted. The store encodes it; the group replays it.
 */
export interface GroupMetadataRecord {
  readonly key: GroupMetadataKey;
  readonly keyVersion: number;
  readonly value: GroupMetadataValue | null;
  readonly valueVersion: number;
}

export function groupMetadataRecord(groupId: string, value: GroupMetadataValue | null): GroupMetadataRecord {
  return {
    key: { group: groupId },
    keyVersion: GROUP_METADATA_KEY_VERSION,
    value,
    valueVersion: GROUP_METADATA_VALUE_VERSION,
  };
}
