import { describe, expect, it } from 'vitest';
import { DEFAULT_CLASSIC_GROUP_CONFIG, type GroupEffects, type GroupReply } from '../../../src/coordinator/group/classic-group-model.js';
import { DEFAULT_CONSUMER_GROUP_CONFIG } from '../../../src/coordinator/group/consumer/consumer-groups.js';
import type { TopicsView } from '../../../src/coordinator/group/consumer/topics-view.js';
import { decodeCoordinatorRecord, encodeCoordinatorRecord } from '../../../src/coordinator/group/coordinator-record-serde.js';
import type { CoordinatorRecord } from '../../../src/coordinator/group/coordinator-records.js';
import { type GroupCoordinatorConfig, GroupCoordinatorShard, type TxnOffsetCommitDecision } from '../../../src/coordinator/group/group-coordinator-shard.js';
import { createConsumerGroupHeartbeatRequest } from '../../../src/protocol/generated/clients/consumer-group-heartbeat-request.js';
import type { JoinGroupResponse } from '../../../src/protocol/generated/clients/join-group-response.js';
import { createTxnOffsetCommitRequest } from '../../../src/protocol/generated/clients/txn-offset-commit-request.js';
import { ErrorCode } from '../../../src/protocol/generated/error-codes.js';
import { SeededRandom } from '../../../src/util/random.js';

const RETENTION_MS = 24 * 60 * 60 * 1000;
const CONFIG: GroupCoordinatorConfig = {
  classic: { ...DEFAULT_CLASSIC_GROUP_CONFIG, initialRebalanceDelayMs: 0 },
  consumer: DEFAULT_CONSUMER_GROUP_CONFIG,
  offsetMetadataMaxBytes: 20,
  offsetsRetentionMs: RETENTION_MS,
};
const NO_TOPICS: TopicsView = { byName: () => undefined, byId: () => undefined, names: () => [] };
const PID = 4000;
const OTHER_PID = 4001;

/** What was appended to the partition, in order: batches (transactional ones with their producer) and markers. */
type LogEntry =
  | { readonly kind: 'batch'; readonly producerId: number; readonly records: readonly CoordinatorRecord[] }
  | { readonly kind: 'marker'; readonly producerId: number; readonly commit: boolean };

interface TxnOptions {
  producerId?: number;
  version?: number;
  generation?: number;
  memberId?: string;
  instanceId?: string | null;
  metadata?: string | null;
  leaderEpoch?: number;
}

/** Drives one shard, keeping what a driver would append in order, so that the log can be replayed onto a new shard. */
class TxnHarness {
  now = 1_000_000;
  readonly shard = new GroupCoordinatorShard(CONFIG, new SeededRandom(3));
  readonly log: LogEntry[] = [];
  private nextTo = 1;

  private keep(records: readonly CoordinatorRecord[], producerId = -1): void {
    if (records.length > 0) this.log.push({ kind: 'batch', producerId, records });
  }

  /** TxnOffsetCommit of `offsets` ({ 'topic:partition': offset }); answers { 'topic:partition': errorCode }. */
  txnCommitDecision(groupId: string, offsets: Record<string, number>, o: TxnOptions = {}): TxnOffsetCommitDecision {
    const byTopic = new Map<string, { partitionIndex: number; committedOffset: number; committedLeaderEpoch: number; committedMetadata: string | null }[]>();
    for (const [tp, offset] of Object.entries(offsets)) {
      const [topic, partition] = tp.split(':');
      if (!byTopic.has(topic)) byTopic.set(topic, []);
      byTopic.get(topic)!.push({
        partitionIndex: Number(partition),
        committedOffset: offset,
        committedLeaderEpoch: o.leaderEpoch ?? 3,
        committedMetadata: o.metadata === undefined ? `t${offset}` : o.metadata,
      });
    }
    const request = createTxnOffsetCommitRequest({
      transactionalId: 'txn',
      groupId,
      producerId: o.producerId ?? PID,
      producerEpoch: 2,
      generationId: o.generation ?? -1,
      memberId: o.memberId ?? '',
      groupInstanceId: o.instanceId ?? null,
      topics: [...byTopic].map(([name, partitions]) => ({ name, partitions })),
    });
    return this.shard.commitTransactionalOffsets(request, o.version ?? 4, this.now);
  }

