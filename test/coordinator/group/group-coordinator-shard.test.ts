import { describe, expect, it } from 'vitest';
import { DEFAULT_CLASSIC_GROUP_CONFIG, type GroupEffects, type GroupReply } from '../../../src/coordinator/group/classic-group-model.js';
import { DEFAULT_CONSUMER_GROUP_CONFIG } from '../../../src/coordinator/group/consumer/consumer-groups.js';
import type { TopicsView } from '../../../src/coordinator/group/consumer/topics-view.js';
import { encodeCoordinatorRecord } from '../../../src/coordinator/group/coordinator-record-serde.js';
import type { CoordinatorRecord } from '../../../src/coordinator/group/coordinator-records.js';
import { type GroupCoordinatorConfig, GroupCoordinatorShard, type OffsetFetchQuery } from '../../../src/coordinator/group/group-coordinator-shard.js';
import type { JoinGroupResponse } from '../../../src/protocol/generated/clients/join-group-response.js';
import {
  createConsumerProtocolSubscription,
  encodeConsumerProtocolSubscription,
} from '../../../src/protocol/generated/clients/consumer-protocol-subscription.js';
import { ErrorCode } from '../../../src/protocol/generated/error-codes.js';
import { Writer } from '../../../src/protocol/writer.js';
import { SeededRandom } from '../../../src/util/random.js';

const RETENTION_MS = 7 * 24 * 60 * 60 * 1000;
const METADATA_MAX = 100;
const CONFIG: GroupCoordinatorConfig = {
  classic: { ...DEFAULT_CLASSIC_GROUP_CONFIG, initialRebalanceDelayMs: 0 },
  consumer: DEFAULT_CONSUMER_GROUP_CONFIG,
  offsetMetadataMaxBytes: METADATA_MAX,
  offsetsRetentionMs: RETENTION_MS,
};
const START = 1_000_000;

/** What classic operations and deadlines decide: replies now, and records to append. */
type Effects = Pick<GroupEffects, 'replies'> & { readonly records: readonly CoordinatorRecord[] };

/** The metadata image the shard's consumer groups see; the classic groups here do not look at it. */
const NO_TOPICS: TopicsView = { byName: () => undefined, byId: () => undefined, names: () => [] };

/** A ConsumerProtocolSubscription as a consumer puts it in its JoinGroup metadata: int16 version, then the struct. */
function subscription(topics: string[], version = 1): Buffer {
  const w = new Writer(64);
  w.writeInt16(version);
  encodeConsumerProtocolSubscription(w, version, createConsumerProtocolSubscription({ topics }));
  return w.finishToBuffer();
}

interface CommitOptions {
  version?: number;
  generation?: number;
  memberId?: string;
  instanceId?: string | null;
  retentionTimeMs?: number;
  leaderEpoch?: number;
  metadata?: string | null;
}

interface MemberSpec {
  topics?: string[];
  metadata?: Buffer;
  instanceId?: string;
}

interface BuiltGroup {
  generation: number;
  memberIds: string[];
  leader: string;
}

/** Drives one shard on a plain-number clock, keeping every record it decides, in order. */
class ShardHarness {
  now = START;
  readonly shard: GroupCoordinatorShard;
  readonly log: CoordinatorRecord[] = [];
  private nextTo = 1;

  constructor(seed = 11) {
    this.shard = new GroupCoordinatorShard(CONFIG, new SeededRandom(seed));
  }

  private keep(records: readonly CoordinatorRecord[]): void {
    this.log.push(...records);
  }

  private keepFx<T extends Effects>(fx: T): T {
    this.keep(fx.records);
    return fx;
  }

  /** Commits `offsets` ({ 'topic:partition': offset }) and answers { 'topic:partition': errorCode }. */
  commit(groupId: string, offsets: Record<string, number>, o: CommitOptions = {}): { errors: Record<string, number>; records: CoordinatorRecord[] } {
    const byTopic = new Map<string, { partitionIndex: number; committedOffset: number }[]>();
    for (const [tp, offset] of Object.entries(offsets)) {
      const [topic, partition] = tp.split(':');
      if (!byTopic.has(topic)) byTopic.set(topic, []);
      byTopic.get(topic)!.push({ partitionIndex: Number(partition), committedOffset: offset });
    }
    const result = this.shard.commitOffsets(
      {
        groupId,
        generationIdOrMemberEpoch: o.generation ?? -1,
        memberId: o.memberId ?? '',
        groupInstanceId: o.instanceId ?? null,
        retentionTimeMs: o.retentionTimeMs ?? -1,
        topics: [...byTopic].map(([name, partitions]) => ({
          name,
          partitions: partitions.map((p) => ({
            ...p,
            committedLeaderEpoch: o.leaderEpoch ?? -1,
            commitTimestamp: -1,
            committedMetadata: o.metadata === undefined ? `m${p.committedOffset}` : o.metadata,
          })),
        })),
      },
      o.version ?? 8,
      this.now,
    );
    this.keep(result.records);
    const errors: Record<string, number> = {};
    for (const t of result.response) for (const p of t.partitions) errors[`${t.name}:${p.partitionIndex}`] = p.errorCode;
    return { errors, records: result.records };
  }

