/**
 * Byte-for-byte agreement with kafkajs 2.2.4, an implementation we did not write.
 *
 * For every API and version kafkajs implements (node_modules/kafkajs/src/protocol/requests):
 *  - requests: kafkajs encodes and frames a request; our codec decodes the frame (header and body),
 *    must read the values kafkajs was given, and must re-encode the exact same bytes;
 *  - responses: our codec encodes a response; kafkajs's decoder must read our values from it.
 *
 * Where kafkajs departs from Kafka, the case says so in a `// kafkajs:` comment and expects what
 * kafkajs really does; our codec follows Kafka's definitions, never kafkajs.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeRequestFrame, encodeRequestFrame, encodeResponseFrame } from '../../src/protocol/frames.js';
import {
  AddOffsetsToTxnApi,
  AddPartitionsToTxnApi,
  AlterConfigsApi,
  AlterPartitionReassignmentsApi,
  ApiVersionsApi,
  CreateAclsApi,
  CreatePartitionsApi,
  CreateTopicsApi,
  DeleteAclsApi,
  DeleteGroupsApi,
  DeleteRecordsApi,
  DeleteTopicsApi,
  DescribeAclsApi,
  DescribeConfigsApi,
  DescribeGroupsApi,
  EndTxnApi,
  FetchApi,
  FindCoordinatorApi,
  HeartbeatApi,
  InitProducerIdApi,
  JoinGroupApi,
  LeaveGroupApi,
  ListGroupsApi,
  ListOffsetsApi,
  ListPartitionReassignmentsApi,
  MetadataApi,
  OffsetCommitApi,
  OffsetFetchApi,
  ProduceApi,
  SaslAuthenticateApi,
  SaslHandshakeApi,
  SyncGroupApi,
  TxnOffsetCommitApi,
} from '../../src/protocol/generated/apis.js';
import type { ApiDefinition, MessageCodec } from '../../src/protocol/message-codec.js';
import { Writer } from '../../src/protocol/writer.js';
import {
  type KafkajsRecord,
  kafkajsApiVersions,
  kafkajsMessageSet,
  kafkajsRecordBatch,
  kafkajsRequest,
  kafkajsRequestFrame,
  kafkajsResponse,
} from './support/kafkajs.js';
import { type DeepPartial, type SpecMessage, complete, loadSpecMessages } from './support/spec-values.js';

// ---- values ------------------------------------------------------------------------------------

const TOPIC = 'topic-ä';
const GROUP = 'group-é';
const TXN = 'txn-ü';
/** Needs both halves of an int64. */
const PRODUCER_ID = 2 ** 40 + 7;
const BIG_OFFSET = Number.MAX_SAFE_INTEGER;
const TIMESTAMP = 1_700_000_000_123;
const THROTTLE = 25;
const CORRELATION_ID = 0x01020304;
const CLIENT_ID = 'gregor-compat';
const RECORDS: KafkajsRecord[] = [
  { key: 'key-1', value: 'value-1', timestamp: TIMESTAMP },
  { key: null, value: 'value-2 🦄', timestamp: TIMESTAMP },
];

/** `fields` from version `min` on, nothing before. */
function since<T extends object>(v: number, min: number, fields: T): T | Record<string, never> {
  return v >= min ? fields : {};
}

/** `fields` up to version `max`, nothing after. */
function until<T extends object>(v: number, max: number, fields: T): T | Record<string, never> {
  return v <= max ? fields : {};
}

/**
 * How kafkajs reports a throttle time: nothing before version `first`; `throttleTime` until the
 * broker throttles after answering (KIP-219, version `kip219`); from then on kafkajs reports it as
 * `clientSideThrottleTime` and sets `throttleTime` to 0.
 */
function kafkajsThrottle(v: number, first: number, kip219: number): object {
  if (v < first) return {};
  return v < kip219 ? { throttleTime: THROTTLE } : { throttleTime: 0, clientSideThrottleTime: THROTTLE };
}

/** Record bytes built by kafkajs's own producer code, filled in before the tests run. */
const records: Record<'messageSetV0' | 'messageSetV1' | 'recordBatch', Buffer> = { messageSetV0: Buffer.alloc(0), messageSetV1: Buffer.alloc(0), recordBatch: Buffer.alloc(0) };

/** What kafkajs's fetch decoders report for RECORDS, reduced to the fields we compare. */
const FETCHED = RECORDS.map((r) => ({ key: r.key, value: r.value }));

interface Message {
  key: Buffer | null;
  value: Buffer | null;
}

function reduceMessages(decoded: unknown): unknown {
  const fetch = decoded as { responses: Array<{ partitions: Array<{ messages: Message[] }> }> };
  for (const topic of fetch.responses) {
    for (const p of topic.partitions) {
      (p as { messages: unknown }).messages = p.messages.map((m) => ({ key: m.key?.toString() ?? null, value: m.value?.toString() ?? null }));
    }
  }
  return decoded;
}

// ---- cases -------------------------------------------------------------------------------------

interface RequestCase<Req> {
  /** Arguments of kafkajs's request builder for this version. */
  args: object;
  /** What our decoder must read (a subset; the byte-exact re-encoding covers the rest). */
  expect: DeepPartial<Req>;
  /** Checks of what kafkajs put into opaque bytes (records). */
  check?: (body: Req) => void;
}

interface ResponseCase<Res> {
  /** A response we encode (fields left out keep their defaults). */
  ours: DeepPartial<Res>;
  /** What kafkajs's decoder must make of our bytes. */
  kafkajs: unknown;
  /** Reduces kafkajs's output before comparing (its record decoders add many fields). */
  reduce?: (decoded: unknown) => unknown;
}

interface KafkajsCase<Req, Res> {
  api: ApiDefinition<Req, Res>;
  request(v: number): RequestCase<Req>;
  response(v: number): ResponseCase<Res>;
}

function defineCase<Req, Res>(c: KafkajsCase<Req, Res>): KafkajsCase<unknown, unknown> {
  return c as unknown as KafkajsCase<unknown, unknown>;
}

const ACL = { resourceType: 2, resourceName: TOPIC, resourcePatternType: 3, principal: 'User:alice', host: '*', operation: 3, permissionType: 3 };

