import { describe, expect, it } from 'vitest';
import { ClassicGroup } from '../../../src/coordinator/group/classic-group.js';
import { DEFAULT_CLASSIC_GROUP_CONFIG } from '../../../src/coordinator/group/classic-group-model.js';
import { ErrorCode } from '../../../src/protocol/generated/error-codes.js';
import { SeededRandom } from '../../../src/util/random.js';
import { GroupHarness, hasReply, joinReply, syncReply, type JoinOptions } from './harness.js';

const DELAY = DEFAULT_CLASSIC_GROUP_CONFIG.initialRebalanceDelayMs;

/** Joins `count` dynamic members, lets the initial delay pass and completes the first generation. */
function stableGroup(h: GroupHarness, count: number, options: JoinOptions = {}): string[] {
  const joins = Array.from({ length: count }, () => h.joinWithId(options));
  const fx = h.settle();
  const ids = joins.map((j) => joinReply(fx, j.to).memberId);
  const leader = h.group.leader ?? '';
  const assignment = Object.fromEntries(ids.map((id) => [id, `assigned-${id}`]));
  h.sync(leader, h.group.generationId, assignment);
  for (const id of ids) if (id !== leader) h.sync(id, h.group.generationId);
  expect(h.group.currentState).toBe('Stable');
  return ids;
}

