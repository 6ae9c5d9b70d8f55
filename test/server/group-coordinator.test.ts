import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrokerConnection } from '../../src/client/broker-connection.js';
import { type Broker, startBroker } from '../../src/index.js';
import {
  CreateTopicsApi,
  DeleteGroupsApi,
  DescribeConfigsApi,
  DescribeGroupsApi,
  FindCoordinatorApi,
  HeartbeatApi,
  JoinGroupApi,
  LeaveGroupApi,
  ListGroupsApi,
  MetadataApi,
  OffsetCommitApi,
  OffsetDeleteApi,
  OffsetFetchApi,
  SyncGroupApi,
} from '../../src/protocol/generated/apis.js';
import { createConsumerProtocolSubscription, encodeConsumerProtocolSubscription } from '../../src/protocol/generated/clients/consumer-protocol-subscription.js';
import { createCreateTopicsRequest, createCreateTopicsRequestCreatableTopic } from '../../src/protocol/generated/clients/create-topics-request.js';
import { createDescribeConfigsRequest } from '../../src/protocol/generated/clients/describe-configs-request.js';
import { createFindCoordinatorRequest } from '../../src/protocol/generated/clients/find-coordinator-request.js';
import type { JoinGroupResponse } from '../../src/protocol/generated/clients/join-group-response.js';
import { createJoinGroupRequest } from '../../src/protocol/generated/clients/join-group-request.js';
import { createLeaveGroupRequest } from '../../src/protocol/generated/clients/leave-group-request.js';
import { createMetadataRequest, createMetadataRequestTopic } from '../../src/protocol/generated/clients/metadata-request.js';
import {
  createOffsetCommitRequest,
  createOffsetCommitRequestPartition,
  createOffsetCommitRequestTopic,
} from '../../src/protocol/generated/clients/offset-commit-request.js';
import { createOffsetFetchRequest, createOffsetFetchRequestGroup } from '../../src/protocol/generated/clients/offset-fetch-request.js';
import type { OffsetFetchResponse } from '../../src/protocol/generated/clients/offset-fetch-response.js';
import { createSyncGroupRequest } from '../../src/protocol/generated/clients/sync-group-request.js';
import { ErrorCode } from '../../src/protocol/generated/error-codes.js';
import { Writer } from '../../src/protocol/writer.js';
import { SILENT_LOGGER } from '../../src/util/logger.js';
import { testConnectionOptions } from '../support/connection-options.js';

const OFFSETS_TOPIC = '__consumer_offsets';
const TOPIC = 'orders';
const OTHER_TOPIC = 'payments';
const SESSION_MS = 60_000;
/** Coordinator errors a client retries after FindCoordinator: the shard is not loaded yet. */
const NOT_READY: ReadonlySet<number> = new Set([ErrorCode.COORDINATOR_LOAD_IN_PROGRESS, ErrorCode.NOT_COORDINATOR, ErrorCode.COORDINATOR_NOT_AVAILABLE]);

interface Running {
  broker: Broker;
  connection: BrokerConnection;
  port: number;
}

async function start(dataDir: string): Promise<Running> {
  const broker = await startBroker({
    logger: SILENT_LOGGER,
    properties: { 'log.dirs': dataDir, listeners: 'PLAINTEXT://127.0.0.1:0', 'group.initial.rebalance.delay.ms': '0' },
  });
  const port = broker.listeners[0].port;
  const connection = await BrokerConnection.open(testConnectionOptions(port));
  return { broker, connection, port };
}

async function stop(running: Running): Promise<void> {
  await running.connection.close();
  await running.broker.stop();
}

async function createTopic(connection: BrokerConnection, name: string, partitions: number): Promise<void> {
  const response = await connection.send(
    CreateTopicsApi,
    7,
    createCreateTopicsRequest({ topics: [createCreateTopicsRequestCreatableTopic({ name, numPartitions: partitions, replicationFactor: 1 })], timeoutMs: 30_000 }),
  );
  expect(response.topics[0].errorCode).toBe(ErrorCode.NONE);
}

/** A consumer's JoinGroup metadata: an int16 version, then a ConsumerProtocolSubscription. */
function subscription(topics: string[]): Buffer {
  const w = new Writer(64);
  w.writeInt16(1);
  encodeConsumerProtocolSubscription(w, 1, createConsumerProtocolSubscription({ topics }));
  return w.finishToBuffer();
}