/** Keyed by kafkajs's folder name under src/protocol/requests. */
const CASES: Record<string, KafkajsCase<unknown, unknown>> = {
  produce: defineCase({
    api: ProduceApi,
    request: (v) => ({
      args: {
        acks: -1,
        timeout: 30000,
        transactionalId: TXN,
        producerId: PRODUCER_ID,
        producerEpoch: 3,
        topicData: [{ topic: TOPIC, partitions: [{ partition: 2, firstSequence: 5, messages: RECORDS }] }],
      },
      expect: { ...since(v, 3, { transactionalId: TXN }), acks: -1, timeoutMs: 30000, topicData: [{ name: TOPIC, partitionData: [{ index: 2 }] }] },
      check: (body) => {
        const batch = body.topicData[0].partitionData[0].records!;
        // The magic byte sits at offset 16 in every message format: 0 and 1 are message sets, 2 a record batch.
        expect(batch.readInt8(16)).toBe(v < 2 ? 0 : v === 2 ? 1 : 2);
        if (v >= 3) {
          expect(batch.readInt16BE(21) & 0x10, 'transactional attribute').toBe(0x10);
          expect(batch.readUInt32BE(43) * 2 ** 32 + batch.readUInt32BE(47), 'producer id').toBe(PRODUCER_ID);
          expect(batch.readInt32BE(53), 'base sequence').toBe(5);
          expect(batch.readInt32BE(57), 'record count').toBe(RECORDS.length);
        }
      },
    }),
    response: (v) => ({
      ours: {
        responses: [
          {
            name: TOPIC,
            partitionResponses: [{ index: 2, errorCode: 0, baseOffset: BIG_OFFSET, ...since(v, 2, { logAppendTimeMs: TIMESTAMP }), ...since(v, 5, { logStartOffset: 17 }) }],
          },
        ],
        ...since(v, 1, { throttleTimeMs: THROTTLE }),
      },
      kafkajs: {
        topics: [
          {
            topicName: TOPIC,
            partitions: [
              v < 3
                ? { partition: 2, errorCode: 0, offset: String(BIG_OFFSET), ...since(v, 2, { timestamp: String(TIMESTAMP) }) }
                : { partition: 2, errorCode: 0, baseOffset: String(BIG_OFFSET), logAppendTime: String(TIMESTAMP), ...since(v, 5, { logStartOffset: '17' }) },
            ],
          },
        ],
        ...kafkajsThrottle(v, 1, 6),
      },
    }),
  }),

  fetch: defineCase({
    api: FetchApi,
    request: (v) => ({
      args: {
        replicaId: -1,
        maxWaitTime: 500,
        minBytes: 1,
        maxBytes: 10485760,
        isolationLevel: 1,
        sessionId: 77,
        sessionEpoch: 3,
        forgottenTopics: [{ topic: 'gone', partitions: [4, 5] }],
        rackId: 'rack-1',
        topics: [{ topic: TOPIC, partitions: [{ partition: 2, currentLeaderEpoch: 9, fetchOffset: BIG_OFFSET, logStartOffset: 12, maxBytes: 1048576 }] }],
      },
      expect: {
        replicaId: -1,
        maxWaitMs: 500,
        minBytes: 1,
        ...since(v, 3, { maxBytes: 10485760 }),
        ...since(v, 4, { isolationLevel: 1 }),
        ...since(v, 7, { sessionId: 77, sessionEpoch: 3, forgottenTopicsData: [{ topic: 'gone', partitions: [4, 5] }] }),
        ...since(v, 11, { rackId: 'rack-1' }),
        topics: [
          {
            topic: TOPIC,
            partitions: [
              { partition: 2, fetchOffset: BIG_OFFSET, partitionMaxBytes: 1048576, ...since(v, 5, { logStartOffset: 12 }), ...since(v, 9, { currentLeaderEpoch: 9 }) },
            ],
          },
        ],
      },
    }),
    response: (v) => ({
      ours: {
        ...since(v, 1, { throttleTimeMs: THROTTLE }),
        ...since(v, 7, { errorCode: 0, sessionId: 77 }),
        responses: [
          {
            topic: TOPIC,
            partitions: [
              {
                partitionIndex: 2,
                errorCode: 0,
                highWatermark: BIG_OFFSET,
                ...since(v, 4, { lastStableOffset: 40, abortedTransactions: [{ producerId: PRODUCER_ID, firstOffset: 30 }] }),
                ...since(v, 5, { logStartOffset: 12 }),
                ...since(v, 11, { preferredReadReplica: 3 }),
                records: v < 2 ? records.messageSetV0 : v < 4 ? records.messageSetV1 : records.recordBatch,
              },
            ],
          },
        ],
      },
      kafkajs: {
        ...kafkajsThrottle(v, 1, 8),
        ...since(v, 7, { errorCode: 0, sessionId: 77 }),
        responses: [
          {
            topicName: TOPIC,
            partitions: [
              {
                partition: 2,
                errorCode: 0,
                highWatermark: String(BIG_OFFSET),
                ...since(v, 4, { lastStableOffset: '40', abortedTransactions: [{ producerId: String(PRODUCER_ID), firstOffset: '30' }] }),
                // kafkajs: names the log start offset "lastStartOffset".
                ...since(v, 5, { lastStartOffset: '12' }),
                ...since(v, 11, { preferredReadReplica: 3 }),
                messages: FETCHED,
              },
            ],
          },
        ],
      },
      reduce: reduceMessages,
    }),
  }),

  listOffsets: defineCase({
    api: ListOffsetsApi,
    request: (v) => ({
      args: { replicaId: -1, isolationLevel: 1, topics: [{ topic: TOPIC, partitions: [{ partition: 2, timestamp: -2, maxNumOffsets: 5 }] }] },
      expect: {
        replicaId: -1,
        ...since(v, 2, { isolationLevel: 1 }),
        topics: [{ name: TOPIC, partitions: [{ partitionIndex: 2, timestamp: -2, ...until(v, 0, { maxNumOffsets: 5 }) }] }],
      },
    }),
    response: (v) => ({
      ours: {
        ...since(v, 2, { throttleTimeMs: THROTTLE }),
        topics: [
          {
            name: TOPIC,
            partitions: [{ partitionIndex: 2, errorCode: 0, ...until(v, 0, { oldStyleOffsets: [BIG_OFFSET, 3] }), ...since(v, 1, { timestamp: TIMESTAMP, offset: BIG_OFFSET }) }],
          },
        ],
      },
      kafkajs: {
        ...kafkajsThrottle(v, 2, 3),
        responses: [
          {
            topic: TOPIC,
            partitions: [
              v === 0
                ? { partition: 2, errorCode: 0, offsets: [String(BIG_OFFSET), '3'] }
                : { partition: 2, errorCode: 0, timestamp: String(TIMESTAMP), offset: String(BIG_OFFSET) },
            ],
          },
        ],
      },
    }),
  }),

  metadata: defineCase({
    api: MetadataApi,
    request: (v) => ({
      args: { topics: [TOPIC, 'other'], allowAutoTopicCreation: false },
      expect: { topics: [{ name: TOPIC }, { name: 'other' }], ...since(v, 4, { allowAutoTopicCreation: false }) },
    }),
    response: (v) => ({
      ours: {
        ...since(v, 3, { throttleTimeMs: THROTTLE }),
        brokers: [{ nodeId: 1, host: 'broker-1.example', port: 9092, ...since(v, 1, { rack: 'rack-1' }) }],
        ...since(v, 2, { clusterId: 'cluster-Ω' }),
        ...since(v, 1, { controllerId: 1 }),
        topics: [
          {
            errorCode: 0,
            name: TOPIC,
            ...since(v, 1, { isInternal: true }),
            partitions: [{ errorCode: 0, partitionIndex: 2, leaderId: 1, replicaNodes: [1, 2], isrNodes: [1], ...since(v, 5, { offlineReplicas: [2] }) }],
          },
        ],
      },
      kafkajs: {
        ...kafkajsThrottle(v, 3, 6),
        brokers: [{ nodeId: 1, host: 'broker-1.example', port: 9092, ...since(v, 1, { rack: 'rack-1' }) }],
        ...since(v, 2, { clusterId: 'cluster-Ω' }),
        ...since(v, 1, { controllerId: 1 }),
        topicMetadata: [
          {
            topicErrorCode: 0,
            topic: TOPIC,
            ...since(v, 1, { isInternal: true }),
            partitionMetadata: [{ partitionErrorCode: 0, partitionId: 2, leader: 1, replicas: [1, 2], isr: [1], ...since(v, 5, { offlineReplicas: [2] }) }],
          },
        ],
      },
    }),
  }),

  offsetCommit: defineCase({
    api: OffsetCommitApi,
    request: (v) => ({
      args: {
        groupId: GROUP,
        groupGenerationId: 5,
        memberId: 'member-1',
        retentionTime: 86400000,
        topics: [
          {
            topic: TOPIC,
            partitions: [
              { partition: 2, offset: BIG_OFFSET, timestamp: TIMESTAMP, metadata: 'meta-🦄' },
              { partition: 3, offset: 0, timestamp: TIMESTAMP, metadata: null },
            ],
          },
        ],
      },
      expect: {
        groupId: GROUP,
        ...since(v, 1, { generationIdOrMemberEpoch: 5, memberId: 'member-1' }),
        ...(v >= 2 && v <= 4 ? { retentionTimeMs: 86400000 } : {}),
        topics: [
          {
            name: TOPIC,
            partitions: [
              { partitionIndex: 2, committedOffset: BIG_OFFSET, committedMetadata: 'meta-🦄', ...(v === 1 ? { commitTimestamp: TIMESTAMP } : {}) },
              { partitionIndex: 3, committedOffset: 0, committedMetadata: null },
            ],
          },
        ],
      },
    }),
    response: (v) => ({
      ours: { ...since(v, 3, { throttleTimeMs: THROTTLE }), topics: [{ name: TOPIC, partitions: [{ partitionIndex: 2, errorCode: 0 }] }] },
      kafkajs: { ...kafkajsThrottle(v, 3, 4), responses: [{ topic: TOPIC, partitions: [{ partition: 2, errorCode: 0 }] }] },
    }),
  }),

  offsetFetch: defineCase({
    api: OffsetFetchApi,
    request: () => ({
      args: { groupId: GROUP, topics: [{ topic: TOPIC, partitions: [{ partition: 2 }, { partition: 3 }] }] },
      expect: { groupId: GROUP, topics: [{ name: TOPIC, partitionIndexes: [2, 3] }] },
    }),
    response: (v) => ({
      ours: {
        ...since(v, 3, { throttleTimeMs: THROTTLE }),
        topics: [
          {
            name: TOPIC,
            partitions: [
              { partitionIndex: 2, committedOffset: BIG_OFFSET, metadata: 'meta', errorCode: 0 },
              { partitionIndex: 3, committedOffset: -1, metadata: null, errorCode: 0 },
            ],
          },
        ],
        ...since(v, 2, { errorCode: 0 }),
      },
      kafkajs: {
        ...kafkajsThrottle(v, 3, 4),
        responses: [
          {
            topic: TOPIC,
            partitions: [
              { partition: 2, offset: String(BIG_OFFSET), metadata: 'meta', errorCode: 0 },
              { partition: 3, offset: '-1', metadata: null, errorCode: 0 },
            ],
          },
        ],
        ...since(v, 2, { errorCode: 0 }),
      },
    }),
  }),

  findCoordinator: defineCase({
    api: FindCoordinatorApi,
    request: (v) => ({
      // kafkajs: v0 takes `groupId`, v1+ take `coordinatorKey` and `coordinatorType` (1: transaction).
      args: v === 0 ? { groupId: GROUP } : { coordinatorKey: TXN, coordinatorType: 1 },
      expect: v === 0 ? { key: GROUP } : { key: TXN, keyType: 1 },
    }),
    response: (v) => ({
      ours: { ...since(v, 1, { throttleTimeMs: THROTTLE, errorMessage: 'fine' }), errorCode: 0, nodeId: 3, host: 'broker-3.example', port: 9094 },
      kafkajs: {
        ...kafkajsThrottle(v, 1, 2),
        errorCode: 0,
        ...since(v, 1, { errorMessage: 'fine' }),
        coordinator: { nodeId: 3, host: 'broker-3.example', port: 9094 },
      },
    }),
  }),

  joinGroup: defineCase({
    api: JoinGroupApi,
    request: (v) => ({
      args: {
        groupId: GROUP,
        sessionTimeout: 30000,
        rebalanceTimeout: 60000,
        memberId: '',
        groupInstanceId: 'instance-1',
        protocolType: 'consumer',
        groupProtocols: [{ name: 'RoundRobinAssigner', metadata: Buffer.from([0, 1, 2, 3]) }],
      },
      expect: {
        groupId: GROUP,
        sessionTimeoutMs: 30000,
        ...since(v, 1, { rebalanceTimeoutMs: 60000 }),
        memberId: '',
        ...since(v, 5, { groupInstanceId: 'instance-1' }),
        protocolType: 'consumer',
        protocols: [{ name: 'RoundRobinAssigner', metadata: Buffer.from([0, 1, 2, 3]) }],
      },
    }),
    response: (v) => ({
      ours: {
        ...since(v, 2, { throttleTimeMs: THROTTLE }),
        errorCode: 0,
        generationId: 7,
        protocolName: 'RoundRobinAssigner',
        leader: 'member-1',
        memberId: 'member-2',
        members: [{ memberId: 'member-1', ...since(v, 5, { groupInstanceId: 'instance-1' }), metadata: Buffer.from([9, 8]) }],
      },
      kafkajs: {
        ...kafkajsThrottle(v, 2, 3),
        errorCode: 0,
        generationId: 7,
        groupProtocol: 'RoundRobinAssigner',
        leaderId: 'member-1',
        memberId: 'member-2',
        members: [{ memberId: 'member-1', ...since(v, 5, { groupInstanceId: 'instance-1' }), memberMetadata: Buffer.from([9, 8]) }],
      },
    }),
  }),

  heartbeat: defineCase({
    api: HeartbeatApi,
    request: (v) => ({
      args: { groupId: GROUP, groupGenerationId: 7, memberId: 'member-1', groupInstanceId: 'instance-1' },
      expect: { groupId: GROUP, generationId: 7, memberId: 'member-1', ...since(v, 3, { groupInstanceId: 'instance-1' }) },
    }),
    response: (v) => ({
      ours: { ...since(v, 1, { throttleTimeMs: THROTTLE }), errorCode: 0 },
      kafkajs: { ...kafkajsThrottle(v, 1, 2), errorCode: 0 },
    }),
  }),

  leaveGroup: defineCase({
    api: LeaveGroupApi,
    request: (v) => ({
      // kafkajs: v3 takes a `members` list, as the protocol does from v3.
      args: v < 3 ? { groupId: GROUP, memberId: 'member-1' } : { groupId: GROUP, members: [{ memberId: 'member-1', groupInstanceId: 'instance-1' }, { memberId: 'member-2' }] },
      expect:
        v < 3
          ? { groupId: GROUP, memberId: 'member-1' }
          : { groupId: GROUP, members: [{ memberId: 'member-1', groupInstanceId: 'instance-1' }, { memberId: 'member-2', groupInstanceId: null }] },
    }),
    response: (v) => ({
      ours: { ...since(v, 1, { throttleTimeMs: THROTTLE }), errorCode: 0, ...since(v, 3, { members: [{ memberId: 'member-1', groupInstanceId: 'instance-1', errorCode: 0 }] }) },
      kafkajs: { ...kafkajsThrottle(v, 1, 2), errorCode: 0, ...since(v, 3, { members: [{ memberId: 'member-1', groupInstanceId: 'instance-1', errorCode: 0 }] }) },
    }),
  }),

  syncGroup: defineCase({
    api: SyncGroupApi,
    request: (v) => ({
      args: { groupId: GROUP, generationId: 7, memberId: 'member-1', groupInstanceId: 'instance-1', groupAssignment: [{ memberId: 'member-1', memberAssignment: Buffer.from([1, 2, 3]) }] },
      expect: {
        groupId: GROUP,
        generationId: 7,
        memberId: 'member-1',
        ...since(v, 3, { groupInstanceId: 'instance-1' }),
        assignments: [{ memberId: 'member-1', assignment: Buffer.from([1, 2, 3]) }],
      },
    }),
    response: (v) => ({
      ours: { ...since(v, 1, { throttleTimeMs: THROTTLE }), errorCode: 0, assignment: Buffer.from([4, 5]) },
      kafkajs: { ...kafkajsThrottle(v, 1, 2), errorCode: 0, memberAssignment: Buffer.from([4, 5]) },
    }),
  }),

  describeGroups: defineCase({
    api: DescribeGroupsApi,
    request: () => ({ args: { groupIds: [GROUP, 'other'] }, expect: { groups: [GROUP, 'other'] } }),
    response: (v) => ({
      ours: {
        ...since(v, 1, { throttleTimeMs: THROTTLE }),
        groups: [
          {
            errorCode: 0,
            groupId: GROUP,
            groupState: 'Stable',
            protocolType: 'consumer',
            protocolData: 'RoundRobinAssigner',
            members: [{ memberId: 'member-1', clientId: 'client', clientHost: '/10.0.0.1', memberMetadata: Buffer.from([1]), memberAssignment: Buffer.from([2]) }],
          },
        ],
      },
      kafkajs: {
        ...kafkajsThrottle(v, 1, 2),
        groups: [
          {
            errorCode: 0,
            groupId: GROUP,
            state: 'Stable',
            protocolType: 'consumer',
            protocol: 'RoundRobinAssigner',
            members: [{ memberId: 'member-1', clientId: 'client', clientHost: '/10.0.0.1', memberMetadata: Buffer.from([1]), memberAssignment: Buffer.from([2]) }],
          },
        ],
      },
    }),
  }),

  listGroups: defineCase({
    api: ListGroupsApi,
    request: () => ({ args: {}, expect: {} }),
    response: (v) => ({
      ours: { ...since(v, 1, { throttleTimeMs: THROTTLE }), errorCode: 0, groups: [{ groupId: GROUP, protocolType: 'consumer' }] },
      kafkajs: { ...kafkajsThrottle(v, 1, 2), errorCode: 0, groups: [{ groupId: GROUP, protocolType: 'consumer' }] },
    }),
  }),

  saslHandshake: defineCase({
    api: SaslHandshakeApi,
    request: () => ({ args: { mechanism: 'SCRAM-SHA-256' }, expect: { mechanism: 'SCRAM-SHA-256' } }),
    response: () => ({
      ours: { errorCode: 0, mechanisms: ['PLAIN', 'SCRAM-SHA-256'] },
      kafkajs: { errorCode: 0, enabledMechanisms: ['PLAIN', 'SCRAM-SHA-256'] },
    }),
  }),

  apiVersions: defineCase({
    api: ApiVersionsApi,
    request: () => ({ args: {}, expect: {} }),
    response: (v) => ({
      ours: {
        errorCode: 0,
        apiKeys: [
          { apiKey: 0, minVersion: 0, maxVersion: 11 },
          { apiKey: 18, minVersion: 0, maxVersion: 4 },
        ],
        ...since(v, 1, { throttleTimeMs: THROTTLE }),
      },
      kafkajs: {
        errorCode: 0,
        apiVersions: [
          { apiKey: 0, minVersion: 0, maxVersion: 11 },
          { apiKey: 18, minVersion: 0, maxVersion: 4 },
        ],
        ...kafkajsThrottle(v, 1, 2),
      },
    }),
  }),

  createTopics: defineCase({
    api: CreateTopicsApi,
    request: (v) => ({
      args: {
        topics: [
          { topic: TOPIC, numPartitions: 3, replicationFactor: 2, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] },
          { topic: 'manual', replicaAssignment: [{ partition: 0, replicas: [1, 2] }] },
        ],
        timeout: 5000,
        validateOnly: true,
      },
      expect: {
        topics: [
          { name: TOPIC, numPartitions: 3, replicationFactor: 2, assignments: [], configs: [{ name: 'cleanup.policy', value: 'compact' }] },
          { name: 'manual', numPartitions: -1, replicationFactor: -1, assignments: [{ partitionIndex: 0, brokerIds: [1, 2] }], configs: [] },
        ],
        timeoutMs: 5000,
        ...since(v, 1, { validateOnly: true }),
      },
    }),
    response: (v) => ({
      ours: {
        ...since(v, 2, { throttleTimeMs: THROTTLE }),
        topics: [
          { name: 'zeta', errorCode: 0, ...since(v, 1, { errorMessage: null }) },
          { name: 'alpha', errorCode: 36, ...since(v, 1, { errorMessage: 'Topic already exists' }) },
        ],
      },
      kafkajs: {
        ...kafkajsThrottle(v, 2, 3),
        // kafkajs: sorts the results by topic name.
        topicErrors: [
          { topic: 'alpha', errorCode: 36, ...since(v, 1, { errorMessage: 'Topic already exists' }) },
          { topic: 'zeta', errorCode: 0, ...since(v, 1, { errorMessage: null }) },
        ],
      },
    }),
  }),

  deleteTopics: defineCase({
    api: DeleteTopicsApi,
    request: () => ({ args: { topics: [TOPIC, 'other'], timeout: 5000 }, expect: { topicNames: [TOPIC, 'other'], timeoutMs: 5000 } }),
    response: (v) => ({
      ours: {
        ...since(v, 1, { throttleTimeMs: THROTTLE }),
        responses: [
          { name: 'zeta', errorCode: 0 },
          { name: 'alpha', errorCode: 3 },
        ],
      },
      kafkajs: {
        ...kafkajsThrottle(v, 1, 1),
        // kafkajs: sorts the results by topic name.
        topicErrors: [
          { topic: 'alpha', errorCode: 3 },
          { topic: 'zeta', errorCode: 0 },
        ],
      },
    }),
  }),

  deleteRecords: defineCase({
    api: DeleteRecordsApi,
    request: () => ({
      args: { topics: [{ topic: TOPIC, partitions: [{ partition: 2, offset: BIG_OFFSET }] }], timeout: 5000 },
      expect: { topics: [{ name: TOPIC, partitions: [{ partitionIndex: 2, offset: BIG_OFFSET }] }], timeoutMs: 5000 },
    }),
    response: (v) => ({
      ours: { throttleTimeMs: THROTTLE, topics: [{ name: TOPIC, partitions: [{ partitionIndex: 2, lowWatermark: BIG_OFFSET, errorCode: 0 }] }] },
      // kafkajs: returns this int64 as a BigInt, where its other decoders return strings.
      kafkajs: { ...kafkajsThrottle(v, 0, 1), topics: [{ topic: TOPIC, partitions: [{ partition: 2, lowWatermark: BigInt(BIG_OFFSET), errorCode: 0 }] }] },
    }),
  }),

  initProducerId: defineCase({
    api: InitProducerIdApi,
    request: () => ({ args: { transactionalId: TXN, transactionTimeout: 60000 }, expect: { transactionalId: TXN, transactionTimeoutMs: 60000 } }),
    response: (v) => ({
      ours: { throttleTimeMs: THROTTLE, errorCode: 0, producerId: PRODUCER_ID, producerEpoch: 3 },
      kafkajs: { ...kafkajsThrottle(v, 0, 1), errorCode: 0, producerId: String(PRODUCER_ID), producerEpoch: 3 },
    }),
  }),

  addPartitionsToTxn: defineCase({
    api: AddPartitionsToTxnApi,
    request: () => ({
      args: { transactionalId: TXN, producerId: PRODUCER_ID, producerEpoch: 3, topics: [{ topic: TOPIC, partitions: [1, 2] }] },
      expect: { v3AndBelowTransactionalId: TXN, v3AndBelowProducerId: PRODUCER_ID, v3AndBelowProducerEpoch: 3, v3AndBelowTopics: [{ name: TOPIC, partitions: [1, 2] }] },
    }),
    response: (v) => ({
      ours: { throttleTimeMs: THROTTLE, resultsByTopicV3AndBelow: [{ name: TOPIC, resultsByPartition: [{ partitionIndex: 1, partitionErrorCode: 0 }] }] },
      kafkajs: { ...kafkajsThrottle(v, 0, 1), errors: [{ topic: TOPIC, partitionErrors: [{ partition: 1, errorCode: 0 }] }] },
    }),
  }),

  addOffsetsToTxn: defineCase({
    api: AddOffsetsToTxnApi,
    request: () => ({
      args: { transactionalId: TXN, producerId: PRODUCER_ID, producerEpoch: 3, groupId: GROUP },
      expect: { transactionalId: TXN, producerId: PRODUCER_ID, producerEpoch: 3, groupId: GROUP },
    }),
    response: (v) => ({ ours: { throttleTimeMs: THROTTLE, errorCode: 0 }, kafkajs: { ...kafkajsThrottle(v, 0, 1), errorCode: 0 } }),
  }),

  endTxn: defineCase({
    api: EndTxnApi,
    request: () => ({
      args: { transactionalId: TXN, producerId: PRODUCER_ID, producerEpoch: 3, transactionResult: true },
      expect: { transactionalId: TXN, producerId: PRODUCER_ID, producerEpoch: 3, committed: true },
    }),
    response: (v) => ({ ours: { throttleTimeMs: THROTTLE, errorCode: 0 }, kafkajs: { ...kafkajsThrottle(v, 0, 1), errorCode: 0 } }),
  }),

  txnOffsetCommit: defineCase({
    api: TxnOffsetCommitApi,
    request: () => ({
      args: {
        transactionalId: TXN,
        groupId: GROUP,
        producerId: PRODUCER_ID,
        producerEpoch: 3,
        topics: [{ topic: TOPIC, partitions: [{ partition: 2, offset: BIG_OFFSET, metadata: 'meta' }, { partition: 3, offset: 0, metadata: null }] }],
      },
      expect: {
        transactionalId: TXN,
        groupId: GROUP,
        producerId: PRODUCER_ID,
        producerEpoch: 3,
        topics: [
          {
            name: TOPIC,
            partitions: [
              { partitionIndex: 2, committedOffset: BIG_OFFSET, committedMetadata: 'meta' },
              { partitionIndex: 3, committedOffset: 0, committedMetadata: null },
            ],
          },
        ],
      },
    }),
    response: (v) => ({
      ours: { throttleTimeMs: THROTTLE, topics: [{ name: TOPIC, partitions: [{ partitionIndex: 2, errorCode: 0 }] }] },
      kafkajs: { ...kafkajsThrottle(v, 0, 1), topics: [{ topic: TOPIC, partitions: [{ partition: 2, errorCode: 0 }] }] },
    }),
  }),

  describeAcls: defineCase({
    api: DescribeAclsApi,
    request: (v) => ({
      args: ACL,
      expect: {
        resourceTypeFilter: 2,
        resourceNameFilter: TOPIC,
        ...since(v, 1, { patternTypeFilter: 3 }),
        principalFilter: 'User:alice',
        hostFilter: '*',
        operation: 3,
        permissionType: 3,
      },
    }),
    response: (v) => ({
      ours: {
        throttleTimeMs: THROTTLE,
        errorCode: 0,
        errorMessage: null,
        resources: [{ resourceType: 2, resourceName: TOPIC, ...since(v, 1, { patternType: 3 }), acls: [{ principal: 'User:alice', host: '*', operation: 3, permissionType: 3 }] }],
      },
      kafkajs: {
        ...kafkajsThrottle(v, 0, 1),
        errorCode: 0,
        errorMessage: null,
        resources: [{ resourceType: 2, resourceName: TOPIC, ...since(v, 1, { resourcePatternType: 3 }), acls: [{ principal: 'User:alice', host: '*', operation: 3, permissionType: 3 }] }],
      },
    }),
  }),

  createAcls: defineCase({
    api: CreateAclsApi,
    request: (v) => ({
      args: { creations: [ACL] },
      expect: {
        creations: [{ resourceType: 2, resourceName: TOPIC, ...since(v, 1, { resourcePatternType: 3 }), principal: 'User:alice', host: '*', operation: 3, permissionType: 3 }],
      },
    }),
    response: (v) => ({
      ours: { throttleTimeMs: THROTTLE, results: [{ errorCode: 0, errorMessage: null }] },
      kafkajs: { ...kafkajsThrottle(v, 0, 1), creationResponses: [{ errorCode: 0, errorMessage: null }] },
    }),
  }),

  deleteAcls: defineCase({
    api: DeleteAclsApi,
    request: (v) => ({
      args: { filters: [ACL] },
      expect: {
        filters: [
          {
            resourceTypeFilter: 2,
            resourceNameFilter: TOPIC,
            ...since(v, 1, { patternTypeFilter: 3 }),
            principalFilter: 'User:alice',
            hostFilter: '*',
            operation: 3,
            permissionType: 3,
          },
        ],
      },
    }),
    response: (v) => {
      const acl = { resourceType: 2, resourceName: TOPIC, principal: 'User:alice', host: '*', operation: 3, permissionType: 3 };
      return {
        ours: {
          throttleTimeMs: THROTTLE,
          filterResults: [{ errorCode: 0, errorMessage: null, matchingAcls: [{ errorCode: 0, errorMessage: null, ...acl, ...since(v, 1, { patternType: 3 }) }] }],
        },
        kafkajs: {
          ...kafkajsThrottle(v, 0, 1),
          filterResponses: [{ errorCode: 0, errorMessage: null, matchingAcls: [{ errorCode: 0, errorMessage: null, ...acl, ...since(v, 1, { resourcePatternType: 3 }) }] }],
        },
      };
    },
  }),

  describeConfigs: defineCase({
    api: DescribeConfigsApi,
    request: (v) => ({
      args: { resources: [{ type: 2, name: TOPIC, configNames: ['cleanup.policy'] }], includeSynonyms: true },
      expect: { resources: [{ resourceType: 2, resourceName: TOPIC, configurationKeys: ['cleanup.policy'] }], ...since(v, 1, { includeSynonyms: true }) },
    }),
    response: (v) => ({
      ours: {
        throttleTimeMs: THROTTLE,
        results: [
          {
            errorCode: 0,
            errorMessage: null,
            resourceType: 2,
            resourceName: TOPIC,
            configs: [
              v === 0
                ? { name: 'cleanup.policy', value: 'compact', readOnly: false, isDefault: false, isSensitive: false }
                : { name: 'cleanup.policy', value: 'compact', readOnly: false, configSource: 1, isSensitive: false, synonyms: [{ name: 'cleanup.policy', value: 'compact', source: 1 }] },
            ],
          },
        ],
      },
      kafkajs: {
        ...kafkajsThrottle(v, 0, 2),
        resources: [
          {
            errorCode: 0,
            errorMessage: null,
            resourceType: 2,
            resourceName: TOPIC,
            configEntries: [
              v === 0
                ? // kafkajs: v0 has no config source; kafkajs derives TOPIC_CONFIG (1) from the resource type.
                  { configName: 'cleanup.policy', configValue: 'compact', readOnly: false, isDefault: false, configSource: 1, isSensitive: false }
                : {
                    configName: 'cleanup.policy',
                    configValue: 'compact',
                    readOnly: false,
                    isDefault: false,
                    configSource: 1,
                    isSensitive: false,
                    configSynonyms: [{ configName: 'cleanup.policy', configValue: 'compact', configSource: 1 }],
                  },
            ],
          },
        ],
      },
    }),
  }),

  alterConfigs: defineCase({
    api: AlterConfigsApi,
    request: () => ({
      args: { resources: [{ type: 2, name: TOPIC, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] }], validateOnly: true },
      expect: { resources: [{ resourceType: 2, resourceName: TOPIC, configs: [{ name: 'cleanup.policy', value: 'compact' }] }], validateOnly: true },
    }),
    response: (v) => ({
      ours: { throttleTimeMs: THROTTLE, responses: [{ errorCode: 0, errorMessage: null, resourceType: 2, resourceName: TOPIC }] },
      kafkajs: { ...kafkajsThrottle(v, 0, 1), resources: [{ errorCode: 0, errorMessage: null, resourceType: 2, resourceName: TOPIC }] },
    }),
  }),

  saslAuthenticate: defineCase({
    api: SaslAuthenticateApi,
    request: () => {
      const auth = Buffer.from('\0alice\0secret');
      const framed = Buffer.concat([Buffer.from([0, 0, 0, auth.length]), auth]);
      // kafkajs: its SASL mechanisms hand the request already-framed auth bytes (int32 length + bytes).
      return { args: { authBytes: framed }, expect: { authBytes: auth } };
    },
    response: (v) => {
      const auth = Buffer.from('server-final');
      return {
        ours: { errorCode: 0, errorMessage: null, authBytes: auth, ...since(v, 1, { sessionLifetimeMs: 3600000 }) },
        // kafkajs: re-frames the auth bytes with their int32 length.
        kafkajs: { errorCode: 0, errorMessage: null, authBytes: Buffer.concat([Buffer.from([0, 0, 0, auth.length]), auth]), ...since(v, 1, { sessionLifetimeMs: '3600000' }) },
      };
    },
  }),

  createPartitions: defineCase({
    api: CreatePartitionsApi,
    request: () => ({
      args: {
        topicPartitions: [
          { topic: TOPIC, count: 6, assignments: [[1, 2], [2, 3]] },
          { topic: 'other', count: 4 },
        ],
        timeout: 5000,
        validateOnly: false,
      },
      expect: {
        topics: [
          { name: TOPIC, count: 6, assignments: [{ brokerIds: [1, 2] }, { brokerIds: [2, 3] }] },
          // kafkajs: sends an empty assignment list as null, which Kafka reads as "broker chooses".
          { name: 'other', count: 4, assignments: null },
        ],
        timeoutMs: 5000,
        validateOnly: false,
      },
    }),
    response: (v) => ({
      ours: {
        throttleTimeMs: THROTTLE,
        results: [
          { name: 'zeta', errorCode: 0, errorMessage: null },
          { name: 'alpha', errorCode: 37, errorMessage: 'Invalid partitions' },
        ],
      },
      kafkajs: {
        ...kafkajsThrottle(v, 0, 1),
        // kafkajs: sorts the results by topic name.
        topicErrors: [
          { topic: 'alpha', errorCode: 37, errorMessage: 'Invalid partitions' },
          { topic: 'zeta', errorCode: 0, errorMessage: null },
        ],
      },
    }),
  }),

  deleteGroups: defineCase({
    api: DeleteGroupsApi,
    // kafkajs: the request builder takes the group list itself, not an options object.
    request: () => ({ args: [GROUP, 'other'], expect: { groupsNames: [GROUP, 'other'] } }),
    response: (v) => ({
      ours: {
        throttleTimeMs: THROTTLE,
        results: [
          { groupId: GROUP, errorCode: 0 },
          { groupId: 'other', errorCode: 0 },
        ],
      },
      kafkajs: {
        throttleTimeMs: THROTTLE,
        results: [
          { groupId: GROUP, errorCode: 0 },
          { groupId: 'other', errorCode: 0 },
        ],
        // kafkajs: v1 moves `throttleTime` to `clientSideThrottleTime`, but v0 names it
        // `throttleTimeMs`, so v1 reports clientSideThrottleTime as undefined.
        ...since(v, 1, { throttleTime: 0, clientSideThrottleTime: undefined }),
      },
    }),
  }),

  alterPartitionReassignments: defineCase({
    api: AlterPartitionReassignmentsApi,
    request: () => ({
      args: { topics: [{ topic: TOPIC, partitionAssignment: [{ partition: 2, replicas: [1, 2, 3] }] }], timeout: 5000 },
      expect: { timeoutMs: 5000, topics: [{ name: TOPIC, partitions: [{ partitionIndex: 2, replicas: [1, 2, 3] }] }] },
    }),
    response: () => ({
      ours: { throttleTimeMs: THROTTLE, errorCode: 0, errorMessage: null, responses: [{ name: TOPIC, partitions: [{ partitionIndex: 2, errorCode: 0, errorMessage: null }] }] },
      kafkajs: { throttleTime: THROTTLE, errorCode: 0, responses: [{ topic: TOPIC, partitions: [{ partition: 2, errorCode: 0 }] }] },
    }),
  }),

  listPartitionReassignments: defineCase({
    api: ListPartitionReassignmentsApi,
    request: () => ({
      args: { topics: [{ topic: TOPIC, partitions: [0, 2] }], timeout: 5000 },
      expect: { timeoutMs: 5000, topics: [{ name: TOPIC, partitionIndexes: [0, 2] }] },
    }),
    response: () => ({
      ours: {
        throttleTimeMs: THROTTLE,
        errorCode: 0,
        errorMessage: null,
        topics: [{ name: TOPIC, partitions: [{ partitionIndex: 2, replicas: [1, 2, 3], addingReplicas: [3], removingReplicas: [1] }] }],
      },
      kafkajs: {
        throttleTime: THROTTLE,
        errorCode: 0,
        topics: [{ name: TOPIC, partitions: [{ partition: 2, replicas: [1, 2, 3], addingReplicas: [3], removingReplicas: [1] }] }],
      },
    }),
  }),
};