describe('ClassicGroup join phase', () => {
  it('asks a v4+ member for a member id, then completes the first generation after the initial delay', () => {
    const h = new GroupHarness();
    const first = h.join({ clientId: 'app' });
    const required = joinReply(first.fx, first.to);
    expect(required.errorCode).toBe(ErrorCode.MEMBER_ID_REQUIRED);
    expect(required.memberId).toMatch(/^app-[A-Za-z0-9_-]{22}$/);
    expect(h.group.pendingMembers.has(required.memberId)).toBe(true);
    // The new group exists once its empty record is written.
    expect(first.fx.records).toHaveLength(1);
    expect(first.fx.records[0].value?.members).toEqual([]);

    const second = h.join({ memberId: required.memberId, clientId: 'app' });
    expect(hasReply(second.fx, second.to)).toBe(false);
    expect(h.group.currentState).toBe('PreparingRebalance');
    expect(h.group.nextDeadline()).toBe(h.clock.now() + DELAY);

    expect(hasReply(h.advance(DELAY - 1), second.to)).toBe(false);
    const fx = h.advance(1);
    const response = joinReply(fx, second.to);
    expect(response).toMatchObject({
      errorCode: ErrorCode.NONE,
      generationId: 1,
      protocolType: 'consumer',
      protocolName: 'range',
      leader: required.memberId,
      memberId: required.memberId,
    });
    expect(response.members.map((m) => m.memberId)).toEqual([required.memberId]);
    expect(response.members[0].metadata.toString()).toBe('range-meta');
    expect(h.group.currentState).toBe('CompletingRebalance');
  });

  it('answers a v0-3 member without the member-id round trip', () => {
    const h = new GroupHarness();
    const { to } = h.join({ version: 3 });
    const fx = h.settle();
    expect(joinReply(fx, to).memberId).toMatch(/^client-/);
    expect(h.group.members.size).toBe(1);
  });

  it('completes two members together: the leader gets the member list, the follower does not', () => {
    const h = new GroupHarness();
    const a = h.joinWithId();
    const b = h.joinWithId();
    const fx = h.settle();
    const ra = joinReply(fx, a.to);
    const rb = joinReply(fx, b.to);
    expect(ra.leader).toBe(a.memberId);
    expect(rb.leader).toBe(a.memberId);
    expect(ra.members.map((m) => m.memberId)).toEqual([a.memberId, b.memberId]);
    expect(rb.members).toEqual([]);
    expect(ra.generationId).toBe(1);
    expect(rb.generationId).toBe(1);
  });

  it('extends the initial delay while members keep arriving, up to the rebalance timeout', () => {
    const h = new GroupHarness();
    const a = h.joinWithId({ rebalanceTimeoutMs: 10_000 });
    h.clock.advance(2_000);
    const b = h.joinWithId({ rebalanceTimeoutMs: 10_000 });
    expect(hasReply(h.advance(1_000), a.to)).toBe(false); // t=3000: extended to 6000
    h.clock.advance(1_000);
    const c = h.joinWithId({ rebalanceTimeoutMs: 10_000 });
    expect(hasReply(h.advance(2_000), a.to)).toBe(false); // t=6000: extended to 9000
    expect(hasReply(h.advance(2_999), a.to)).toBe(false);
    const fx = h.advance(1); // t=9000: no new member since, complete
    for (const m of [a, b, c]) expect(joinReply(fx, m.to).generationId).toBe(1);
    expect(joinReply(fx, a.to).members).toHaveLength(3);
  });

  it('a member joining a Stable group starts a rebalance that completes once everyone rejoined', () => {
    const h = new GroupHarness();
    const [a, b] = stableGroup(h, 2);
    const c = h.join({ version: 3 });
    expect(h.group.currentState).toBe('PreparingRebalance');
    expect(h.heartbeat(a, 1)).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
    const ra = h.join({ memberId: a });
    expect(hasReply(ra.fx, ra.to)).toBe(false);
    const rb = h.join({ memberId: b });
    const rc = joinReply(rb.fx, c.to);
    expect(rc.generationId).toBe(2);
    expect(joinReply(rb.fx, ra.to).members).toHaveLength(3);
    expect(joinReply(rb.fx, rb.to).leader).toBe(a);
    expect(h.group.currentState).toBe('CompletingRebalance');
  });

  it('the rebalance timeout drops dynamic members that did not rejoin', () => {
    const h = new GroupHarness();
    const timeouts = { rebalanceTimeoutMs: 20_000, sessionTimeoutMs: 30_000 };
    const [a, b] = stableGroup(h, 2, timeouts);
    const c = h.join({ version: 3, ...timeouts });
    const ra = h.join({ memberId: a, ...timeouts });
    expect(h.heartbeat(b, 1)).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
    expect(hasReply(h.advance(19_999), ra.to)).toBe(false);
    const fx = h.advance(1);
    expect(joinReply(fx, ra.to).members.map((m) => m.memberId)).toEqual([a, joinReply(fx, c.to).memberId]);
    expect(h.group.members.has(b)).toBe(false);
    expect(h.group.generationId).toBe(2);
  });

  it('session expiry removes a silent member and rebalances the rest', () => {
    const h = new GroupHarness();
    const [a, b] = stableGroup(h, 2, { sessionTimeoutMs: 10_000 });
    h.clock.advance(6_000);
    expect(h.heartbeat(a, 1)).toBe(ErrorCode.NONE);
    h.advance(4_000); // b's session ends: it synced at the start and has not heartbeated since
    expect(h.group.members.has(b)).toBe(false);
    expect(h.group.currentState).toBe('PreparingRebalance');
    expect(h.heartbeat(a, 1)).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
    const ra = h.join({ memberId: a });
    expect(joinReply(ra.fx, ra.to)).toMatchObject({ generationId: 2, leader: a });
  });

  it('a pending member id expires after the session timeout', () => {
    const h = new GroupHarness();
    const first = h.join({ sessionTimeoutMs: 6_000 });
    const memberId = joinReply(first.fx, first.to).memberId;
    h.advance(6_000);
    expect(h.group.pendingMembers.has(memberId)).toBe(false);
  });

  it('rejects a session timeout outside the configured bounds', () => {
    const h = new GroupHarness();
    for (const sessionTimeoutMs of [5_999, 1_800_001]) {
      const { to, fx } = h.join({ sessionTimeoutMs });
      expect(joinReply(fx, to).errorCode).toBe(ErrorCode.INVALID_SESSION_TIMEOUT);
    }
  });

  it('enforces group.max.size', () => {
    const h = new GroupHarness({ ...DEFAULT_CLASSIC_GROUP_CONFIG, maxSize: 2 });
    stableGroup(h, 2);
    const { to, fx } = h.join({ version: 3 });
    expect(joinReply(fx, to)).toMatchObject({ errorCode: ErrorCode.GROUP_MAX_SIZE_REACHED, memberId: '' });
    expect(h.group.members.size).toBe(2);
    expect(h.group.currentState).toBe('Stable');
  });

  it('selects the protocol every member supports by votes', () => {
    const h = new GroupHarness();
    h.joinWithId({ protocols: ['roundrobin', 'range'] });
    const b = h.joinWithId({ protocols: ['range', 'roundrobin'] });
    h.joinWithId({ protocols: ['sticky', 'range', 'roundrobin'] });
    const fx = h.settle();
    // Votes: roundrobin 1, range 1, sticky is not supported by all so the third votes range.
    expect(joinReply(fx, b.to).protocolName).toBe('range');
    expect(h.group.selectProtocol()).toBe('range');
  });

  it('rejects inconsistent protocols', () => {
    const h = new GroupHarness();
    const empty = h.join({ protocols: [] });
    expect(joinReply(empty.fx, empty.to).errorCode).toBe(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    h.joinWithId({ protocols: ['range'] });
    const otherType = h.join({ protocolType: 'connect', protocols: ['range'] });
    expect(joinReply(otherType.fx, otherType.to).errorCode).toBe(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    const otherProtocol = h.join({ protocols: ['sticky'] });
    expect(joinReply(otherProtocol.fx, otherProtocol.to)).toMatchObject({
      errorCode: ErrorCode.INCONSISTENT_GROUP_PROTOCOL,
      memberId: '',
    });
  });

  it('answers a follower rejoining a Stable group with unchanged metadata at once, without a rebalance', () => {
    const h = new GroupHarness();
    const [, b] = stableGroup(h, 2);
    const rb = h.join({ memberId: b });
    expect(joinReply(rb.fx, rb.to)).toMatchObject({ errorCode: ErrorCode.NONE, generationId: 1, members: [] });
    expect(h.group.currentState).toBe('Stable');
  });

  it('answers a rejoin with unchanged metadata during CompletingRebalance from the current generation', () => {
    const h = new GroupHarness();
    const a = h.joinWithId();
    const b = h.joinWithId();
    h.settle();
    expect(h.heartbeat(b.memberId, 1)).toBe(ErrorCode.NONE);
    const ra = h.join({ memberId: a.memberId });
    expect(joinReply(ra.fx, ra.to)).toMatchObject({ generationId: 1, leader: a.memberId });
    expect(joinReply(ra.fx, ra.to).members).toHaveLength(2);
    expect(h.group.currentState).toBe('CompletingRebalance');
    const rb = h.join({ memberId: b.memberId, protocols: ['roundrobin', 'range'] });
    expect(hasReply(rb.fx, rb.to)).toBe(false);
    expect(h.group.currentState).toBe('PreparingRebalance');
  });

  it('times out the parked join of a new member after the new-member join timeout', () => {
    const h = new GroupHarness();
    const long = { sessionTimeoutMs: 1_000_000, rebalanceTimeoutMs: 600_000 };
    const [a] = stableGroup(h, 1, long);
    const c = h.join({ version: 3, ...long });
    h.clock.advance(299_999);
    expect(h.heartbeat(a, 1)).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
    const fx = h.advance(1);
    expect(joinReply(fx, c.to)).toMatchObject({ errorCode: ErrorCode.UNKNOWN_MEMBER_ID, memberId: '' });
    expect(h.group.members.size).toBe(1);
    expect(h.group.currentState).toBe('PreparingRebalance');
  });

  it('rebalances when the leader rejoins a Stable group', () => {
    const h = new GroupHarness();
    const [a] = stableGroup(h, 2);
    h.join({ memberId: a });
    expect(h.group.currentState).toBe('PreparingRebalance');
  });
});

describe('ClassicGroup sync phase', () => {
  it('the leader distributes the assignment; a follower that synced first waits for it', () => {
    const h = new GroupHarness();
    const a = h.joinWithId();
    const b = h.joinWithId();
    h.settle();
    const follower = h.sync(b.memberId, 1);
    expect(hasReply(follower.fx, follower.to)).toBe(false);
    const leader = h.sync(a.memberId, 1, { [a.memberId]: 'p0', [b.memberId]: 'p1' });
    expect(leader.fx.replies).toEqual([]);
    expect(syncReply(leader.fx, leader.to, true)).toMatchObject({
      errorCode: ErrorCode.NONE,
      protocolType: 'consumer',
      protocolName: 'range',
    });
    expect(syncReply(leader.fx, leader.to, true).assignment.toString()).toBe('p0');
    expect(syncReply(leader.fx, follower.to, true).assignment.toString()).toBe('p1');
    expect(h.group.currentState).toBe('Stable');
    // The record carries the assignment.
    expect(leader.fx.records).toHaveLength(1);
    const value = leader.fx.records[0].value;
    expect(value?.generation).toBe(1);
    expect(value?.leader).toBe(a.memberId);
    expect(value?.members.map((m) => [m.memberId, m.assignment.toString(), m.subscription.toString()])).toEqual([
      [a.memberId, 'p0', 'range-meta'],
      [b.memberId, 'p1', 'range-meta'],
    ]);
    // A late sync in Stable gets the stored assignment at once.
    const late = h.sync(b.memberId, 1);
    expect(syncReply(late.fx, late.to).assignment.toString()).toBe('p1');
  });

  it('fills a missing assignment with an empty one', () => {
    const h = new GroupHarness();
    const a = h.joinWithId();
    const b = h.joinWithId();
    h.settle();
    const fx = h.sync(a.memberId, 1, { [a.memberId]: 'p0' }).fx;
    expect(fx.records[0].value?.members[1]).toMatchObject({ memberId: b.memberId, assignment: Buffer.alloc(0) });
  });

  it('rejects bad syncs with Kafka errors', () => {
    const h = new GroupHarness();
    const [a, b] = stableGroup(h, 2);
    const expectError = (r: { to: number; fx: Parameters<typeof syncReply>[0] }, code: number): void => {
      expect(syncReply(r.fx, r.to).errorCode).toBe(code);
    };
    expectError(h.sync('nobody', 1), ErrorCode.UNKNOWN_MEMBER_ID);
    expectError(h.sync(b, 7), ErrorCode.ILLEGAL_GENERATION);
    expectError(h.sync(b, 1, {}, { protocolName: 'roundrobin' }), ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    expectError(h.sync(b, 1, {}, { protocolType: 'connect' }), ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    h.join({ memberId: a }); // the leader rejoins: rebalance
    expectError(h.sync(b, 1), ErrorCode.REBALANCE_IN_PROGRESS);
  });

  it('a rebalance answers a waiting follower with REBALANCE_IN_PROGRESS', () => {
    const h = new GroupHarness();
    h.joinWithId();
    const b = h.joinWithId();
    h.settle();
    const waiting = h.sync(b.memberId, 1);
    const c = h.join({ version: 3 });
    expect(syncReply(c.fx, waiting.to).errorCode).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
    expect(h.group.currentState).toBe('PreparingRebalance');
  });

  it('removes members that never sync once the rebalance timeout passes', () => {
    const h = new GroupHarness();
    const a = h.joinWithId({ rebalanceTimeoutMs: 20_000, sessionTimeoutMs: 30_000 });
    const b = h.joinWithId({ rebalanceTimeoutMs: 20_000, sessionTimeoutMs: 30_000 });
    h.settle();
    h.sync(a.memberId, 1, {});
    h.advance(19_999);
    expect(h.group.members.has(b.memberId)).toBe(true);
    h.advance(1);
    expect(h.group.members.has(b.memberId)).toBe(false);
    expect(h.group.currentState).toBe('PreparingRebalance');
  });
});

describe('ClassicGroup heartbeat', () => {
  it('answers with Kafka errors', () => {
    const h = new GroupHarness();
    const [a] = stableGroup(h, 1);
    expect(h.heartbeat(a, 1)).toBe(ErrorCode.NONE);
    expect(h.heartbeat(a, 0)).toBe(ErrorCode.ILLEGAL_GENERATION);
    expect(h.heartbeat('nobody', 1)).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect(h.heartbeat(a, 1, 'instance')).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
  });

  it('keeps the session alive', () => {
    const h = new GroupHarness();
    const [a] = stableGroup(h, 1, { sessionTimeoutMs: 10_000 });
    for (let i = 0; i < 5; i++) {
      h.advance(9_000);
      expect(h.heartbeat(a, 1)).toBe(ErrorCode.NONE);
    }
    expect(h.group.currentState).toBe('Stable');
  });
});

describe('ClassicGroup static membership', () => {
  it('a static member rejoining with unchanged protocols gets a new member id without a rebalance', () => {
    const h = new GroupHarness();
    const a = h.join({ instanceId: 'inst-a' });
    const b = h.join({ instanceId: 'inst-b' });
    const fx = h.settle();
    const oldA = joinReply(fx, a.to).memberId;
    const idB = joinReply(fx, b.to).memberId;
    expect(oldA).toMatch(/^inst-a-/);
    h.sync(oldA, 1, { [oldA]: 'pa', [idB]: 'pb' });
    h.sync(idB, 1);

    const rejoin = h.join({ instanceId: 'inst-a', version: 7 });
    expect(h.group.currentState).toBe('Stable');
    expect(rejoin.fx.replies).toEqual([]);
    const reply = rejoin.fx.repliesAfterCommit.find((r) => r.to === rejoin.to);
    expect(reply?.api).toBe('join');
    const newA = reply?.api === 'join' ? reply.response.memberId : '';
    expect(newA).not.toBe(oldA);
    expect(reply?.response).toMatchObject({ generationId: 1, leader: oldA, members: [] });
    expect(h.group.leader).toBe(newA);
    expect(rejoin.fx.records[0].value?.members.map((m) => [m.memberId, m.assignment.toString()])).toEqual([
      [idB, 'pb'],
      [newA, 'pa'],
    ]);
    expect(h.heartbeat(oldA, 1, 'inst-a')).toBe(ErrorCode.FENCED_INSTANCE_ID);
    expect(h.heartbeat(newA, 1, 'inst-a')).toBe(ErrorCode.NONE);
    const stale = h.sync(oldA, 1, {}, { instanceId: 'inst-a' });
    expect(syncReply(stale.fx, stale.to).errorCode).toBe(ErrorCode.FENCED_INSTANCE_ID);
  });

  it('a v9 static leader rejoining learns it is the leader and may skip the assignment', () => {
    const h = new GroupHarness();
    const a = h.join({ instanceId: 'inst-a' });
    const oldA = joinReply(h.settle(), a.to).memberId;
    h.sync(oldA, 1, { [oldA]: 'pa' });
    const rejoin = h.join({ instanceId: 'inst-a', version: 9 });
    const reply = rejoin.fx.repliesAfterCommit[0];
    expect(reply.api === 'join' && reply.response).toMatchObject({ skipAssignment: true, generationId: 1 });
    expect(reply.api === 'join' && reply.response.members).toHaveLength(1);
  });

  it('a static member rejoining with protocols that change the selection triggers a rebalance', () => {
    const h = new GroupHarness();
    const a = h.join({ instanceId: 'inst-a', protocols: ['range', 'roundrobin'] });
    const oldA = joinReply(h.settle(), a.to).memberId;
    h.sync(oldA, 1, { [oldA]: 'pa' });
    const rejoin = h.join({ instanceId: 'inst-a', protocols: ['roundrobin', 'range'] });
    const reply = joinReply(rejoin.fx, rejoin.to);
    expect(reply).toMatchObject({ generationId: 2, protocolName: 'roundrobin' });
    expect(reply.memberId).not.toBe(oldA);
  });

  it('fences the old instance of a static member that is still waiting', () => {
    const h = new GroupHarness();
    const first = h.join({ instanceId: 'inst-a' });
    const second = h.join({ instanceId: 'inst-a' });
    expect(joinReply(second.fx, first.to).errorCode).toBe(ErrorCode.FENCED_INSTANCE_ID);
    expect(h.group.members.size).toBe(1);
    const fx = h.settle();
    expect(joinReply(fx, second.to).errorCode).toBe(ErrorCode.NONE);
  });

  it('keeps a static member that did not rejoin in the next generation', () => {
    const h = new GroupHarness();
    const timeouts = { rebalanceTimeoutMs: 20_000, sessionTimeoutMs: 30_000 };
    const a = h.join({ instanceId: 'inst-a', ...timeouts });
    const b = h.join({ instanceId: 'inst-b', ...timeouts });
    const fx = h.settle();
    const idA = joinReply(fx, a.to).memberId;
    const idB = joinReply(fx, b.to).memberId;
    h.sync(idA, 1, {});
    h.sync(idB, 1);
    const ra = h.join({ memberId: idA, instanceId: 'inst-a', ...timeouts });
    expect(h.heartbeat(idB, 1, 'inst-b')).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
    const done = h.advance(20_000);
    expect(joinReply(done, ra.to).members.map((m) => m.memberId)).toEqual([idA, idB]);
    expect(h.group.generationId).toBe(2);
  });
});

describe('ClassicGroup leave', () => {
  it('a single leave (v0-2) answers at the top level and rebalances the rest', () => {
    const h = new GroupHarness();
    const [a, b] = stableGroup(h, 2);
    const { response } = h.leave(b);
    expect(response).toMatchObject({ errorCode: ErrorCode.NONE, members: [] });
    expect(h.group.members.has(b)).toBe(false);
    expect(h.group.currentState).toBe('PreparingRebalance');
    expect(h.leave('nobody').response.errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    const ra = h.join({ memberId: a });
    expect(joinReply(ra.fx, ra.to).generationId).toBe(2);
  });

  it('a batch leave (v3+) answers per member, static members by instance id', () => {
    const h = new GroupHarness();
    const a = h.join({ instanceId: 'inst-a' });
    const b = h.join({ instanceId: 'inst-b' });
    const c = h.joinWithId();
    const fx = h.settle();
    const idA = joinReply(fx, a.to).memberId;
    joinReply(fx, b.to);
    const { response } = h.leaveBatch([
      { memberId: '', groupInstanceId: 'inst-b' },
      { memberId: c.memberId, groupInstanceId: null },
      { memberId: 'wrong', groupInstanceId: 'inst-a' },
      { memberId: '', groupInstanceId: 'inst-z' },
    ]);
    expect(response.errorCode).toBe(ErrorCode.NONE);
    expect(response.members.map((m) => m.errorCode)).toEqual([
      ErrorCode.NONE,
      ErrorCode.NONE,
      ErrorCode.FENCED_INSTANCE_ID,
      ErrorCode.UNKNOWN_MEMBER_ID,
    ]);
    expect([...h.group.members.keys()]).toEqual([idA]);
    expect(h.group.currentState).toBe('PreparingRebalance');
  });

  it('the last member leaving empties the group and writes an empty generation', () => {
    const h = new GroupHarness();
    const [a] = stableGroup(h, 1);
    const { fx } = h.leave(a);
    expect(h.group.currentState).toBe('Empty');
    expect(h.group.generationId).toBe(2);
    expect(fx.records.map((r) => r.value)).toMatchObject([{ generation: 2, protocol: null, leader: null, members: [] }]);
  });

  it('a leaving member that waits in a join gets UNKNOWN_MEMBER_ID', () => {
    const h = new GroupHarness();
    const a = h.joinWithId();
    h.joinWithId();
    const { fx } = h.leaveBatch([{ memberId: a.memberId, groupInstanceId: null }]);
    expect(joinReply(fx, a.to).errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
  });
});

describe('ClassicGroup deletion and Dead', () => {
  it('only an Empty group is deleted; its tombstone makes it Dead', () => {
    const h = new GroupHarness();
    const [a] = stableGroup(h, 1);
    expect(h.group.deleteGroup(h.clock.now()).errorCode).toBe(ErrorCode.NON_EMPTY_GROUP);
    h.leave(a);
    const { errorCode, effects } = h.group.deleteGroup(h.clock.now());
    expect(errorCode).toBe(ErrorCode.NONE);
    expect(effects.records).toMatchObject([{ key: { group: 'g' }, value: null }]);
    expect(h.group.currentState).toBe('Dead');
    expect(h.group.nextDeadline()).toBeUndefined();
    const join = h.join();
    expect(joinReply(join.fx, join.to).errorCode).toBe(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    expect(h.heartbeat(a, 2)).toBe(ErrorCode.COORDINATOR_NOT_AVAILABLE);
  });
});

describe('ClassicGroup replay', () => {
  it('replaying the written records rebuilds the same group', () => {
    const h = new GroupHarness();
    const a = h.join({ instanceId: 'inst-a' });
    const b = h.joinWithId({ protocols: ['range', 'roundrobin'] });
    const fx = h.settle();
    const idA = joinReply(fx, a.to).memberId;
    h.sync(idA, 1, { [idA]: 'pa', [b.memberId]: 'pb' });
    h.sync(b.memberId, 1);
    h.join({ instanceId: 'inst-a' }); // replaced without a rebalance: another record

    const now = h.clock.now();
    const rebuilt = ClassicGroup.fromRecord(h.log[0], DEFAULT_CLASSIC_GROUP_CONFIG, new SeededRandom(1), now);
    for (const record of h.log.slice(1)) rebuilt.replay(record, now);
    expect(rebuilt.currentState).toBe('Stable');
    expect(rebuilt.currentRecord(now)).toEqual(h.group.currentRecord(now));
    expect(rebuilt.generationId).toBe(1);
    expect(rebuilt.leader).toBe(h.group.leader);
    expect(rebuilt.members.get(b.memberId)?.assignment.toString()).toBe('pb');

    // The rebuilt group carries on: a follower that rejoins unchanged is answered from the
    // loaded generation, and its heartbeats are accepted.
    const ctx = { to: 1, apiVersion: 4, clientId: 'client', clientHost: '/10.0.0.1', now };
    const hb = rebuilt.heartbeat({ groupId: 'g', generationId: 1, memberId: b.memberId, groupInstanceId: null }, ctx);
    expect(hb.replies[0]).toMatchObject({ api: 'heartbeat', response: { errorCode: ErrorCode.NONE } });
  });

  it('a loaded group expires members that never come back', () => {
    const h = new GroupHarness();
    stableGroup(h, 2, { sessionTimeoutMs: 10_000 });
    const now = h.clock.now();
    const rebuilt = ClassicGroup.fromRecord(h.log.at(-1) ?? h.log[0], DEFAULT_CLASSIC_GROUP_CONFIG, new SeededRandom(1), now);
    expect(rebuilt.members.size).toBe(2);
    expect(rebuilt.nextDeadline()).toBeUndefined();
    rebuilt.onLoaded(now);
    expect(rebuilt.nextDeadline()).toBe(now + 10_000);
    expect(rebuilt.tick(now + 9_999).records).toEqual([]);
    // Both sessions end: the first removal starts a rebalance, the second completes it empty.
    const fx = rebuilt.tick(now + 10_000);
    expect(rebuilt.members.size).toBe(0);
    expect(rebuilt.currentState).toBe('Empty');
    expect(rebuilt.generationId).toBe(2);
    expect(fx.records.map((r) => r.value?.generation)).toEqual([2]);
  });

  it('a loaded group above group.max.size rebalances', () => {
    const h = new GroupHarness();
    stableGroup(h, 3);
    const now = h.clock.now();
    const config = { ...DEFAULT_CLASSIC_GROUP_CONFIG, maxSize: 2 };
    const rebuilt = ClassicGroup.fromRecord(h.log.at(-1) ?? h.log[0], config, new SeededRandom(1), now);
    rebuilt.onLoaded(now);
    expect(rebuilt.currentState).toBe('PreparingRebalance');
  });

  it('replays a tombstone into Dead and rejects another group record', () => {
    const group = new ClassicGroup('g', DEFAULT_CLASSIC_GROUP_CONFIG, new SeededRandom(1));
    group.replay({ type: 'GroupMetadata', key: { group: 'g' }, value: null }, 0);
    expect(group.currentState).toBe('Dead');
    expect(() => group.replay({ type: 'GroupMetadata', key: { group: 'h' }, value: null }, 0)).toThrow(/group h/);
  });
});