  txnCommit(groupId: string, offsets: Record<string, number>, o: TxnOptions = {}): Record<string, number> {
    const decision = this.txnCommitDecision(groupId, offsets, o);
    this.keep(decision.records, decision.producerId);
    const errors: Record<string, number> = {};
    for (const t of decision.response) for (const p of t.partitions) errors[`${t.name}:${p.partitionIndex}`] = p.errorCode;
    return errors;
  }

  commit(groupId: string, offsets: Record<string, number>, generation = -1, memberId = ''): void {
    const result = this.shard.commitOffsets(
      {
        groupId,
        generationIdOrMemberEpoch: generation,
        memberId,
        groupInstanceId: null,
        retentionTimeMs: -1,
        topics: Object.entries(offsets).map(([tp, committedOffset]) => {
          const [name, partition] = tp.split(':');
          return { name, partitions: [{ partitionIndex: Number(partition), committedOffset, committedLeaderEpoch: -1, commitTimestamp: -1, committedMetadata: 'plain' }] };
        }),
      },
      8,
      this.now,
    );
    for (const t of result.response) for (const p of t.partitions) expect(p.errorCode).toBe(ErrorCode.NONE);
    this.keep(result.records);
  }

  marker(producerId: number, commit: boolean): void {
    this.log.push({ kind: 'marker', producerId, commit });
    this.shard.replayEndTransactionMarker(producerId, commit);
  }

  /** Every offset of the group as { 'topic:partition': offset } (OffsetFetch with null topics). */
  offsets(groupId: string, requireStable = false): Record<string, number | string> {
    const fetched = this.shard.fetchOffsets({ groupId, topics: null, requireStable });
    const out: Record<string, number | string> = {};
    for (const t of fetched.topics) {
      for (const p of t.partitions) out[`${t.name}:${p.partitionIndex}`] = p.errorCode === ErrorCode.NONE ? p.committedOffset : `error ${p.errorCode}`;
    }
    return out;
  }

  /** OffsetFetch of named partitions: [offset, errorCode] each. */
  fetch(groupId: string, topic: string, partitions: number[], requireStable: boolean): Array<[number, number]> {
    const fetched = this.shard.fetchOffsets({ groupId, topics: [{ name: topic, partitionIndexes: partitions }], requireStable });
    return fetched.topics[0].partitions.map((p) => [p.committedOffset, p.errorCode]);
  }

  /** A Stable classic group of one member (generation 1). */
  stableGroup(groupId: string): { memberId: string; generation: number } {
    const ctx = (to: number, apiVersion: number) => ({ to, apiVersion, clientId: 'c', clientHost: '/h', now: this.now });
    const join = (memberId: string): { to: number; fx: GroupEffects } => {
      const to = this.nextTo++;
      const fx = this.shard.joinGroup(
        {
          groupId,
          sessionTimeoutMs: 10_000,
          rebalanceTimeoutMs: 30_000,
          memberId,
          groupInstanceId: null,
          protocolType: 'consumer',
          protocols: [{ name: 'range', metadata: Buffer.alloc(0) }],
          reason: null,
        },
        ctx(to, 9),
      );
      this.keep(fx.records);
      return { to, fx };
    };
    const first = join('');
    const memberId = joinReply(first.fx.replies, first.to).memberId;
    const second = join(memberId);
    const tick = this.shard.tick(this.now, NO_TOPICS);
    this.keep(tick.records);
    const joined = joinReply([...second.fx.replies, ...tick.replies], second.to);
    const sync = this.shard.syncGroup(
      { groupId, generationId: joined.generationId, memberId, groupInstanceId: null, protocolType: null, protocolName: null, assignments: [{ memberId, assignment: Buffer.from('a') }] },
      ctx(this.nextTo++, 5),
    );
    this.keep(sync.records);
    expect(this.shard.classic.get(groupId)?.currentState).toBe('Stable');
    return { memberId, generation: joined.generationId };
  }

  /** A new shard that replays the log through the record bytes, as a load does. */
  replayed(): GroupCoordinatorShard {
    const shard = new GroupCoordinatorShard(CONFIG, new SeededRandom(3));
    for (const entry of this.log) {
      if (entry.kind === 'marker') {
        shard.replayEndTransactionMarker(entry.producerId, entry.commit);
        continue;
      }
      for (const record of entry.records) {
        const { key, value } = encodeCoordinatorRecord(record);
        shard.replay(decodeCoordinatorRecord(key, value)!, this.now, entry.producerId);
      }
    }
    return shard;
  }
}