  /** The committed offsets of a group as { 'topic:partition': offset }, every topic. */
  offsets(groupId: string): Record<string, number> {
    const fetched = this.shard.fetchOffsets({ groupId, topics: null });
    const out: Record<string, number> = {};
    for (const t of fetched.topics) for (const p of t.partitions) out[`${t.name}:${p.partitionIndex}`] = p.committedOffset;
    return out;
  }

  join(groupId: string, memberId: string, spec: MemberSpec, protocolType = 'consumer', version = 9): { to: number; fx: Effects } {
    const to = this.nextTo++;
    const fx = this.shard.joinGroup(
      {
        groupId,
        sessionTimeoutMs: 10_000,
        rebalanceTimeoutMs: 30_000,
        memberId,
        groupInstanceId: spec.instanceId ?? null,
        protocolType,
        protocols: [{ name: 'range', metadata: spec.metadata ?? subscription(spec.topics ?? []) }],
        reason: null,
      },
      { to, apiVersion: version, clientId: 'client', clientHost: '/10.0.0.1', now: this.now },
    );
    return { to, fx: this.keepFx(fx) };
  }

  sync(groupId: string, memberId: string, generationId: number, assignments: Record<string, string> = {}, instanceId: string | null = null): Effects {
    const to = this.nextTo++;
    return this.keepFx(
      this.shard.syncGroup(
        {
          groupId,
          generationId,
          memberId,
          groupInstanceId: instanceId,
          protocolType: null,
          protocolName: null,
          assignments: Object.entries(assignments).map(([id, text]) => ({ memberId: id, assignment: Buffer.from(text) })),
        },
        { to, apiVersion: 5, clientId: 'client', clientHost: '/10.0.0.1', now: this.now },
      ),
    );
  }

  leave(groupId: string, memberId: string): Effects {
    const to = this.nextTo++;
    return this.keepFx(this.shard.leaveGroup({ groupId, memberId, members: [] }, { to, apiVersion: 1, clientId: 'client', clientHost: '/10.0.0.1', now: this.now }));
  }

  tick(): Effects {
    return this.keepFx(this.shard.tick(this.now, NO_TOPICS));
  }

  /** Members join (dynamic ones through MEMBER_ID_REQUIRED) and the join phase completes: the group is CompletingRebalance. */
  completingGroup(groupId: string, members: MemberSpec[], protocolType = 'consumer'): BuiltGroup {
    const parked: number[] = [];
    for (const spec of members) {
      let memberId = '';
      if (spec.instanceId === undefined) {
        const first = this.join(groupId, '', spec, protocolType);
        const required = replyOf(first.fx.replies, first.to);
        expect(required.errorCode).toBe(ErrorCode.MEMBER_ID_REQUIRED);
        memberId = required.memberId;
      }
      const second = this.join(groupId, memberId, spec, protocolType);
      parked.push(second.to);
    }
    const fx = this.tick();
    const responses = parked.map((to) => replyOf(fx.replies, to));
    for (const r of responses) expect(r.errorCode).toBe(ErrorCode.NONE);
    expect(this.shard.classic.get(groupId)?.currentState).toBe('CompletingRebalance');
    return { generation: responses[0].generationId, memberIds: responses.map((r) => r.memberId), leader: responses[0].leader };
  }

  /** A group through a whole rebalance: Stable, with an assignment record written. */
  stableGroup(groupId: string, members: MemberSpec[], protocolType = 'consumer'): BuiltGroup {
    const built = this.completingGroup(groupId, members, protocolType);
    const assignments = Object.fromEntries(built.memberIds.map((id, i) => [id, `assignment-${i}`]));
    this.sync(groupId, built.leader, built.generation, assignments);
    for (const id of built.memberIds) if (id !== built.leader) this.sync(groupId, id, built.generation);
    expect(this.shard.classic.get(groupId)?.currentState).toBe('Stable');
    return built;
  }

  /** The group's current state, or undefined if the shard does not hold it. */
  state(groupId: string): string | undefined {
    return this.shard.classic.get(groupId)?.currentState;
  }
}

function replyOf(replies: readonly GroupReply[], to: number): JoinGroupResponse {
  const reply = replies.find((r) => r.to === to);
  if (reply?.api !== 'join') throw new Error(`no join reply to ${to}`);
  return reply.response;
}

function tombstones(records: readonly CoordinatorRecord[]): string[] {
  return records
    .filter((r) => r.value === null)
    .map((r) => (r.type === 'OffsetCommit' ? `offset ${r.key.group}/${r.key.topic}:${r.key.partition}` : `${r.type} ${JSON.stringify(r.key)}`));
}