/**
 * Sends a coordinator request until its answer no longer says the coordinator is loading, as a
 * client does after FindCoordinator. Bounded: every round trip is a real request.
 */
async function whenLoaded<T>(send: () => Promise<T>, errorOf: (response: T) => number): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    const response = await send();
    if (!NOT_READY.has(errorOf(response)) || attempt >= 2_000) return response;
  }
}

async function findCoordinator(connection: BrokerConnection, key: string): Promise<void> {
  const response = await connection.send(FindCoordinatorApi, 3, createFindCoordinatorRequest({ key, keyType: 0 }));
  expect(response.errorCode).toBe(ErrorCode.NONE);
}

function joinRequest(version: number, groupId: string, memberId: string, topics: string[] = [TOPIC]) {
  return createJoinGroupRequest({
    groupId,
    sessionTimeoutMs: SESSION_MS,
    rebalanceTimeoutMs: version >= 1 ? 30_000 : -1,
    memberId,
    protocolType: 'consumer',
    protocols: [{ name: 'range', metadata: subscription(topics) }],
    reason: version >= 8 ? 'test' : null,
  });
}

/** JoinGroup at `version` for a new member, through MEMBER_ID_REQUIRED from v4 on. */
async function join(connection: BrokerConnection, version: number, groupId: string, topics?: string[]): Promise<JoinGroupResponse> {
  let memberId = '';
  if (version >= 4) {
    const first = await whenLoaded(
      () => connection.send(JoinGroupApi, version, joinRequest(version, groupId, '', topics)),
      (r) => r.errorCode,
    );
    expect(first.errorCode).toBe(ErrorCode.MEMBER_ID_REQUIRED);
    expect(first.memberId).not.toBe('');
    memberId = first.memberId;
  }
  return whenLoaded(
    () => connection.send(JoinGroupApi, version, joinRequest(version, groupId, memberId, topics)),
    (r) => r.errorCode,
  );
}

/** One member joins and syncs: a Stable group of one. */
async function stableGroup(connection: BrokerConnection, groupId: string, topics: string[] = [TOPIC], version = 5): Promise<{ memberId: string; generation: number }> {
  const joined = await join(connection, version, groupId, topics);
  expect(joined.errorCode).toBe(ErrorCode.NONE);
  const synced = await connection.send(
    SyncGroupApi,
    Math.min(version, 5),
    createSyncGroupRequest({
      groupId,
      generationId: joined.generationId,
      memberId: joined.memberId,
      assignments: [{ memberId: joined.memberId, assignment: Buffer.from('assigned') }],
    }),
  );
  expect(synced.errorCode).toBe(ErrorCode.NONE);
  return { memberId: joined.memberId, generation: joined.generationId };
}

function commitRequest(version: number, groupId: string, offsets: Array<[topic: string, partition: number, offset: number]>, member?: { memberId: string; generation: number }) {
  const topics = new Map<string, Array<[number, number]>>();
  for (const [topic, partition, offset] of offsets) topics.set(topic, [...(topics.get(topic) ?? []), [partition, offset]]);
  return createOffsetCommitRequest({
    groupId,
    generationIdOrMemberEpoch: version >= 1 && member ? member.generation : -1,
    memberId: version >= 1 && member ? member.memberId : '',
    topics: [...topics].map(([name, partitions]) =>
      createOffsetCommitRequestTopic({
        name,
        partitions: partitions.map(([partitionIndex, committedOffset]) =>
          createOffsetCommitRequestPartition({
            partitionIndex,
            committedOffset,
            committedLeaderEpoch: version >= 6 ? 4 : -1,
            committedMetadata: `v${version}`,
          }),
        ),
      }),
    ),
  });
}

async function commit(
  connection: BrokerConnection,
  version: number,
  groupId: string,
  offsets: Array<[string, number, number]>,
  member?: { memberId: string; generation: number },
): Promise<number[]> {
  const response = await whenLoaded(
    () => connection.send(OffsetCommitApi, version, commitRequest(version, groupId, offsets, member)),
    (r) => r.topics[0]?.partitions[0]?.errorCode ?? 0,
  );
  return response.topics.flatMap((t) => t.partitions.map((p) => p.errorCode));
}

