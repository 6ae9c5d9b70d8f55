import {
  ConsumerGroupCurrentMemberAssignmentKeyCodec,
  ConsumerGroupCurrentMemberAssignmentValueCodec,
  ConsumerGroupMemberMetadataKeyCodec,
  ConsumerGroupMemberMetadataValueCodec,
  ConsumerGroupMetadataKeyCodec,
  ConsumerGroupMetadataValueCodec,
  ConsumerGroupPartitionMetadataKeyCodec,
  ConsumerGroupPartitionMetadataValueCodec,
  ConsumerGroupTargetAssignmentMemberKeyCodec,
  ConsumerGroupTargetAssignmentMemberValueCodec,
  ConsumerGroupTargetAssignmentMetadataKeyCodec,
  ConsumerGroupTargetAssignmentMetadataValueCodec,
  GroupMetadataKeyCodec,
  GroupMetadataValueCodec,
  OffsetCommitKeyCodec,
  OffsetCommitValueCodec,
} from '../../protocol/generated/records.js';
import type { MessageCodec } from '../../protocol/message-codec.js';
import { Reader } from '../../protocol/reader.js';
import { Writer } from '../../protocol/writer.js';
import type { CoordinatorRecord, CoordinatorRecordType } from './coordinator-records.js';

interface RecordFormat {
  readonly type: CoordinatorRecordType;
  /** The version in front of the key: it names the record type (Kafka's CoordinatorRecordType). */
  readonly keyVersion: number;
  readonly key: MessageCodec<unknown>;
  readonly value: MessageCodec<unknown>;
  /** The value version Kafka 3.9 writes for a value. */
  readonly valueVersion: (value: never) => number;
}

/** OffsetCommitValue v1 is the only one with an expire timestamp; v3 has the leader epoch (Kafka's offsetCommitValueVersion). */
const offsetCommitValueVersion = (value: { expireTimestamp: number }): number => (value.expireTimestamp === -1 ? 3 : 1);

const FORMATS: readonly RecordFormat[] = [
  { type: 'OffsetCommit', keyVersion: 1, key: OffsetCommitKeyCodec, value: OffsetCommitValueCodec, valueVersion: offsetCommitValueVersion },
  { type: 'GroupMetadata', keyVersion: 2, key: GroupMetadataKeyCodec, value: GroupMetadataValueCodec, valueVersion: () => 3 },
  format('ConsumerGroupMetadata', 3, ConsumerGroupMetadataKeyCodec, ConsumerGroupMetadataValueCodec),
  format('ConsumerGroupPartitionMetadata', 4, ConsumerGroupPartitionMetadataKeyCodec, ConsumerGroupPartitionMetadataValueCodec),
  format('ConsumerGroupMemberMetadata', 5, ConsumerGroupMemberMetadataKeyCodec, ConsumerGroupMemberMetadataValueCodec),
  format('ConsumerGroupTargetAssignmentMetadata', 6, ConsumerGroupTargetAssignmentMetadataKeyCodec, ConsumerGroupTargetAssignmentMetadataValueCodec),
  format('ConsumerGroupTargetAssignmentMember', 7, ConsumerGroupTargetAssignmentMemberKeyCodec, ConsumerGroupTargetAssignmentMemberValueCodec),
  format('ConsumerGroupCurrentMemberAssignment', 8, ConsumerGroupCurrentMemberAssignmentKeyCodec, ConsumerGroupCurrentMemberAssignmentValueCodec),
];

function format(type: CoordinatorRecordType, keyVersion: number, key: MessageCodec<unknown>, value: MessageCodec<unknown>): RecordFormat {
  return { type, keyVersion, key, value, valueVersion: () => 0 };
}

const BY_TYPE = new Map(FORMATS.map((f) => [f.type, f]));
/** OffsetCommitKey v0 is the same layout as v1; Kafka reads both. */
const BY_KEY_VERSION = new Map<number, RecordFormat>([[0, FORMATS[0]], ...FORMATS.map((f) => [f.keyVersion, f] as const)]);

/** The key and value bytes of a `__consumer_offsets` record: each is an int16 version and the struct. */
export function encodeCoordinatorRecord(record: CoordinatorRecord): { key: Buffer; value: Buffer | null } {
  const f = BY_TYPE.get(record.type)!;
  const key = new Writer(64);
  key.writeInt16(f.keyVersion);
  f.key.encode(key, f.keyVersion, record.key);
  if (record.value === null) return { key: key.finishToBuffer(), value: null };
  const value = new Writer(256);
  const valueVersion = f.valueVersion(record.value as never);
  value.writeInt16(valueVersion);
  f.value.encode(value, valueVersion, record.value);
  return { key: key.finishToBuffer(), value: value.finishToBuffer() };
}

/**
 * Decodes a record read back from the partition. Records of types Gregor does not keep (Kafka's
 * share-group records, key versions 9 and up) come back as null and are skipped, as Kafka skips
 * unknown types when it loads; a malformed key or value raises DecodeError.
 */
export function decodeCoordinatorRecord(keyBytes: Buffer, valueBytes: Buffer | null): CoordinatorRecord | null {
  const keyReader = new Reader(keyBytes);
  const keyVersion = keyReader.readInt16();
  const f = BY_KEY_VERSION.get(keyVersion);
  if (f === undefined) return null;
  const key = f.key.decode(keyReader, keyVersion);
  if (valueBytes === null) return { type: f.type, key, value: null } as CoordinatorRecord;
  const valueReader = new Reader(valueBytes);
  const valueVersion = valueReader.readInt16();
  if (valueVersion < f.value.minVersion || valueVersion > f.value.maxVersion) {
    valueReader.fail(`${f.value.name} version ${valueVersion} outside ${f.value.minVersion}-${f.value.maxVersion}`);
  }
  return { type: f.type, key, value: f.value.decode(valueReader, valueVersion) } as CoordinatorRecord;
}