describe('GroupCoordinatorShard offset commits', () => {
  it('creates a simple group for a commit from outside any group (generation -1)', () => {
    const h = new ShardHarness();
    const { errors, records } = h.commit('simple', { 't:0': 10, 't:1': 20 }, { version: 8 });
    expect(errors).toEqual({ 't:0': ErrorCode.NONE, 't:1': ErrorCode.NONE });
    // Only offsets are written: the simple group itself has no record (Kafka does the same).
    expect(records.map((r) => r.type)).toEqual(['OffsetCommit', 'OffsetCommit']);
    expect(h.shard.listGroups([], [])).toEqual([{ groupId: 'simple', protocolType: '', groupState: 'Empty', groupType: 'classic' }]);
    expect(h.offsets('simple')).toEqual({ 't:0': 10, 't:1': 20 });
    // A second commit from outside the group is accepted as well, and overwrites.
    expect(h.commit('simple', { 't:0': 11 }, { version: 2 }).errors).toEqual({ 't:0': ErrorCode.NONE });
    expect(h.offsets('simple')).toEqual({ 't:0': 11, 't:1': 20 });
  });

  it.each([1, 2, 3, 4, 5, 6, 7, 8])('answers ILLEGAL_GENERATION to a commit with a generation to an unknown group at v%i', (version) => {
    const h = new ShardHarness();
    const { errors, records } = h.commit('nobody', { 't:0': 1 }, { version, generation: 3, memberId: 'm' });
    expect(errors).toEqual({ 't:0': ErrorCode.ILLEGAL_GENERATION });
    expect(records).toEqual([]);
    expect(h.shard.listGroups([], [])).toEqual([]);
  });

  it('answers GROUP_ID_NOT_FOUND to a commit with a generation to an unknown group at v9', () => {
    const h = new ShardHarness();
    expect(h.commit('nobody', { 't:0': 1 }, { version: 9, generation: 0, memberId: 'm' }).errors).toEqual({ 't:0': ErrorCode.GROUP_ID_NOT_FOUND });
    expect(h.shard.listGroups([], [])).toEqual([]);
  });

  it('answers INVALID_GROUP_ID to a commit to the empty group id', () => {
    const h = new ShardHarness();
    expect(h.commit('', { 't:0': 1 }).errors).toEqual({ 't:0': ErrorCode.INVALID_GROUP_ID });
    expect(h.log).toEqual([]);
  });

  it('validates the member and generation of a commit to a Stable group', () => {
    const h = new ShardHarness();
    const { generation, memberIds } = h.stableGroup('g', [{ topics: ['t'] }, { topics: ['t'] }]);
    const [a, b] = memberIds;
    expect(h.commit('g', { 't:0': 5 }, { generation, memberId: a }).errors['t:0']).toBe(ErrorCode.NONE);
    expect(h.commit('g', { 't:1': 6 }, { generation, memberId: b, version: 9 }).errors['t:1']).toBe(ErrorCode.NONE);
    expect(h.commit('g', { 't:0': 7 }, { generation, memberId: 'stranger' }).errors['t:0']).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect(h.commit('g', { 't:0': 7 }, { generation: generation + 1, memberId: a }).errors['t:0']).toBe(ErrorCode.ILLEGAL_GENERATION);
    expect(h.commit('g', { 't:0': 7 }, { generation: generation - 1, memberId: a }).errors['t:0']).toBe(ErrorCode.ILLEGAL_GENERATION);
    // From outside the group while it has members: rejected (Kafka's UNKNOWN_MEMBER_ID).
    expect(h.commit('g', { 't:0': 7 }, { generation: -1 }).errors['t:0']).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    // A known member without a generation: ILLEGAL_GENERATION.
    expect(h.commit('g', { 't:0': 7 }, { generation: -1, memberId: a }).errors['t:0']).toBe(ErrorCode.ILLEGAL_GENERATION);
    expect(h.offsets('g')).toEqual({ 't:0': 5, 't:1': 6 });
  });

  it('fences a static member committing with an old member id', () => {
    const h = new ShardHarness();
    const { generation, memberIds } = h.stableGroup('g', [{ topics: ['t'], instanceId: 'inst-1' }]);
    const [current] = memberIds;
    expect(current.startsWith('inst-1-')).toBe(true);
    expect(h.commit('g', { 't:0': 1 }, { generation, memberId: current, instanceId: 'inst-1' }).errors['t:0']).toBe(ErrorCode.NONE);
    expect(h.commit('g', { 't:0': 2 }, { generation, memberId: 'inst-1-old', instanceId: 'inst-1' }).errors['t:0']).toBe(ErrorCode.FENCED_INSTANCE_ID);
    expect(h.commit('g', { 't:0': 2 }, { generation, memberId: current, instanceId: 'inst-2' }).errors['t:0']).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect(h.offsets('g')).toEqual({ 't:0': 1 });
  });

  it('answers REBALANCE_IN_PROGRESS to a valid member while the group is CompletingRebalance', () => {
    const h = new ShardHarness();
    const { generation, memberIds } = h.completingGroup('g', [{ topics: ['t'] }]);
    expect(h.commit('g', { 't:0': 1 }, { generation, memberId: memberIds[0] }).errors['t:0']).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
    expect(h.offsets('g')).toEqual({});
  });

  it('checks member and generation before the CompletingRebalance state, as Kafka does', () => {
    // Kafka's ClassicGroup.validateOffsetCommit: validateMember, then the generation, and only
    // then REBALANCE_IN_PROGRESS for a group in CompletingRebalance.
    const h = new ShardHarness();
    const { generation, memberIds } = h.completingGroup('g', [{ topics: ['t'], instanceId: 'inst' }]);
    expect(h.commit('g', { 't:0': 1 }, { generation, memberId: 'stranger' }).errors['t:0']).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect(h.commit('g', { 't:0': 1 }, { generation: generation + 5, memberId: memberIds[0], instanceId: 'inst' }).errors['t:0']).toBe(
      ErrorCode.ILLEGAL_GENERATION,
    );
    expect(h.commit('g', { 't:0': 1 }, { generation, memberId: 'inst-old', instanceId: 'inst' }).errors['t:0']).toBe(ErrorCode.FENCED_INSTANCE_ID);
  });

  it('answers OFFSET_METADATA_TOO_LARGE for metadata over offset.metadata.max.bytes, partition by partition', () => {
    const h = new ShardHarness();
    const exact = h.commit('g', { 't:0': 1 }, { metadata: 'x'.repeat(METADATA_MAX) });
    expect(exact.errors).toEqual({ 't:0': ErrorCode.NONE });
    const result = h.shard.commitOffsets(
      {
        groupId: 'g',
        generationIdOrMemberEpoch: -1,
        memberId: '',
        groupInstanceId: null,
        retentionTimeMs: -1,
        topics: [
          {
            name: 't',
            partitions: [
              { partitionIndex: 1, committedOffset: 2, committedLeaderEpoch: -1, commitTimestamp: -1, committedMetadata: 'y'.repeat(METADATA_MAX + 1) },
              { partitionIndex: 2, committedOffset: 3, committedLeaderEpoch: -1, commitTimestamp: -1, committedMetadata: null },
            ],
          },
        ],
      },
      8,
      h.now,
    );
    expect(result.response).toEqual([
      {
        name: 't',
        partitions: [
          { partitionIndex: 1, errorCode: ErrorCode.OFFSET_METADATA_TOO_LARGE },
          { partitionIndex: 2, errorCode: ErrorCode.NONE },
        ],
      },
    ]);
    expect(result.records).toHaveLength(1);
    // A null metadata is stored as "" (Kafka's OffsetAndMetadata.NO_METADATA).
    expect(h.shard.fetchOffsets({ groupId: 'g', topics: [{ name: 't', partitionIndexes: [0, 1, 2] }] }).topics[0].partitions).toEqual([
      { partitionIndex: 0, committedOffset: 1, committedLeaderEpoch: -1, metadata: 'x'.repeat(METADATA_MAX), errorCode: 0 },
      { partitionIndex: 1, committedOffset: -1, committedLeaderEpoch: -1, metadata: '', errorCode: 0 },
      { partitionIndex: 2, committedOffset: 3, committedLeaderEpoch: -1, metadata: '', errorCode: 0 },
    ]);
  });

  it.each([2, 3, 4])('sets an expire timestamp from the retention time at v%i, written as an OffsetCommitValue v1', (version) => {
    const h = new ShardHarness();
    const { records } = h.commit('g', { 't:0': 1 }, { version, retentionTimeMs: 5_000 });
    const record = records[0];
    expect(record.type === 'OffsetCommit' && record.value).toMatchObject({ commitTimestamp: START, expireTimestamp: START + 5_000 });
    expect(encodeCoordinatorRecord(record).value!.readInt16BE(0)).toBe(1);
    // -1 is "use the broker's retention".
    const byDefault = h.commit('g', { 't:0': 1 }, { version, retentionTimeMs: -1 }).records[0];
    expect(byDefault.type === 'OffsetCommit' && byDefault.value?.expireTimestamp).toBe(-1);
    expect(encodeCoordinatorRecord(byDefault).value!.readInt16BE(0)).toBe(3);
  });

  it.each([0, 1, 5, 6, 7, 8, 9])('sets no expire timestamp at v%i, written as an OffsetCommitValue v3', (version) => {
    const h = new ShardHarness();
    const { records } = h.commit('g', { 't:0': 1 }, { version, retentionTimeMs: 5_000 });
    const record = records[0];
    expect(record.type === 'OffsetCommit' && record.value?.expireTimestamp).toBe(-1);
    expect(encodeCoordinatorRecord(record).value!.readInt16BE(0)).toBe(3);
  });

  it.each([
    [5, -1],
    [6, 7],
    [9, 7],
  ])('keeps the committed leader epoch only from v6 (v%i stores %i)', (version, stored) => {
    const h = new ShardHarness();
    h.commit('g', { 't:0': 100 }, { version, leaderEpoch: 7 });
    expect(h.shard.fetchOffsets({ groupId: 'g', topics: [{ name: 't', partitionIndexes: [0] }] }).topics[0].partitions[0]).toEqual({
      partitionIndex: 0,
      committedOffset: 100,
      committedLeaderEpoch: stored,
      metadata: 'm100',
      errorCode: ErrorCode.NONE,
    });
  });
});

