import { describe, expect, it } from 'vitest';
import { decodeCoordinatorRecord, encodeCoordinatorRecord } from '../../../src/coordinator/group/coordinator-record-serde.js';
import type { CoordinatorRecord } from '../../../src/coordinator/group/coordinator-records.js';
import { DecodeError } from '../../../src/protocol/decode-error.js';
import { ShareGroupMetadataKeyCodec, ShareGroupMemberMetadataKeyCodec, ShareGroupPartitionMetadataKeyCodec } from '../../../src/protocol/generated/records.js';
import { Writer } from '../../../src/protocol/writer.js';

const TOPIC_ID = Buffer.from('00112233445566778899aabbccddeeff', 'hex').toString('base64url');

/** One record of every type, with a value and as a tombstone. */
const RECORDS: CoordinatorRecord[] = [
  {
    type: 'OffsetCommit',
    key: { group: 'g', topic: 'orders', partition: 3 },
    value: { offset: 1234, leaderEpoch: 5, metadata: 'meta', commitTimestamp: 1_700_000_000_000, expireTimestamp: -1 },
  },
  // v1 value: carries the expire timestamp and no leader epoch.
  {
    type: 'OffsetCommit',
    key: { group: 'g', topic: 'orders', partition: 4 },
    value: { offset: 9, leaderEpoch: -1, metadata: '', commitTimestamp: 1_000, expireTimestamp: 61_000 },
  },
  {
    type: 'GroupMetadata',
    key: { group: 'g' },
    value: {
      protocolType: 'consumer',
      generation: 7,
      protocol: 'range',
      leader: 'm-1',
      currentStateTimestamp: 1_700_000_000_123,
      members: [
        {
          memberId: 'm-1',
          groupInstanceId: 'instance-1',
          clientId: 'client',
          clientHost: '/10.0.0.1',
          rebalanceTimeout: 30_000,
          sessionTimeout: 10_000,
          subscription: Buffer.from([0, 1, 2]),
          assignment: Buffer.from([3, 4]),
        },
        {
          memberId: 'm-2',
          groupInstanceId: null,
          clientId: 'client-2',
          clientHost: '/10.0.0.2',
          rebalanceTimeout: 45_000,
          sessionTimeout: 6_000,
          subscription: Buffer.alloc(0),
          assignment: Buffer.alloc(0),
        },
      ],
    },
  },
  {
    type: 'GroupMetadata',
    key: { group: 'empty' },
    value: { protocolType: '', generation: 0, protocol: null, leader: null, currentStateTimestamp: 5, members: [] },
  },
  { type: 'ConsumerGroupMetadata', key: { groupId: 'cg' }, value: { epoch: 12 } },
  {
    type: 'ConsumerGroupPartitionMetadata',
    key: { groupId: 'cg' },
    value: { topics: [{ topicId: TOPIC_ID, topicName: 'orders', numPartitions: 3, partitionMetadata: [{ partition: 0, racks: ['r1', 'r2'] }] }] },
  },
  {
    type: 'ConsumerGroupMemberMetadata',
    key: { groupId: 'cg', memberId: 'member' },
    value: {
      instanceId: null,
      rackId: 'r1',
      clientId: 'client',
      clientHost: '/10.0.0.3',
      subscribedTopicNames: ['orders', 'payments'],
      subscribedTopicRegex: null,
      rebalanceTimeoutMs: 300_000,
      serverAssignor: 'uniform',
      classicMemberMetadata: null,
    },
  },
  {
    type: 'ConsumerGroupMemberMetadata',
    key: { groupId: 'cg', memberId: 'classic-member' },
    value: {
      instanceId: 'i',
      rackId: null,
      clientId: 'client',
      clientHost: '/10.0.0.4',
      subscribedTopicNames: [],
      subscribedTopicRegex: 'ord.*',
      rebalanceTimeoutMs: 30_000,
      serverAssignor: null,
      classicMemberMetadata: { sessionTimeoutMs: 10_000, supportedProtocols: [{ name: 'range', metadata: Buffer.from([9, 9]) }] },
    },
  },
  { type: 'ConsumerGroupTargetAssignmentMetadata', key: { groupId: 'cg' }, value: { assignmentEpoch: 11 } },
  {
    type: 'ConsumerGroupTargetAssignmentMember',
    key: { groupId: 'cg', memberId: 'member' },
    value: { topicPartitions: [{ topicId: TOPIC_ID, partitions: [0, 2] }] },
  },
  {
    type: 'ConsumerGroupCurrentMemberAssignment',
    key: { groupId: 'cg', memberId: 'member' },
    value: {
      memberEpoch: 12,
      previousMemberEpoch: 11,
      state: 0,
      assignedPartitions: [{ topicId: TOPIC_ID, partitions: [0] }],
      partitionsPendingRevocation: [{ topicId: TOPIC_ID, partitions: [2] }],
    },
  },
];