/** The committed offsets of one group at OffsetFetch `version` (v8+ through the batched form). */
async function fetchOffsets(
  connection: BrokerConnection,
  version: number,
  groupId: string,
  topics: Array<{ name: string; partitionIndexes: number[] }> | null,
): Promise<{ errorCode: number; offsets: Record<string, [number, number, string | null]> }> {
  const request =
    version >= 8
      ? createOffsetFetchRequest({ groups: [createOffsetFetchRequestGroup({ groupId, topics })] })
      : createOffsetFetchRequest({ groupId, topics });
  const response: OffsetFetchResponse = await whenLoaded(
    () => connection.send(OffsetFetchApi, version, request),
    (r) => (version >= 8 ? r.groups[0].errorCode : r.errorCode),
  );
  const group = version >= 8 ? response.groups[0] : response;
  const offsets: Record<string, [number, number, string | null]> = {};
  for (const t of group.topics) {
    for (const p of t.partitions) {
      expect(p.errorCode).toBe(ErrorCode.NONE);
      offsets[`${t.name}:${p.partitionIndex}`] = [p.committedOffset, p.committedLeaderEpoch, p.metadata];
    }
  }
  return { errorCode: group.errorCode, offsets };
}

describe('group coordinator through the wire', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'gregor-groups-'));
  let running: Running;
  let connection: BrokerConnection;

  beforeAll(async () => {
    running = await start(dataDir);
    connection = running.connection;
    await createTopic(connection, TOPIC, 3);
    await createTopic(connection, OTHER_TOPIC, 1);
  });

  afterAll(async () => {
    await stop(running);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it.each([0, 1, 2, 3])('FindCoordinator v%i finds this broker for a group', async (version) => {
    const response = await connection.send(FindCoordinatorApi, version, createFindCoordinatorRequest({ key: `find-${version}`, keyType: 0 }));
    expect(response).toMatchObject({ errorCode: ErrorCode.NONE, nodeId: running.broker.nodeId, host: '127.0.0.1', port: running.port });
    if (version >= 1) expect(response.errorMessage).toBeNull();
  });

  it.each([4, 5, 6])('FindCoordinator v%i answers a batch of group keys', async (version) => {
    const keys = ['batch-a', 'batch-b', 'batch-c'];
    const response = await connection.send(FindCoordinatorApi, version, createFindCoordinatorRequest({ keyType: 0, coordinatorKeys: keys }));
    expect(response.coordinators.map((c) => [c.key, c.errorCode, c.nodeId, c.host, c.port])).toEqual(
      keys.map((k) => [k, ErrorCode.NONE, running.broker.nodeId, '127.0.0.1', running.port]),
    );
  });

  it('FindCoordinator answers INVALID_REQUEST for share groups (key type 2) and unknown key types', async () => {
    const share = await connection.send(FindCoordinatorApi, 6, createFindCoordinatorRequest({ keyType: 2, coordinatorKeys: ['s'] }));
    expect(share.coordinators.map((c) => [c.key, c.errorCode])).toEqual([['s', ErrorCode.INVALID_REQUEST]]);
    const unknownBatched = await connection.send(FindCoordinatorApi, 4, createFindCoordinatorRequest({ keyType: 7, coordinatorKeys: ['x'] }));
    expect(unknownBatched.coordinators.map((c) => c.errorCode)).toEqual([ErrorCode.INVALID_REQUEST]);
    const unknown = await connection.send(FindCoordinatorApi, 2, createFindCoordinatorRequest({ key: 'x', keyType: 7 }));
    expect(unknown.errorCode).toBe(ErrorCode.INVALID_REQUEST);
    expect(unknown.nodeId).toBe(-1);
  });

  it('creates __consumer_offsets on the first FindCoordinator: 50 partitions, compacted', async () => {
    await findCoordinator(connection, 'creates-topic');
    const metadata = await connection.send(MetadataApi, 12, createMetadataRequest({ topics: [createMetadataRequestTopic({ name: OFFSETS_TOPIC })] }));
    const topic = metadata.topics.find((t) => t.name === OFFSETS_TOPIC);
    expect(topic?.errorCode).toBe(ErrorCode.NONE);
    expect(topic?.isInternal).toBe(true);
    expect(topic?.partitions).toHaveLength(50);
    const configs = await connection.send(
      DescribeConfigsApi,
      4,
      createDescribeConfigsRequest({ resources: [{ resourceType: 2, resourceName: OFFSETS_TOPIC, configurationKeys: ['cleanup.policy'] }] }),
    );
    expect(configs.results[0].configs.map((c) => [c.name, c.value])).toEqual([['cleanup.policy', 'compact']]);
  });

  it.each([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])('JoinGroup v%i, then SyncGroup, Heartbeat and LeaveGroup', async (version) => {
    const groupId = `join-v${version}`;
    await findCoordinator(connection, groupId);
    const joined = await join(connection, version, groupId);
    expect(joined).toMatchObject({ errorCode: ErrorCode.NONE, generationId: 1, protocolName: 'range' });
    expect(joined.memberId).not.toBe('');
    expect(joined.leader).toBe(joined.memberId);
    expect(joined.members.map((m) => m.memberId)).toEqual([joined.memberId]);
    expect(joined.members[0].metadata).toEqual(subscription([TOPIC]));
    if (version >= 7) expect(joined.protocolType).toBe('consumer');

    const syncVersion = Math.min(version, 5);
    const synced = await connection.send(
      SyncGroupApi,
      syncVersion,
      createSyncGroupRequest({
        groupId,
        generationId: joined.generationId,
        memberId: joined.memberId,
        protocolType: syncVersion >= 5 ? 'consumer' : null,
        protocolName: syncVersion >= 5 ? 'range' : null,
        assignments: [{ memberId: joined.memberId, assignment: Buffer.from(`assignment-${version}`) }],
      }),
    );
    expect(synced.errorCode).toBe(ErrorCode.NONE);
    expect(synced.assignment).toEqual(Buffer.from(`assignment-${version}`));
    if (syncVersion >= 5) expect([synced.protocolType, synced.protocolName]).toEqual(['consumer', 'range']);

    const beat = await connection.send(HeartbeatApi, Math.min(version, 4), { groupId, generationId: joined.generationId, memberId: joined.memberId, groupInstanceId: null });
    expect(beat.errorCode).toBe(ErrorCode.NONE);
    const stale = await connection.send(HeartbeatApi, Math.min(version, 4), { groupId, generationId: joined.generationId + 1, memberId: joined.memberId, groupInstanceId: null });
    expect(stale.errorCode).toBe(ErrorCode.ILLEGAL_GENERATION);

    const leaveVersion = Math.min(version, 5);
    const left = await connection.send(
      LeaveGroupApi,
      leaveVersion,
      leaveVersion >= 3
        ? createLeaveGroupRequest({ groupId, members: [{ memberId: joined.memberId, groupInstanceId: null, reason: leaveVersion >= 5 ? 'done' : null }] })
        : createLeaveGroupRequest({ groupId, memberId: joined.memberId }),
    );
    expect(left.errorCode).toBe(ErrorCode.NONE);
    if (leaveVersion >= 3) expect(left.members.map((m) => [m.memberId, m.errorCode])).toEqual([[joined.memberId, ErrorCode.NONE]]);

    const described = await connection.send(DescribeGroupsApi, 0, { groups: [groupId], includeAuthorizedOperations: false });
    expect(described.groups[0]).toMatchObject({ groupState: 'Empty', members: [] });
  });

  it('JoinGroup answers MEMBER_ID_REQUIRED from v4 and joins with the id it handed out', async () => {
    const groupId = 'member-id-required';
    await findCoordinator(connection, groupId);
    const first = await whenLoaded(
      () => connection.send(JoinGroupApi, 9, joinRequest(9, groupId, '')),
      (r) => r.errorCode,
    );
    expect(first.errorCode).toBe(ErrorCode.MEMBER_ID_REQUIRED);
    expect(first.memberId.startsWith('test-client-')).toBe(true);
    const second = await connection.send(JoinGroupApi, 9, joinRequest(9, groupId, first.memberId));
    expect(second).toMatchObject({ errorCode: ErrorCode.NONE, memberId: first.memberId, leader: first.memberId, generationId: 1 });
    const bogus = await connection.send(JoinGroupApi, 9, joinRequest(9, groupId, 'made-up-id'));
    expect(bogus.errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
  });

  it('LeaveGroup v3+ removes a batch of members and answers per member', async () => {
    const groupId = 'batch-leave';
    await findCoordinator(connection, groupId);
    // Two members: both JoinGroups are answered when the join phase completes.
    const [a, b] = await Promise.all([join(connection, 5, groupId), join(connection, 5, groupId)]);
    expect([a.errorCode, b.errorCode]).toEqual([ErrorCode.NONE, ErrorCode.NONE]);
    expect(a.generationId).toBe(b.generationId);
    for (const version of [3, 4, 5]) {
      const response = await connection.send(
        LeaveGroupApi,
        version,
        createLeaveGroupRequest({ groupId, members: [{ memberId: 'nobody', groupInstanceId: null, reason: null }] }),
      );
      expect(response.errorCode).toBe(ErrorCode.NONE);
      expect(response.members.map((m) => [m.memberId, m.errorCode])).toEqual([['nobody', ErrorCode.UNKNOWN_MEMBER_ID]]);
    }
    const left = await connection.send(
      LeaveGroupApi,
      3,
      createLeaveGroupRequest({
        groupId,
        members: [
          { memberId: a.memberId, groupInstanceId: null, reason: null },
          { memberId: b.memberId, groupInstanceId: null, reason: null },
        ],
      }),
    );
    expect(left.members.map((m) => m.errorCode)).toEqual([ErrorCode.NONE, ErrorCode.NONE]);
    const described = await connection.send(DescribeGroupsApi, 5, { groups: [groupId], includeAuthorizedOperations: false });
    expect(described.groups[0]).toMatchObject({ groupState: 'Empty', members: [] });
  });

  it.each([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])('OffsetCommit v%i commits, and every OffsetFetch version reads it back', async (version) => {
    const groupId = `commit-v${version}`;
    await findCoordinator(connection, groupId);
    const partition = version % 3;
    expect(await commit(connection, version, groupId, [[TOPIC, partition, 100 + version]])).toEqual([ErrorCode.NONE]);
    const epoch = version >= 6 ? 4 : -1;
    for (let fetchVersion = 0; fetchVersion <= 9; fetchVersion++) {
      const fetched = await fetchOffsets(connection, fetchVersion, groupId, [{ name: TOPIC, partitionIndexes: [0, 1, 2] }]);
      expect(fetched.errorCode).toBe(ErrorCode.NONE);
      const expected: Record<string, [number, number, string | null]> = {};
      for (const p of [0, 1, 2]) expected[`${TOPIC}:${p}`] = p === partition ? [100 + version, fetchVersion >= 5 ? epoch : -1, `v${version}`] : [-1, -1, ''];
      expect(fetched.offsets).toEqual(expected);
      if (fetchVersion >= 2) {
        const all = await fetchOffsets(connection, fetchVersion, groupId, null);
        expect(all.offsets).toEqual({ [`${TOPIC}:${partition}`]: expected[`${TOPIC}:${partition}`] });
      }
    }
  });

  it('OffsetCommit from a group member is checked against its generation', async () => {
    const groupId = 'member-commit';
    await findCoordinator(connection, groupId);
    const member = await stableGroup(connection, groupId);
    expect(await commit(connection, 8, groupId, [[TOPIC, 0, 5]], member)).toEqual([ErrorCode.NONE]);
    expect(await commit(connection, 8, groupId, [[TOPIC, 0, 6]], { ...member, generation: member.generation + 1 })).toEqual([ErrorCode.ILLEGAL_GENERATION]);
    expect(await commit(connection, 8, groupId, [[TOPIC, 0, 6]], { ...member, memberId: 'stranger' })).toEqual([ErrorCode.UNKNOWN_MEMBER_ID]);
    expect(await commit(connection, 8, 'no-such-group', [[TOPIC, 0, 6]], member)).toEqual([ErrorCode.ILLEGAL_GENERATION]);
    expect(await commit(connection, 9, 'no-such-group', [[TOPIC, 0, 6]], member)).toEqual([ErrorCode.GROUP_ID_NOT_FOUND]);
    expect((await fetchOffsets(connection, 8, groupId, null)).offsets).toEqual({ [`${TOPIC}:0`]: [5, 4, 'v8'] });
  });

  it('OffsetFetch v8+ answers several groups in one request', async () => {
    await findCoordinator(connection, 'batch-fetch-a');
    await findCoordinator(connection, 'batch-fetch-b');
    await commit(connection, 8, 'batch-fetch-a', [[TOPIC, 0, 1], [TOPIC, 1, 2]]);
    await commit(connection, 8, 'batch-fetch-b', [[OTHER_TOPIC, 0, 3]]);
    for (const version of [8, 9]) {
      const response = await connection.send(
        OffsetFetchApi,
        version,
        createOffsetFetchRequest({
          groups: [
            createOffsetFetchRequestGroup({ groupId: 'batch-fetch-a', topics: [{ name: TOPIC, partitionIndexes: [1, 2] }] }),
            createOffsetFetchRequestGroup({ groupId: 'batch-fetch-b', topics: null }),
            createOffsetFetchRequestGroup({ groupId: 'batch-fetch-none', topics: null }),
          ],
        }),
      );
      expect(response.groups.map((g) => [g.groupId, g.errorCode, g.topics.map((t) => [t.name, t.partitions.map((p) => [p.partitionIndex, p.committedOffset])])])).toEqual([
        ['batch-fetch-a', 0, [[TOPIC, [[1, 2], [2, -1]]]]],
        ['batch-fetch-b', 0, [[OTHER_TOPIC, [[0, 3]]]]],
        ['batch-fetch-none', 0, []],
      ]);
    }
  });

  it('OffsetCommit to a topic that does not exist answers UNKNOWN_TOPIC_OR_PARTITION for it alone', async () => {
    const groupId = 'unknown-topic';
    await findCoordinator(connection, groupId);
    for (const version of [2, 8]) {
      const errors = await commit(connection, version, groupId, [[TOPIC, 0, 1], ['no-such-topic', 0, 1], [TOPIC, 99, 1]]);
      expect(errors).toEqual([ErrorCode.NONE, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]);
    }
    const onlyUnknown = await commit(connection, 8, 'unknown-topic-only', [['no-such-topic', 0, 1]]);
    expect(onlyUnknown).toEqual([ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]);
    expect((await fetchOffsets(connection, 8, groupId, null)).offsets).toEqual({ [`${TOPIC}:0`]: [1, 4, 'v8'] });
  });

  it.each([0, 1, 2, 3, 4, 5])('DescribeGroups v%i describes a Stable group, an Empty one and an unknown one', async (version) => {
    const groupId = `describe-v${version}`;
    await findCoordinator(connection, groupId);
    const member = await stableGroup(connection, groupId);
    await commit(connection, 2, `describe-simple-v${version}`, [[TOPIC, 0, 1]]);
    const response = await connection.send(DescribeGroupsApi, version, {
      groups: [groupId, `describe-simple-v${version}`, 'describe-nobody'],
      includeAuthorizedOperations: version >= 3,
    });
    const [stable, simple, nobody] = response.groups;
    expect(stable).toMatchObject({ errorCode: 0, groupId, groupState: 'Stable', protocolType: 'consumer', protocolData: 'range' });
    expect(stable.members).toHaveLength(1);
    expect(stable.members[0]).toMatchObject({ memberId: member.memberId, clientId: 'test-client', memberMetadata: subscription([TOPIC]), memberAssignment: Buffer.from('assigned') });
    expect(stable.members[0].clientHost).toMatch(/127\.0\.0\.1/);
    if (version >= 3) expect(stable.authorizedOperations).not.toBe(-2147483648);
    expect(simple).toMatchObject({ errorCode: 0, groupState: 'Empty', protocolType: '', members: [] });
    expect(nobody).toMatchObject({ errorCode: 0, groupId: 'describe-nobody', groupState: 'Dead', members: [] });
  });

  it.each([0, 1, 2, 3, 4, 5])('ListGroups v%i lists the groups, filtered by state (v4+) and type (v5+)', async (version) => {
    const stableId = `list-stable-v${version}`;
    const simpleId = `list-simple-v${version}`;
    await findCoordinator(connection, stableId);
    await findCoordinator(connection, simpleId);
    await stableGroup(connection, stableId);
    await commit(connection, 2, simpleId, [[TOPIC, 0, 1]]);
    const all = await connection.send(ListGroupsApi, version, { statesFilter: [], typesFilter: [] });
    expect(all.errorCode).toBe(ErrorCode.NONE);
    const stable = all.groups.find((g) => g.groupId === stableId);
    const simple = all.groups.find((g) => g.groupId === simpleId);
    expect(stable?.protocolType).toBe('consumer');
    expect(simple?.protocolType).toBe('');
    if (version >= 4) {
      expect([stable?.groupState, simple?.groupState]).toEqual(['Stable', 'Empty']);
      const onlyStable = await connection.send(ListGroupsApi, version, { statesFilter: ['STABLE'], typesFilter: [] });
      const ids = onlyStable.groups.map((g) => g.groupId);
      expect(ids).toContain(stableId);
      expect(ids).not.toContain(simpleId);
      expect(onlyStable.groups.every((g) => g.groupState === 'Stable')).toBe(true);
    }
    if (version >= 5) {
      expect(stable?.groupType).toBe('classic');
      const classic = await connection.send(ListGroupsApi, version, { statesFilter: ['empty'], typesFilter: ['Classic'] });
      expect(classic.groups.map((g) => g.groupId)).toContain(simpleId);
      expect(classic.groups.map((g) => g.groupId)).not.toContain(stableId);
      const consumer = await connection.send(ListGroupsApi, version, { statesFilter: [], typesFilter: ['consumer'] });
      expect(consumer.groups.map((g) => g.groupId)).not.toContain(stableId);
    }
  });

  it.each([0, 1, 2])('DeleteGroups v%i deletes an Empty group with its offsets and refuses the others', async (version) => {
    const emptyId = `delete-empty-v${version}`;
    const busyId = `delete-busy-v${version}`;
    await findCoordinator(connection, emptyId);
    await findCoordinator(connection, busyId);
    await commit(connection, 8, emptyId, [[TOPIC, 1, 7]]);
    await stableGroup(connection, busyId);
    const response = await connection.send(DeleteGroupsApi, version, { groupsNames: [emptyId, busyId, `delete-nobody-v${version}`] });
    expect(response.results.map((r) => [r.groupId, r.errorCode])).toEqual([
      [emptyId, ErrorCode.NONE],
      [busyId, ErrorCode.NON_EMPTY_GROUP],
      [`delete-nobody-v${version}`, ErrorCode.GROUP_ID_NOT_FOUND],
    ]);
    expect((await fetchOffsets(connection, 8, emptyId, null)).offsets).toEqual({});
    const described = await connection.send(DescribeGroupsApi, 5, { groups: [emptyId], includeAuthorizedOperations: false });
    expect(described.groups[0].groupState).toBe('Dead');
  });

  it('OffsetDelete v0 deletes offsets of unsubscribed topics only', async () => {
    const simpleId = 'offset-delete-simple';
    const stableId = 'offset-delete-stable';
    await findCoordinator(connection, simpleId);
    await findCoordinator(connection, stableId);
    await commit(connection, 8, simpleId, [[TOPIC, 0, 1], [TOPIC, 1, 2]]);
    const member = await stableGroup(connection, stableId, [TOPIC]);
    await commit(connection, 8, stableId, [[TOPIC, 0, 1], [OTHER_TOPIC, 0, 2]], member);

    const simple = await connection.send(OffsetDeleteApi, 0, { groupId: simpleId, topics: [{ name: TOPIC, partitions: [{ partitionIndex: 0 }] }] });
    expect(simple.errorCode).toBe(ErrorCode.NONE);
    expect(simple.topics[0].partitions).toEqual([{ partitionIndex: 0, errorCode: ErrorCode.NONE }]);
    expect((await fetchOffsets(connection, 8, simpleId, null)).offsets).toEqual({ [`${TOPIC}:1`]: [2, 4, 'v8'] });

    const stable = await connection.send(OffsetDeleteApi, 0, {
      groupId: stableId,
      topics: [
        { name: TOPIC, partitions: [{ partitionIndex: 0 }] },
        { name: OTHER_TOPIC, partitions: [{ partitionIndex: 0 }] },
      ],
    });
    expect(stable.errorCode).toBe(ErrorCode.NONE);
    expect(stable.topics.map((t) => [t.name, t.partitions.map((p) => p.errorCode)])).toEqual([
      [TOPIC, [ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC]],
      [OTHER_TOPIC, [ErrorCode.NONE]],
    ]);
    expect((await fetchOffsets(connection, 8, stableId, null)).offsets).toEqual({ [`${TOPIC}:0`]: [1, 4, 'v8'] });

    const unknown = await connection.send(OffsetDeleteApi, 0, { groupId: 'offset-delete-nobody', topics: [{ name: TOPIC, partitions: [{ partitionIndex: 0 }] }] });
    expect(unknown.errorCode).toBe(ErrorCode.GROUP_ID_NOT_FOUND);
  });
});

describe('group coordinator across a restart', () => {
  it('restores groups and offsets by replaying __consumer_offsets', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'gregor-groups-restart-'));
    let running = await start(dataDir);
    try {
      await createTopic(running.connection, TOPIC, 3);
      const ids = ['restart-stable', 'restart-simple', 'restart-emptied', 'restart-deleted'];
      for (const id of ids) await findCoordinator(running.connection, id);
      const member = await stableGroup(running.connection, 'restart-stable', [TOPIC]);
      await commit(running.connection, 8, 'restart-stable', [[TOPIC, 0, 10], [TOPIC, 1, 11]], member);
      await commit(running.connection, 3, 'restart-simple', [[TOPIC, 2, 12]]);
      const emptied = await stableGroup(running.connection, 'restart-emptied', [TOPIC]);
      await commit(running.connection, 8, 'restart-emptied', [[TOPIC, 0, 13]], emptied);
      await running.connection.send(LeaveGroupApi, 1, createLeaveGroupRequest({ groupId: 'restart-emptied', memberId: emptied.memberId }));
      await commit(running.connection, 8, 'restart-deleted', [[TOPIC, 0, 14]]);
      const deleted = await running.connection.send(DeleteGroupsApi, 2, { groupsNames: ['restart-deleted'] });
      expect(deleted.results[0].errorCode).toBe(ErrorCode.NONE);

      const observe = async (connection: BrokerConnection) => {
        const offsets = [];
        for (const id of ids) offsets.push(await fetchOffsets(connection, 8, id, null));
        const described = await whenLoaded(
          () => connection.send(DescribeGroupsApi, 5, { groups: ids, includeAuthorizedOperations: false }),
          (r) => r.groups.find((g) => NOT_READY.has(g.errorCode))?.errorCode ?? 0,
        );
        const listed = await connection.send(ListGroupsApi, 5, { statesFilter: [], typesFilter: [] });
        return {
          offsets,
          described: described.groups.map((g) => ({
            ...g,
            members: g.members.map((m) => ({ memberId: m.memberId, metadata: m.memberMetadata, assignment: m.memberAssignment })),
          })),
          listed: listed.groups.filter((g) => ids.includes(g.groupId)).sort((a, b) => a.groupId.localeCompare(b.groupId)),
        };
      };
      const before = await observe(running.connection);
      expect(before.offsets.map((o) => o.offsets)).toEqual([
        { [`${TOPIC}:0`]: [10, 4, 'v8'], [`${TOPIC}:1`]: [11, 4, 'v8'] },
        { [`${TOPIC}:2`]: [12, -1, 'v3'] },
        { [`${TOPIC}:0`]: [13, 4, 'v8'] },
        {},
      ]);
      expect(before.described.map((g) => g.groupState)).toEqual(['Stable', 'Empty', 'Empty', 'Dead']);

      await stop(running);
      running = await start(dataDir);
      // The first request after the restart may find the partition still loading: whenLoaded retries.
      const after = await observe(running.connection);
      expect(after).toEqual(before);
      // The restored member is still a member: its generation is accepted.
      expect(await commit(running.connection, 8, 'restart-stable', [[TOPIC, 2, 15]], member)).toEqual([ErrorCode.NONE]);
    } finally {
      await stop(running);
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