describe('GroupCoordinatorShard offset fetches', () => {
  it('answers the partitions asked for, -1 where nothing is committed', () => {
    const h = new ShardHarness();
    h.commit('g', { 'a:0': 1, 'a:2': 3, 'b:0': 4 }, { version: 7, leaderEpoch: 2 });
    const query: OffsetFetchQuery = {
      groupId: 'g',
      topics: [
        { name: 'a', partitionIndexes: [0, 1, 2] },
        { name: 'zzz', partitionIndexes: [0] },
      ],
    };
    expect(h.shard.fetchOffsets(query)).toEqual({
      errorCode: ErrorCode.NONE,
      topics: [
        {
          name: 'a',
          partitions: [
            { partitionIndex: 0, committedOffset: 1, committedLeaderEpoch: 2, metadata: 'm1', errorCode: 0 },
            { partitionIndex: 1, committedOffset: -1, committedLeaderEpoch: -1, metadata: '', errorCode: 0 },
            { partitionIndex: 2, committedOffset: 3, committedLeaderEpoch: 2, metadata: 'm3', errorCode: 0 },
          ],
        },
        { name: 'zzz', partitions: [{ partitionIndex: 0, committedOffset: -1, committedLeaderEpoch: -1, metadata: '', errorCode: 0 }] },
      ],
    });
    // A group that does not exist: -1 for everything asked for, no error.
    expect(h.shard.fetchOffsets({ ...query, groupId: 'unknown' }).topics[0].partitions.map((p) => p.committedOffset)).toEqual([-1, -1, -1]);
  });

  it('answers every committed offset when the topics are null', () => {
    const h = new ShardHarness();
    h.commit('g', { 'a:0': 1, 'b:3': 2, 'a:1': 5 });
    h.commit('other', { 'c:0': 9 });
    const all = h.shard.fetchOffsets({ groupId: 'g', topics: null });
    expect(all.errorCode).toBe(ErrorCode.NONE);
    expect(all.topics.map((t) => [t.name, t.partitions.map((p) => [p.partitionIndex, p.committedOffset])])).toEqual([
      ['a', [[0, 1], [1, 5]]],
      ['b', [[3, 2]]],
    ]);
    expect(h.shard.fetchOffsets({ groupId: 'unknown', topics: null })).toEqual({ errorCode: ErrorCode.NONE, topics: [] });
    expect(h.shard.fetchOffsets({ groupId: '', topics: null }).errorCode).toBe(ErrorCode.INVALID_GROUP_ID);
  });
});