function joinReply(replies: readonly GroupReply[], to: number): JoinGroupResponse {
  const reply = replies.find((r) => r.to === to);
  if (reply?.api !== 'join') throw new Error(`no join reply to ${to}`);
  return reply.response;
}

/** What OffsetFetch shows of a shard, stable and not, for comparing a live shard with a replayed one. */
function view(shard: GroupCoordinatorShard, groupIds: string[]): unknown {
  return groupIds.map((groupId) => ({
    groupId,
    all: shard.fetchOffsets({ groupId, topics: null }),
    stable: shard.fetchOffsets({ groupId, topics: [{ name: 't', partitionIndexes: [0, 1, 2] }], requireStable: true }),
    groups: shard.listGroups([], []).filter((g) => g.groupId === groupId),
  }));
}

describe('transactional offsets on the shard', () => {
  it('keeps TxnOffsetCommit offsets pending: invisible to OffsetFetch, which answers the last committed offset', () => {
    const h = new TxnHarness();
    h.commit('g', { 't:0': 5 });
    expect(h.txnCommit('g', { 't:0': 10, 't:1': 11 })).toEqual({ 't:0': ErrorCode.NONE, 't:1': ErrorCode.NONE });
    expect(h.offsets('g')).toEqual({ 't:0': 5 });
    expect(h.fetch('g', 't', [0, 1, 2], false)).toEqual([
      [5, ErrorCode.NONE],
      [-1, ErrorCode.NONE],
      [-1, ErrorCode.NONE],
    ]);
    expect(h.shard.hasPendingTransactionalOffsets('g', 't', 0)).toBe(true);
    expect(h.shard.hasPendingTransactionalOffsets('g', 't', 2)).toBe(false);
    expect(h.shard.pendingOffsets.get(PID, 'g', 't', 1)).toMatchObject({ offset: 11, leaderEpoch: 3, metadata: 't11', expireTimestamp: -1 });
  });

  it('answers UNSTABLE_OFFSET_COMMIT for partitions with pending offsets when stable offsets are required', () => {
    const h = new TxnHarness();
    h.commit('g', { 't:0': 5, 't:2': 7 });
    h.txnCommit('g', { 't:0': 10, 't:1': 11 });
    expect(h.fetch('g', 't', [0, 1, 2], true)).toEqual([
      [-1, ErrorCode.UNSTABLE_OFFSET_COMMIT],
      [-1, ErrorCode.UNSTABLE_OFFSET_COMMIT],
      [7, ErrorCode.NONE],
    ]);
    // Every offset of the group (null topics): the committed partitions, t:0 unstable; t:1 has no committed offset to list.
    expect(h.offsets('g', true)).toEqual({ 't:0': `error ${ErrorCode.UNSTABLE_OFFSET_COMMIT}`, 't:2': 7 });
    // Another group on the same partitions is not affected.
    h.commit('other', { 't:0': 1 });
    expect(h.fetch('other', 't', [0], true)).toEqual([[1, ErrorCode.NONE]]);
    h.marker(PID, true);
    expect(h.fetch('g', 't', [0, 1, 2], true)).toEqual([
      [10, ErrorCode.NONE],
      [11, ErrorCode.NONE],
      [7, ErrorCode.NONE],
    ]);
  });

  it('a COMMIT marker makes the producer pending offsets committed; an ABORT marker drops them', () => {
    const h = new TxnHarness();
    h.commit('g', { 't:0': 5 });
    h.txnCommit('g', { 't:0': 10 }, { producerId: PID });
    h.txnCommit('g', { 't:1': 20 }, { producerId: OTHER_PID });
    h.txnCommit('h', { 't:0': 30 }, { producerId: PID });
    h.marker(PID, true);
    expect(h.offsets('g')).toEqual({ 't:0': 10 });
    expect(h.offsets('h')).toEqual({ 't:0': 30 });
    expect(h.shard.hasPendingTransactionalOffsets('g', 't', 1)).toBe(true);
    h.marker(OTHER_PID, false);
    expect(h.offsets('g')).toEqual({ 't:0': 10 });
    expect(h.shard.hasPendingTransactionalOffsets('g', 't', 1)).toBe(false);
    expect(h.shard.pendingOffsets.hasOpenTransactions('g')).toBe(false);
    // A marker without pending offsets (a transaction that committed no offsets here) changes nothing.
    h.marker(PID, true);
    expect(h.offsets('g')).toEqual({ 't:0': 10 });
  });

  it('the later of a transactional and a plain commit of a partition wins when the transaction commits', () => {
    const h = new TxnHarness();
    h.txnCommit('g', { 't:0': 10, 't:1': 11 });
    h.commit('g', { 't:0': 50 });
    h.marker(PID, true);
    expect(h.offsets('g')).toEqual({ 't:0': 50, 't:1': 11 });
    h.commit('g', { 't:1': 60 });
    h.txnCommit('g', { 't:1': 12 });
    h.marker(PID, true);
    expect(h.offsets('g')).toEqual({ 't:0': 50, 't:1': 12 });
  });

  it('the same producer committing a partition twice in a transaction keeps the later offset', () => {
    const h = new TxnHarness();
    h.txnCommit('g', { 't:0': 10 });
    h.txnCommit('g', { 't:0': 15 });
    h.marker(PID, true);
    expect(h.offsets('g')).toEqual({ 't:0': 15 });
  });

  it('replaying the log with its transactional batches and markers rebuilds the same offsets, pending ones included', () => {
    const h = new TxnHarness();
    const member = h.stableGroup('stable');
    h.commit('g', { 't:0': 1, 't:1': 2 });
    h.txnCommit('g', { 't:0': 10 });
    h.txnCommit('g', { 't:1': 20 }, { producerId: OTHER_PID });
    h.commit('g', { 't:1': 3 });
    h.marker(OTHER_PID, true); // the plain commit of t:1 came later and stays
    h.marker(PID, false);
    h.txnCommit('g', { 't:2': 30 });
    h.txnCommit('stable', { 't:0': 40 }, { producerId: OTHER_PID, version: 3, ...member });
    h.marker(OTHER_PID, true);
    h.txnCommit('simple-txn', { 't:0': 50 }, { producerId: 4002 }); // open at the end of the log
    expect(h.offsets('g')).toEqual({ 't:0': 1, 't:1': 3 });
    expect(h.offsets('stable')).toEqual({ 't:0': 40 });
    const replayed = h.replayed();
    const groups = ['g', 'stable', 'simple-txn'];
    expect(view(replayed, groups)).toEqual(view(h.shard, groups));
    expect(replayed.hasPendingTransactionalOffsets('g', 't', 2)).toBe(true);
    expect(replayed.hasPendingTransactionalOffsets('simple-txn', 't', 0)).toBe(true);
    // The group that exists only through pending offsets is a simple group after the replay too.
    expect(replayed.listGroups([], []).map((g) => g.groupId).sort()).toEqual(['g', 'simple-txn', 'stable']);
    // Markers after the load complete what the log left open, on both.
    for (const shard of [h.shard, replayed]) {
      shard.replayEndTransactionMarker(PID, true);
      shard.replayEndTransactionMarker(4002, false);
    }
    expect(view(replayed, groups)).toEqual(view(h.shard, groups));
    expect(h.offsets('g')).toEqual({ 't:0': 1, 't:1': 3, 't:2': 30 });
  });

  it('reverts a TxnOffsetCommit whose batch storage refused, back to the earlier pending offset', () => {
    const h = new TxnHarness();
    h.txnCommit('g', { 't:0': 10 });
    const refused = h.txnCommitDecision('g', { 't:0': 11, 't:1': 12 });
    expect(h.shard.pendingOffsets.get(PID, 'g', 't', 0)?.offset).toBe(11);
    h.shard.revertTransactionalOffsets(refused);
    expect(h.shard.pendingOffsets.get(PID, 'g', 't', 0)?.offset).toBe(10);
    expect(h.shard.hasPendingTransactionalOffsets('g', 't', 1)).toBe(false);
    h.marker(PID, true);
    expect(h.offsets('g')).toEqual({ 't:0': 10 });
    // A refused first commit leaves no open transaction behind.
    h.shard.revertTransactionalOffsets(h.txnCommitDecision('fresh', { 't:0': 1 }));
    expect(h.shard.pendingOffsets.hasOpenTransactions('fresh')).toBe(false);
  });
});