// ---- helpers -----------------------------------------------------------------------------------

let specs: Map<string, SpecMessage>;

beforeAll(async () => {
  specs = new Map((await loadSpecMessages()).map((m) => [m.name, m]));
  records.messageSetV0 = kafkajsMessageSet(0, RECORDS);
  records.messageSetV1 = kafkajsMessageSet(1, RECORDS);
  records.recordBatch = await kafkajsRecordBatch(RECORDS, TIMESTAMP);
});

function bodyOf<T>(codec: MessageCodec<T>, partial: object): T {
  const msg = specs.get(codec.name);
  if (!msg) throw new Error(`no spec message ${codec.name}`);
  return complete(msg, partial) as T;
}

/** Decodes a kafkajs request frame with our codec and checks that we re-encode the same bytes. */
function decodeAndReencodeRequest(api: ApiDefinition<unknown, unknown>, version: number, frame: Buffer): unknown {
  const decoded = decodeRequestFrame(frame.subarray(4));
  if (decoded.kind !== 'ok') throw new Error(`${api.name} v${version}: ${decoded.kind}`);
  expect(decoded.header).toMatchObject({ requestApiKey: api.key, requestApiVersion: version, correlationId: CORRELATION_ID, clientId: CLIENT_ID });
  const w = new Writer();
  encodeRequestFrame(w, api, version, CORRELATION_ID, CLIENT_ID, decoded.body);
  expect(w.finishToBuffer().toString('hex'), 'our re-encoding of the kafkajs frame').toBe(frame.toString('hex'));
  return decoded.body;
}