describe('GroupCoordinatorShard offset deletion', () => {
  const del = (h: ShardHarness, groupId: string, topics: Record<string, number[]>) => {
    const result = h.shard.deleteOffsets(
      groupId,
      Object.entries(topics).map(([name, ps]) => ({ name, partitions: ps.map((partitionIndex) => ({ partitionIndex })) })),
      h.now,
    );
    h.log.push(...result.records);
    return result;
  };

  it('answers GROUP_ID_NOT_FOUND for an unknown group and INVALID_GROUP_ID for ""', () => {
    const h = new ShardHarness();
    expect(del(h, 'nobody', { t: [0] }).response).toEqual({ errorCode: ErrorCode.GROUP_ID_NOT_FOUND, topics: [] });
    expect(del(h, '', { t: [0] }).response.errorCode).toBe(ErrorCode.INVALID_GROUP_ID);
  });

  it('answers NON_EMPTY_GROUP for a group with members that is not a consumer group', () => {
    const h = new ShardHarness();
    const { generation, memberIds } = h.stableGroup('connect', [{ metadata: Buffer.from('worker config') }], 'connect');
    h.commit('connect', { 't:0': 1 }, { generation, memberId: memberIds[0] });
    const result = del(h, 'connect', { t: [0] });
    expect(result.response).toEqual({ errorCode: ErrorCode.NON_EMPTY_GROUP, topics: [] });
    expect(result.records).toEqual([]);
    expect(h.offsets('connect')).toEqual({ 't:0': 1 });
  });

  it('answers GROUP_SUBSCRIBED_TO_TOPIC for topics a Stable consumer group subscribes to, and deletes the others', () => {
    const h = new ShardHarness();
    const { generation, memberIds } = h.stableGroup('g', [{ topics: ['a'] }, { topics: ['a', 'c'] }]);
    h.commit('g', { 'a:0': 1, 'b:0': 2, 'b:1': 3, 'c:0': 4 }, { generation, memberId: memberIds[0] });
    const result = del(h, 'g', { a: [0], b: [0, 1, 7], c: [0] });
    expect(result.response).toEqual({
      errorCode: ErrorCode.NONE,
      topics: [
        { name: 'a', partitions: [{ partitionIndex: 0, errorCode: ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC }] },
        {
          name: 'b',
          partitions: [
            { partitionIndex: 0, errorCode: ErrorCode.NONE },
            { partitionIndex: 1, errorCode: ErrorCode.NONE },
            { partitionIndex: 7, errorCode: ErrorCode.NONE },
          ],
        },
        { name: 'c', partitions: [{ partitionIndex: 0, errorCode: ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC }] },
      ],
    });
    // Only offsets that existed get a tombstone.
    expect(tombstones(result.records)).toEqual(['offset g/b:0', 'offset g/b:1']);
    expect(h.offsets('g')).toEqual({ 'a:0': 1, 'c:0': 4 });
    expect(h.state('g')).toBe('Stable');
  });

  it('deletes any offset of an Empty group', () => {
    const h = new ShardHarness();
    h.commit('g', { 'a:0': 1, 'a:1': 2 });
    const result = del(h, 'g', { a: [0] });
    expect(result.response.errorCode).toBe(ErrorCode.NONE);
    expect(tombstones(result.records)).toEqual(['offset g/a:0']);
    expect(h.offsets('g')).toEqual({ 'a:1': 2 });
  });
});