const TOMBSTONES: CoordinatorRecord[] = RECORDS.map((r) => ({ ...r, value: null }) as CoordinatorRecord);

/** An int16 version and a Kafka STRING, as the non-flexible keys are laid out. */
function int16(v: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeInt16BE(v);
  return b;
}
function int32(v: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32BE(v);
  return b;
}
function int64(v: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigInt64BE(BigInt(v));
  return b;
}
function str(s: string): Buffer {
  return Buffer.concat([int16(Buffer.byteLength(s)), Buffer.from(s)]);
}

describe('coordinator record serde', () => {
  it.each(RECORDS.map((r, i) => [`${r.type} #${i}`, r] as const))('round-trips %s', (_name, record) => {
    const { key, value } = encodeCoordinatorRecord(record);
    expect(value).not.toBeNull();
    expect(decodeCoordinatorRecord(key, value)).toEqual(record);
  });

  it.each(TOMBSTONES.map((r) => [r.type, r] as const))('round-trips a %s tombstone', (_name, record) => {
    const { key, value } = encodeCoordinatorRecord(record);
    expect(value).toBeNull();
    expect(decodeCoordinatorRecord(key, null)).toEqual(record);
  });

  it('writes the key version Kafka gives each record type', () => {
    const versions = RECORDS.map((r) => [r.type, encodeCoordinatorRecord(r).key.readInt16BE(0)]);
    expect(Object.fromEntries(versions)).toEqual({
      OffsetCommit: 1,
      GroupMetadata: 2,
      ConsumerGroupMetadata: 3,
      ConsumerGroupPartitionMetadata: 4,
      ConsumerGroupMemberMetadata: 5,
      ConsumerGroupTargetAssignmentMetadata: 6,
      ConsumerGroupTargetAssignmentMember: 7,
      ConsumerGroupCurrentMemberAssignment: 8,
    });
    const valueVersions = RECORDS.map((r) => encodeCoordinatorRecord(r).value!.readInt16BE(0));
    expect(valueVersions).toEqual([3, 1, 3, 3, 0, 0, 0, 0, 0, 0, 0]);
  });

  it('lays out an OffsetCommit key and v3 value byte for byte', () => {
    const { key, value } = encodeCoordinatorRecord(RECORDS[0]);
    expect(key).toEqual(Buffer.concat([int16(1), str('g'), str('orders'), int32(3)]));
    expect(value).toEqual(Buffer.concat([int16(3), int64(1234), int32(5), str('meta'), int64(1_700_000_000_000)]));
  });

  it('lays out an OffsetCommit v1 value (with an expire timestamp) byte for byte', () => {
    const { value } = encodeCoordinatorRecord(RECORDS[1]);
    expect(value).toEqual(Buffer.concat([int16(1), int64(9), str(''), int64(1_000), int64(61_000)]));
  });

  it('lays out a GroupMetadata key byte for byte', () => {
    const { key } = encodeCoordinatorRecord(RECORDS[2]);
    expect(key).toEqual(Buffer.concat([int16(2), str('g')]));
    expect(key.toString('hex')).toBe('0002' + '0001' + '67');
  });

  it('reads an OffsetCommit key of version 0 (same layout as v1)', () => {
    const key = Buffer.concat([int16(0), str('old-group'), str('t'), int32(7)]);
    const value = Buffer.concat([int16(0), int64(42), str('m'), int64(100)]);
    expect(decodeCoordinatorRecord(key, value)).toEqual({
      type: 'OffsetCommit',
      key: { group: 'old-group', topic: 't', partition: 7 },
      value: { offset: 42, leaderEpoch: -1, metadata: 'm', commitTimestamp: 100, expireTimestamp: -1 },
    });
    expect(decodeCoordinatorRecord(key, null)).toEqual({ type: 'OffsetCommit', key: { group: 'old-group', topic: 't', partition: 7 }, value: null });
  });

  it('reads the older GroupMetadataValue versions Kafka wrote', () => {
    // v0: protocolType, generation, protocol, leader, members (memberId, clientId, clientHost, sessionTimeout, subscription, assignment)
    const value = Buffer.concat([
      int16(0),
      str('consumer'),
      int32(2),
      str('range'),
      str('m'),
      int32(1),
      str('m'),
      str('c'),
      str('/h'),
      int32(10_000),
      int32(1),
      Buffer.from([7]),
      int32(0),
    ]);
    const decoded = decodeCoordinatorRecord(Buffer.concat([int16(2), str('g')]), value);
    expect(decoded).toEqual({
      type: 'GroupMetadata',
      key: { group: 'g' },
      value: {
        protocolType: 'consumer',
        generation: 2,
        protocol: 'range',
        leader: 'm',
        currentStateTimestamp: -1,
        members: [
          {
            memberId: 'm',
            groupInstanceId: null,
            clientId: 'c',
            clientHost: '/h',
            rebalanceTimeout: -1,
            sessionTimeout: 10_000,
            subscription: Buffer.from([7]),
            assignment: Buffer.alloc(0),
          },
        ],
      },
    });
  });

  it.each([
    ['ShareGroupPartitionMetadata', ShareGroupPartitionMetadataKeyCodec, 9],
    ['ShareGroupMemberMetadata', ShareGroupMemberMetadataKeyCodec, 10],
    ['ShareGroupMetadata', ShareGroupMetadataKeyCodec, 11],
  ] as const)('skips %s records (key version %i) as a record type it does not keep', (_name, codec, version) => {
    const w = new Writer(64);
    w.writeInt16(version);
    (codec.encode as (w: Writer, v: number, m: unknown) => void)(w, version, codec.create({ groupId: 'share' } as never));
    const key = w.finishToBuffer();
    expect(decodeCoordinatorRecord(key, Buffer.from([0, 0, 0]))).toBeNull();
    expect(decodeCoordinatorRecord(key, null)).toBeNull();
  });

  it('skips key versions it has never heard of', () => {
    expect(decodeCoordinatorRecord(Buffer.concat([int16(99), str('x')]), null)).toBeNull();
    expect(decodeCoordinatorRecord(Buffer.concat([int16(-1), str('x')]), null)).toBeNull();
  });

  it.each([
    ['an empty key', Buffer.alloc(0), null],
    ['a key of one byte', Buffer.from([0]), null],
    ['a truncated OffsetCommit key', Buffer.concat([int16(1), str('g'), str('t'), Buffer.from([0, 0])]), null],
    ['a key string longer than the key', Buffer.concat([int16(2), int16(50), Buffer.from('g')]), null],
    ['a null group string', Buffer.concat([int16(2), int16(-1)]), null],
    ['an empty value', Buffer.concat([int16(2), str('g')]), Buffer.alloc(0)],
    ['a truncated OffsetCommit value', Buffer.concat([int16(1), str('g'), str('t'), int32(0)]), Buffer.concat([int16(3), int64(1), int32(0)])],
    ['a truncated GroupMetadata value', Buffer.concat([int16(2), str('g')]), Buffer.concat([int16(3), str('consumer'), int32(1)])],
    ['a member array longer than the value', Buffer.concat([int16(2), str('g')]), Buffer.concat([int16(3), str(''), int32(0), int16(-1), int16(-1), int64(0), int32(1000)])],
  ])('raises DecodeError for %s', (_name, key, value) => {
    expect(() => decodeCoordinatorRecord(key, value)).toThrow(DecodeError);
  });

  it.each([
    ['OffsetCommitValue v5', Buffer.concat([int16(1), str('g'), str('t'), int32(0)]), 5],
    ['OffsetCommitValue v-1', Buffer.concat([int16(1), str('g'), str('t'), int32(0)]), -1],
    ['GroupMetadataValue v5', Buffer.concat([int16(2), str('g')]), 5],
    ['ConsumerGroupMetadataValue v1', Buffer.concat([int16(3), str('cg')]), 1],
    ['ConsumerGroupCurrentMemberAssignmentValue v7', Buffer.concat([int16(8), str('cg'), str('m')]), 7],
  ])('raises DecodeError for an unsupported value version: %s', (_name, key, version) => {
    const value = Buffer.concat([int16(version), Buffer.alloc(64)]);
    expect(() => decodeCoordinatorRecord(key, value)).toThrow(DecodeError);
    expect(() => decodeCoordinatorRecord(key, value)).toThrow(/version/);
  });
});