function encodeResponse(api: ApiDefinition<unknown, unknown>, version: number, body: unknown): Buffer {
  const w = new Writer();
  encodeResponseFrame(w, api, version, CORRELATION_ID, body);
  return w.finishToBuffer().subarray(4);
}

const KAFKAJS = kafkajsApiVersions();
const PAIRS = [...KAFKAJS].flatMap(([dir, versions]) => versions.map((v) => [dir, v] as const));

// ---- tests -------------------------------------------------------------------------------------

describe('kafkajs coverage', () => {
  it('has a case for every API kafkajs implements', () => {
    expect(Object.keys(CASES).sort()).toEqual([...KAFKAJS.keys()].sort());
    for (const [dir, versions] of KAFKAJS) {
      const api = CASES[dir].api;
      for (const v of versions) expect(v >= api.minVersion && v <= api.maxVersion, `${dir} v${v} within ${api.name}'s range`).toBe(true);
    }
    const summary = [...KAFKAJS].map(([dir, versions]) => `${CASES[dir].api.name} v${versions.join(',')}`).join('; ');
    console.log(`kafkajs 2.2.4: ${KAFKAJS.size} APIs, ${PAIRS.length} (API, version) pairs, requests and responses: ${summary}`);
  });
});

describe('requests encoded by kafkajs', () => {
  it.each(PAIRS)('%s v%i decodes to the values kafkajs was given and re-encodes to the same bytes', async (dir, v) => {
    const c = CASES[dir];
    const { args, expect: expected, check } = c.request(v);
    const request = kafkajsRequest(dir, v, args);
    expect(request.apiKey).toBe(c.api.key);
    expect(request.apiVersion).toBe(v);
    const body = decodeAndReencodeRequest(c.api, v, await kafkajsRequestFrame(request, CORRELATION_ID, CLIENT_ID));
    expect(body).toMatchObject(expected as object);
    check?.(body);
  });

  it.each([
    // kafkajs: sends an empty list as null, which Kafka reads as "all topics" / "all configs".
    ['metadata', 1, { topics: [] }, { topics: null }],
    ['metadata', 6, { topics: [] }, { topics: null }],
    ['offsetFetch', 3, { groupId: GROUP, topics: [] }, { topics: null }],
    ['describeConfigs', 0, { resources: [{ type: 4, name: '1' }] }, { resources: [{ resourceType: 4, resourceName: '1', configurationKeys: null }] }],
    // Metadata v0 cannot carry null: there an empty list means all topics, and kafkajs sends one.
    ['metadata', 0, { topics: [] }, { topics: [] }],
    // A null kafkajs sends on purpose ("all reassignments"), in a flexible request.
    ['listPartitionReassignments', 0, { topics: null }, { topics: null }],
  ] as const)('%s v%i sends %j, which we read as %j', async (dir, v, args, expected) => {
    const c = CASES[dir];
    const body = decodeAndReencodeRequest(c.api, v, await kafkajsRequestFrame(kafkajsRequest(dir, v, args), CORRELATION_ID, CLIENT_ID));
    expect(body).toMatchObject(expected);
  });
});

describe('responses encoded by us', () => {
  it.each(PAIRS)('%s v%i decodes in kafkajs to the values we encoded', async (dir, v) => {
    const c = CASES[dir];
    const { ours, kafkajs, reduce } = c.response(v);
    const frame = encodeResponse(c.api, v, bodyOf(c.api.response, ours as object));
    const decoded = await kafkajsResponse(dir, v, c.request(v).args).decode(frame.subarray(4));
    expect(reduce ? reduce(decoded) : decoded).toEqual(kafkajs);
  });
});