describe('GroupCoordinatorShard offset expiry', () => {
  it('expires a simple group offsets offsets.retention.minutes after their commit, then forgets the group', () => {
    const h = new ShardHarness();
    h.commit('simple', { 't:0': 1 });
    h.now += 1_000;
    h.commit('simple', { 't:1': 2 });
    expect(h.shard.expireOffsets(START + RETENTION_MS - 1)).toEqual([]);
    expect(tombstones(h.shard.expireOffsets(START + RETENTION_MS))).toEqual(['offset simple/t:0']);
    expect(h.offsets('simple')).toEqual({ 't:1': 2 });
    expect(h.shard.listGroups([], [])).toHaveLength(1);
    // The group goes with its last offset, with a tombstone so that a replay forgets it too (Kafka's maybeDeleteGroup).
    expect(tombstones(h.shard.expireOffsets(START + 1_000 + RETENTION_MS))).toEqual(['offset simple/t:1', 'GroupMetadata {"group":"simple"}']);
    expect(h.shard.listGroups([], [])).toEqual([]);
    expect(h.shard.expireOffsets(START + 10 * RETENTION_MS)).toEqual([]);
  });

  it('expires an offset with an explicit expire timestamp (OffsetCommit v2-v4) at that time', () => {
    const h = new ShardHarness();
    h.commit('g', { 't:0': 1 }, { version: 2, retentionTimeMs: 60_000 });
    h.commit('g', { 't:1': 1 }, { version: 2 });
    expect(h.shard.expireOffsets(START + 59_999)).toEqual([]);
    expect(tombstones(h.shard.expireOffsets(START + 60_000))).toEqual(['offset g/t:0']);
    expect(h.offsets('g')).toEqual({ 't:1': 1 });
  });

  it('expires an Empty consumer group offsets from the time it became Empty, then deletes the group', () => {
    const h = new ShardHarness();
    const { generation, memberIds } = h.stableGroup('g', [{ topics: ['t'] }]);
    h.commit('g', { 't:0': 1 }, { generation, memberId: memberIds[0] });
    const emptiedAt = START + 3_600_000;
    h.now = emptiedAt;
    h.leave('g', memberIds[0]);
    expect(h.state('g')).toBe('Empty');
    expect(h.shard.classic.get('g')!.currentStateTimestamp).toBe(emptiedAt);
    // Retention counts from when the group became Empty, not from the commit.
    expect(h.shard.expireOffsets(START + RETENTION_MS)).toEqual([]);
    const expired = h.shard.expireOffsets(emptiedAt + RETENTION_MS);
    expect(tombstones(expired)).toEqual(['offset g/t:0', 'GroupMetadata {"group":"g"}']);
    expect(h.state('g')).toBeUndefined();
    expect(h.shard.listGroups([], [])).toEqual([]);
  });

  it('expires only the offsets of topics a Stable consumer group does not subscribe to', () => {
    const h = new ShardHarness();
    const { generation, memberIds } = h.stableGroup('g', [{ topics: ['subscribed'] }]);
    h.commit('g', { 'subscribed:0': 1, 'gone:0': 2 }, { generation, memberId: memberIds[0] });
    const expired = h.shard.expireOffsets(START + 2 * RETENTION_MS);
    expect(tombstones(expired)).toEqual(['offset g/gone:0']);
    expect(h.offsets('g')).toEqual({ 'subscribed:0': 1 });
    expect(h.state('g')).toBe('Stable');
  });

  it('expires nothing of a group in the middle of a rebalance', () => {
    const h = new ShardHarness();
    h.commit('g', { 't:0': 1 });
    h.completingGroup('g', [{ topics: ['x'] }]);
    expect(h.shard.expireOffsets(START + 2 * RETENTION_MS)).toEqual([]);
    expect(h.offsets('g')).toEqual({ 't:0': 1 });
  });
});