describe('TxnOffsetCommit validation', () => {
  it('accepts commits without member and generation (v0-v2) whatever the classic group state, and checks them from v3', () => {
    const h = new TxnHarness();
    const member = h.stableGroup('g');
    expect(h.txnCommit('g', { 't:0': 1 }, { version: 0 })).toEqual({ 't:0': ErrorCode.NONE });
    expect(h.txnCommit('g', { 't:0': 1 }, { version: 3 })).toEqual({ 't:0': ErrorCode.NONE });
    expect(h.txnCommit('g', { 't:0': 1 }, { version: 3, ...member })).toEqual({ 't:0': ErrorCode.NONE });
    expect(h.txnCommit('g', { 't:0': 1 }, { version: 3, ...member, generation: member.generation + 1 })).toEqual({ 't:0': ErrorCode.ILLEGAL_GENERATION });
    expect(h.txnCommit('g', { 't:0': 1 }, { version: 4, generation: member.generation, memberId: 'stranger' })).toEqual({ 't:0': ErrorCode.UNKNOWN_MEMBER_ID });
    expect(h.txnCommit('g', { 't:0': 1 }, { version: 4, ...member, instanceId: 'unknown-instance' })).toEqual({ 't:0': ErrorCode.UNKNOWN_MEMBER_ID });
  });

  it('is not refused while the classic group completes a rebalance, and is no heartbeat', () => {
    const h = new TxnHarness();
    const member = h.stableGroup('g');
    const classic = h.shard.classic.get('g')!;
    const deadline = h.shard.nextDeadline();
    h.now += 1_000;
    expect(h.txnCommit('g', { 't:0': 1 }, { version: 3, ...member })).toEqual({ 't:0': ErrorCode.NONE });
    expect(h.shard.nextDeadline()).toBe(deadline);
    expect(classic.currentState).toBe('Stable');
  });

  it('answers ILLEGAL_GENERATION for a generation to a group that does not exist, and creates a simple group for -1', () => {
    const h = new TxnHarness();
    expect(h.txnCommit('nobody', { 't:0': 1 }, { version: 3, generation: 2, memberId: 'm' })).toEqual({ 't:0': ErrorCode.ILLEGAL_GENERATION });
    expect(h.shard.listGroups([], [])).toEqual([]);
    expect(h.txnCommit('simple', { 't:0': 1 }, { version: 3 })).toEqual({ 't:0': ErrorCode.NONE });
    expect(h.shard.listGroups([], [])).toEqual([{ groupId: 'simple', protocolType: '', groupState: 'Empty', groupType: 'classic' }]);
  });

  it('answers OFFSET_METADATA_TOO_LARGE per partition and INVALID_GROUP_ID for an empty group id', () => {
    const h = new TxnHarness();
    const decision = h.txnCommitDecision('g', { 't:0': 1 }, { metadata: 'x'.repeat(21) });
    expect(decision.response[0].partitions[0].errorCode).toBe(ErrorCode.OFFSET_METADATA_TOO_LARGE);
    expect(decision.records).toEqual([]);
    expect(h.txnCommit('g', { 't:0': 1 }, { metadata: null })).toEqual({ 't:0': ErrorCode.NONE });
    expect(h.shard.pendingOffsets.get(PID, 'g', 't', 0)?.metadata).toBe('');
    expect(h.txnCommit('', { 't:0': 1 })).toEqual({ 't:0': ErrorCode.INVALID_GROUP_ID });
  });

  it('writes the leader epoch from v2 only', () => {
    const h = new TxnHarness();
    h.txnCommit('g', { 't:0': 1 }, { version: 1, leaderEpoch: 9 });
    expect(h.shard.pendingOffsets.get(PID, 'g', 't', 0)?.leaderEpoch).toBe(-1);
    h.txnCommit('g', { 't:0': 1 }, { version: 2, leaderEpoch: 9 });
    expect(h.shard.pendingOffsets.get(PID, 'g', 't', 0)?.leaderEpoch).toBe(9);
  });

  it('checks consumer-group members by epoch, a stale epoch answering ILLEGAL_GENERATION', () => {
    const h = new TxnHarness();
    const heartbeat = h.shard.consumerGroupHeartbeat(
      createConsumerGroupHeartbeatRequest({ groupId: 'cg', memberId: 'member-1', memberEpoch: 0, rebalanceTimeoutMs: 30_000, subscribedTopicNames: ['t'], topicPartitions: [] }),
      { apiVersion: 1, clientId: 'c', clientHost: '/h', now: h.now },
      NO_TOPICS,
    );
    expect(heartbeat.response.errorCode).toBe(ErrorCode.NONE);
    const { memberId, memberEpoch } = heartbeat.response;
    expect(h.txnCommit('cg', { 't:0': 1 }, { version: 3, memberId: memberId!, generation: memberEpoch })).toEqual({ 't:0': ErrorCode.NONE });
    expect(h.txnCommit('cg', { 't:0': 1 }, { version: 3, memberId: memberId!, generation: memberEpoch + 1 })).toEqual({ 't:0': ErrorCode.ILLEGAL_GENERATION });
    expect(h.txnCommit('cg', { 't:0': 1 }, { version: 3, memberId: 'stranger', generation: memberEpoch })).toEqual({ 't:0': ErrorCode.UNKNOWN_MEMBER_ID });
    // v0-v2 name no member: a consumer group with members refuses them, as Kafka does.
    expect(h.txnCommit('cg', { 't:0': 1 }, { version: 2 })).toEqual({ 't:0': ErrorCode.UNKNOWN_MEMBER_ID });
  });
});