describe('GroupCoordinatorShard group deletion', () => {
  it('deletes Empty groups with their offsets, and answers per group', () => {
    const h = new ShardHarness();
    const stable = h.stableGroup('busy', [{ topics: ['t'] }]);
    h.commit('busy', { 't:0': 1 }, { generation: stable.generation, memberId: stable.memberIds[0] });
    const emptied = h.stableGroup('emptied', [{ topics: ['t'] }]);
    h.commit('emptied', { 't:0': 5, 'u:1': 6 }, { generation: emptied.generation, memberId: emptied.memberIds[0] });
    h.leave('emptied', emptied.memberIds[0]);
    h.commit('simple', { 't:0': 7 });

    const result = h.shard.deleteGroups(['busy', 'emptied', 'simple', 'unknown', ''], h.now);
    h.log.push(...result.records);
    expect(result.response).toEqual([
      { groupId: 'busy', errorCode: ErrorCode.NON_EMPTY_GROUP },
      { groupId: 'emptied', errorCode: ErrorCode.NONE },
      { groupId: 'simple', errorCode: ErrorCode.NONE },
      { groupId: 'unknown', errorCode: ErrorCode.GROUP_ID_NOT_FOUND },
      { groupId: '', errorCode: ErrorCode.INVALID_GROUP_ID },
    ]);
    expect(tombstones(result.records)).toEqual([
      'offset emptied/t:0',
      'offset emptied/u:1',
      'GroupMetadata {"group":"emptied"}',
      'offset simple/t:0',
      'GroupMetadata {"group":"simple"}',
    ]);
    expect(h.offsets('emptied')).toEqual({});
    expect(h.offsets('simple')).toEqual({});
    expect(h.offsets('busy')).toEqual({ 't:0': 1 });
    expect(h.shard.listGroups([], []).map((g) => g.groupId)).toEqual(['busy']);
    expect(h.shard.deleteGroups(['emptied'], h.now).response).toEqual([{ groupId: 'emptied', errorCode: ErrorCode.GROUP_ID_NOT_FOUND }]);
  });
});

describe('GroupCoordinatorShard ListGroups and DescribeGroups', () => {
  function threeGroups(): ShardHarness {
    const h = new ShardHarness();
    h.stableGroup('stable', [{ topics: ['t'] }]);
    h.completingGroup('completing', [{ topics: ['t'] }]);
    h.commit('simple', { 't:0': 1 });
    return h;
  }

  it('lists every group with its state and type', () => {
    const h = threeGroups();
    expect(h.shard.listGroups([], [])).toEqual([
      { groupId: 'stable', protocolType: 'consumer', groupState: 'Stable', groupType: 'classic' },
      { groupId: 'completing', protocolType: 'consumer', groupState: 'CompletingRebalance', groupType: 'classic' },
      { groupId: 'simple', protocolType: '', groupState: 'Empty', groupType: 'classic' },
    ]);
  });

  it.each([
    [['stable'], [], ['stable']],
    [['STABLE', 'empty'], [], ['stable', 'simple']],
    [['completingrebalance'], [], ['completing']],
    [['Dead'], [], []],
    [[], ['Classic'], ['stable', 'completing', 'simple']],
    [[], ['CONSUMER'], []],
    [['Empty'], ['classic', 'consumer'], ['simple']],
  ])('filters by states %j and types %j, ignoring case', (states, types, expected) => {
    const h = threeGroups();
    expect(h.shard.listGroups(states, types).map((g) => g.groupId)).toEqual(expected);
  });

  it('describes an unknown group as Dead, and "" as INVALID_GROUP_ID', () => {
    const h = new ShardHarness();
    expect(h.shard.describeGroup('nobody', -2147483648)).toEqual({
      errorCode: ErrorCode.NONE,
      groupId: 'nobody',
      groupState: 'Dead',
      protocolType: '',
      protocolData: '',
      members: [],
      authorizedOperations: -2147483648,
    });
    expect(h.shard.describeGroup('', 0).errorCode).toBe(ErrorCode.INVALID_GROUP_ID);
  });

  it('describes members with metadata and assignment only once the group is Stable', () => {
    const h = new ShardHarness();
    const { generation, memberIds, leader } = h.completingGroup('g', [{ topics: ['a'] }, { topics: ['b'] }]);
    const during = h.shard.describeGroup('g', 8);
    expect(during).toMatchObject({ errorCode: 0, groupState: 'CompletingRebalance', protocolType: 'consumer', protocolData: '', authorizedOperations: 8 });
    expect(during.members.map((m) => [m.memberId, m.memberMetadata.length, m.memberAssignment.length])).toEqual(memberIds.map((id) => [id, 0, 0]));

    h.sync('g', leader, generation, Object.fromEntries(memberIds.map((id, i) => [id, `assigned-${i}`])));
    const stable = h.shard.describeGroup('g', 8);
    expect(stable).toMatchObject({ groupState: 'Stable', protocolType: 'consumer', protocolData: 'range' });
    expect(stable.members).toEqual(
      memberIds.map((id, i) => ({
        memberId: id,
        groupInstanceId: null,
        clientId: 'client',
        clientHost: '/10.0.0.1',
        memberMetadata: subscription([['a'], ['b']][i]),
        memberAssignment: Buffer.from(`assigned-${i}`),
      })),
    );
  });
});

describe('GroupCoordinatorShard replay', () => {
  /** What a client can observe of a shard: its groups, their descriptions and their offsets. */
  function observe(shard: GroupCoordinatorShard, groupIds: readonly string[]): unknown {
    const key = (g: { groupId: string }) => g.groupId;
    return {
      listed: [...shard.listGroups([], [])].sort((a, b) => key(a).localeCompare(key(b))),
      described: groupIds.map((id) => shard.describeGroup(id, 0)),
      offsets: groupIds.map((id) => shard.fetchOffsets({ groupId: id, topics: null })),
    };
  }

  function replayed(h: ShardHarness): GroupCoordinatorShard {
    const fresh = new GroupCoordinatorShard(CONFIG, new SeededRandom(99));
    for (const record of h.log) fresh.replay(record, h.now);
    fresh.onLoaded(h.now);
    return fresh;
  }

  it('rebuilds groups and offsets from the records written', () => {
    const h = new ShardHarness();
    const a = h.stableGroup('stable', [{ topics: ['t'] }, { topics: ['t', 'u'], instanceId: 'static-1' }]);
    h.commit('stable', { 't:0': 10, 't:1': 11, 'u:0': 12 }, { generation: a.generation, memberId: a.memberIds[0], version: 7, leaderEpoch: 3 });
    h.now += 1_000;
    h.commit('stable', { 't:0': 13 }, { generation: a.generation, memberId: a.memberIds[1], instanceId: 'static-1', version: 3, retentionTimeMs: 999_999 });
    h.commit('simple', { 'x:0': 1, 'x:1': 2 });
    const b = h.stableGroup('emptied', [{ topics: ['t'] }]);
    h.commit('emptied', { 't:0': 5 }, { generation: b.generation, memberId: b.memberIds[0] });
    h.now += 1_000;
    h.leave('emptied', b.memberIds[0]);
    const c = h.stableGroup('deleted', [{ topics: ['t'] }]);
    h.commit('deleted', { 't:0': 1 }, { generation: c.generation, memberId: c.memberIds[0] });
    h.leave('deleted', c.memberIds[0]);
    h.log.push(...h.shard.deleteGroups(['deleted'], h.now).records);
    const deleted = h.shard.deleteOffsets('stable', [{ name: 'u', partitions: [{ partitionIndex: 0 }] }], h.now);
    expect(deleted.response.topics[0].partitions[0].errorCode).toBe(ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC);
    h.log.push(...deleted.records);
    const connect = h.stableGroup('connect', [{ metadata: Buffer.from('cfg') }], 'connect');
    h.commit('connect', { 'cfg:0': 99 }, { generation: connect.generation, memberId: connect.memberIds[0] });

    const ids = ['stable', 'simple', 'emptied', 'deleted', 'connect', 'never'];
    expect(observe(replayed(h), ids)).toEqual(observe(h.shard, ids));
    // And it round-trips through the bytes written to __consumer_offsets.
    expect(h.log.every((r) => encodeCoordinatorRecord(r).key.length > 0)).toBe(true);
  });

  it('rebuilds the same state after offsets expire and are deleted', () => {
    const h = new ShardHarness();
    const s = h.stableGroup('stable', [{ topics: ['kept'] }]);
    h.commit('stable', { 'kept:0': 1, 'dropped:0': 2 }, { generation: s.generation, memberId: s.memberIds[0] });
    const e = h.stableGroup('emptied', [{ topics: ['t'] }]);
    h.commit('emptied', { 't:0': 5 }, { generation: e.generation, memberId: e.memberIds[0] });
    h.leave('emptied', e.memberIds[0]);
    h.commit('partly', { 't:0': 1, 't:1': 2 });
    h.now += 1_000;
    h.commit('partly', { 't:2': 3 });
    h.now = START + RETENTION_MS + 500;
    h.log.push(...h.shard.expireOffsets(h.now));

    const ids = ['stable', 'partly', 'emptied'];
    expect(observe(h.shard, ids)).toMatchObject({ listed: [{ groupId: 'partly' }, { groupId: 'stable' }] });
    expect(observe(replayed(h), ids)).toEqual(observe(h.shard, ids));
  });

  it('rebuilds the same state after a simple group loses all its offsets', () => {
    // A simple group has no GroupMetadata record of its own; once its last offset expires (or is
    // deleted) the live shard forgets it. Replaying the same records must forget it too.
    const h = new ShardHarness();
    h.commit('expired', { 't:0': 1 });
    h.commit('deleted', { 't:0': 1 });
    const result = h.shard.deleteOffsets('deleted', [{ name: 't', partitions: [{ partitionIndex: 0 }] }], h.now);
    h.log.push(...result.records);
    h.now += RETENTION_MS;
    h.log.push(...h.shard.expireOffsets(h.now));
    expect(h.shard.listGroups([], [])).toEqual([]);

    const ids = ['expired', 'deleted'];
    expect(observe(replayed(h), ids)).toEqual(observe(h.shard, ids));
  });
});