describe('pending transactional offsets, expiry and deletion', () => {
  it('expiry keeps an offset whose partition has a pending one, and keeps a group with an open transaction', () => {
    const h = new TxnHarness();
    h.commit('g', { 't:0': 1, 't:1': 2 });
    h.txnCommit('g', { 't:0': 10 });
    h.commit('only-pending-left', { 't:0': 3 });
    h.txnCommit('only-pending-left', { 't:1': 30 });
    h.now += RETENTION_MS + 1;
    const expired = h.shard.expireOffsets(h.now);
    expect(expired.map((r) => `${r.type} ${JSON.stringify(r.key)} ${r.value === null ? 'tombstone' : 'value'}`)).toEqual([
      'OffsetCommit {"group":"g","topic":"t","partition":1} tombstone',
      'OffsetCommit {"group":"only-pending-left","topic":"t","partition":0} tombstone',
    ]);
    expect(h.offsets('g')).toEqual({ 't:0': 1 });
    // The group lost its last committed offset but its transaction is open: no group tombstone.
    expect(h.shard.classic.get('only-pending-left')?.currentState).toBe('Empty');
    h.marker(PID, true);
    expect(h.offsets('only-pending-left')).toEqual({ 't:1': 30 });
    expect(h.offsets('g')).toEqual({ 't:0': 10 });
  });

  it('DeleteGroups writes tombstones for pending partitions too, and the pending offsets are gone', () => {
    const h = new TxnHarness();
    h.commit('g', { 't:0': 1 });
    h.txnCommit('g', { 't:0': 10, 't:1': 11 });
    const { response, records } = h.shard.deleteGroups(['g'], h.now);
    expect(response).toEqual([{ groupId: 'g', errorCode: ErrorCode.NONE }]);
    expect(records.map((r) => `${r.type} ${JSON.stringify(r.key)} ${r.value === null ? 'tombstone' : 'value'}`)).toEqual([
      'OffsetCommit {"group":"g","topic":"t","partition":0} tombstone',
      'OffsetCommit {"group":"g","topic":"t","partition":1} tombstone',
      'GroupMetadata {"group":"g"} tombstone',
    ]);
    expect(h.shard.hasPendingTransactionalOffsets('g', 't', 0)).toBe(false);
    expect(h.shard.hasPendingTransactionalOffsets('g', 't', 1)).toBe(false);
    h.marker(PID, true);
    expect(h.offsets('g')).toEqual({});
  });

  it('OffsetDelete writes a tombstone for a partition with only a pending offset', () => {
    const h = new TxnHarness();
    h.txnCommit('g', { 't:0': 10, 't:1': 11 });
    const { response, records } = h.shard.deleteOffsets('g', [{ name: 't', partitions: [{ partitionIndex: 0 }, { partitionIndex: 2 }] }], h.now);
    expect(response.errorCode).toBe(ErrorCode.NONE);
    expect(records.map((r) => `${r.type} ${JSON.stringify(r.key)}`)).toEqual(['OffsetCommit {"group":"g","topic":"t","partition":0}']);
    h.marker(PID, true);
    expect(h.offsets('g')).toEqual({ 't:1': 11 });
  });
});
