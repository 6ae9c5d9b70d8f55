import { describe, expect, it } from 'vitest';
import { ConsumerGroups, DEFAULT_CONSUMER_GROUP_CONFIG } from '../../../../src/coordinator/group/consumer/consumer-groups.js';
import { ErrorCode } from '../../../../src/protocol/generated/error-codes.js';
import { SeededRandom } from '../../../../src/util/random.js';
import { ConsumerHarness, partitionsOf, type Client } from './harness.js';

const SESSION = DEFAULT_CONSUMER_GROUP_CONFIG.sessionTimeoutMs;

function currentAssignments(h: ConsumerHarness): Map<string, string[]> {
  return new Map(h.describe().members.map((m) => [m.memberId, partitionsOf(m.assignment.topicPartitions)]));
}

/** No partition is in two members' current assignments. */
function expectNoDoubleOwnership(h: ConsumerHarness): void {
  const all = [...currentAssignments(h).values()].flat();
  expect(new Set(all).size).toBe(all.length);
}

describe('ConsumerGroups: joining', () => {
  it('gives the first member every partition and writes Kafka records in Kafka order', () => {
    const h = new ConsumerHarness();
    const t = h.topics.create('t', 3);
    const { client, response } = h.join({ memberId: 'm1' });
    expect(response).toMatchObject({ errorCode: 0, memberId: 'm1', memberEpoch: 1, heartbeatIntervalMs: 5000 });
    expect(partitionsOf(client.owned)).toEqual([`${t}:0`, `${t}:1`, `${t}:2`]);
    expect(h.log.map((r) => r.type)).toEqual([
      'ConsumerGroupMemberMetadata',
      'ConsumerGroupPartitionMetadata',
      'ConsumerGroupMetadata',
      'ConsumerGroupTargetAssignmentMember',
      'ConsumerGroupTargetAssignmentMetadata',
      'ConsumerGroupCurrentMemberAssignment',
    ]);
    expect(h.log[2].value).toEqual({ epoch: 1 });
    expect(h.log[1].value).toEqual({ topics: [{ topicId: t, topicName: 't', numPartitions: 3, partitionMetadata: [] }] });
    expect(h.state()).toBe('Stable');
    expect(h.groups.has('g')).toBe(true);
  });

  it('has the server generate member ids on v0 and takes the client id on v1 (KIP-1082)', () => {
    const h = new ConsumerHarness();
    h.topics.create('t', 2);
    const a = h.join({ apiVersion: 0 }).client;
    const b = h.join({ apiVersion: 0 }).client;
    expect(a.memberId).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(b.memberId).not.toBe(a.memberId);
    const again = new ConsumerHarness();
    again.topics.create('t', 2);
    expect(again.join({ apiVersion: 0 }).client.memberId).toBe(a.memberId);
    const missing = h.send({ memberId: '', memberEpoch: 0, rebalanceTimeoutMs: 1000, subscribedTopicNames: ['t'], topicPartitions: [] }, 1);
    expect(missing).toMatchObject({ errorCode: ErrorCode.INVALID_REQUEST, errorMessage: "MemberId can't be empty." });
  });

  it('sends the assignment only when it changed or the request was full', () => {
    const h = new ConsumerHarness();
    h.topics.create('t', 2);
    const { client } = h.join();
    expect(h.poll(client).assignment).toBeNull();
    const full = h.send({ memberId: client.memberId, memberEpoch: client.epoch, rebalanceTimeoutMs: 30_000, subscribedTopicNames: ['t'], topicPartitions: client.owned });
    expect(full.assignment).not.toBeNull();
    expect(h.log.length).toBe(6);
  });
});

describe('ConsumerGroups: rebalancing', () => {
  it('revokes partitions from their owner before another member gets them', () => {
    const h = new ConsumerHarness();
    h.topics.create('t', 4);
    const a = h.join({ memberId: 'a' }).client;
    const b = h.join({ memberId: 'b' }).client;
    // b joined at group epoch 2, but a still owns everything: b gets nothing yet.
    expect(b.epoch).toBe(2);
    expect(b.owned).toEqual([]);
    expect(h.state()).toBe('Reconciling');
    const revoke = h.poll(a);
    expect(revoke.memberEpoch).toBe(1);
    expect(partitionsOf(a.owned)).toHaveLength(2);
    expect(h.describe().members.find((m) => m.memberId === 'a')?.targetAssignment.topicPartitions[0].partitions).toHaveLength(2);
    expectNoDoubleOwnership(h);
    expect(h.poll(b).assignment?.topicPartitions ?? []).toEqual([]);
    // a confirms the revocation by reporting what it still owns; only then do its partitions move.
    expect(h.poll(a).memberEpoch).toBe(2);
    h.poll(b);
    expect(partitionsOf(b.owned)).toHaveLength(2);
    expectNoDoubleOwnership(h);
    expect(h.state()).toBe('Stable');
    const described = h.describe();
    expect(described).toMatchObject({ groupEpoch: 2, assignmentEpoch: 2, assignorName: 'uniform', groupState: 'Stable' });
  });

  it('fences a member that does not revoke within its rebalance timeout', () => {
    const h = new ConsumerHarness();
    h.topics.create('t', 4);
    const a = h.join({ memberId: 'a', rebalanceTimeoutMs: 10_000 }).client;
    h.join({ memberId: 'b' });
    h.send({ memberId: 'a', memberEpoch: a.epoch, topicPartitions: a.owned }); // told to revoke, does not
    expect(h.groups.nextDeadline()).toBe(h.now + 10_000);
    h.now += 9_999;
    expect(h.tick()).toEqual([]);
    h.now += 1;
    const records = h.tick();
    expect(records.map((r) => r.type)).toEqual([
      'ConsumerGroupCurrentMemberAssignment',
      'ConsumerGroupTargetAssignmentMember',
      'ConsumerGroupMemberMetadata',
      'ConsumerGroupMetadata',
    ]);
    expect(h.describe().members.map((m) => m.memberId)).toEqual(['b']);
    expect(h.poll(a).errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
  });

  it('does not fence a member that revoked in time', () => {
    const h = new ConsumerHarness();
    h.topics.create('t', 4);
    const a = h.join({ memberId: 'a', rebalanceTimeoutMs: 10_000 }).client;
    const b = h.join({ memberId: 'b' }).client;
    h.settle([a, b]);
    h.now += 10_000;
    h.poll(a);
    h.poll(b);
    expect(h.tick()).toEqual([]);
    expect(h.describe().members).toHaveLength(2);
  });

  it('fences a member whose session expires, then rebalances the rest', () => {
    const h = new ConsumerHarness();
    h.topics.create('t', 4);
    const a = h.join({ memberId: 'a' }).client;
    const b = h.join({ memberId: 'b' }).client;
    h.settle([a, b]);
    h.now += SESSION - 1;
    h.poll(a);
    expect(h.groups.nextDeadline()).toBe(h.now + 1);
    h.now += 1;
    expect(h.tick().length).toBeGreaterThan(0);
    expect(h.state()).toBe('Assigning');
    h.poll(a);
    expect(partitionsOf(a.owned)).toHaveLength(4);
    expect(h.state()).toBe('Stable');
    h.now += SESSION;
    h.tick();
    expect(h.state()).toBe('Empty');
    expect(h.groups.nextDeadline()).toBeUndefined();
  });

  it('lets a member leave with epoch -1 and empties the group with the last one', () => {
    const h = new ConsumerHarness();
    h.topics.create('t', 2);
    const a = h.join({ memberId: 'a' }).client;
    const b = h.join({ memberId: 'b' }).client;
    h.settle([a, b]);
    const left = h.send({ memberId: 'a', memberEpoch: -1 });
    expect(left).toMatchObject({ errorCode: 0, memberId: 'a', memberEpoch: -1, heartbeatIntervalMs: 0, assignment: null });
    expect(h.describe().groupEpoch).toBe(3);
    h.settle([b]);
    expect(partitionsOf(b.owned)).toHaveLength(2);
    h.send({ memberId: 'b', memberEpoch: -1 });
    expect(h.state()).toBe('Empty');
    expect(h.describe().members).toEqual([]);
    expect(h.groups.isEmpty('g')).toBe(true);
    expect(h.send({ memberId: 'zz', memberEpoch: -1 }).errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
  });

  it('accepts a heartbeat at the previous epoch if the member owns only its current partitions', () => {
    const h = new ConsumerHarness();
    h.topics.create('t', 2);
    const a = h.join({ memberId: 'a' }).client;
    h.topics.grow('t', 3);
    const bumped = h.send({ memberId: 'a', memberEpoch: 1, topicPartitions: a.owned });
    expect(bumped.memberEpoch).toBe(2);
    // The response was lost: the member retries at epoch 1.
    expect(h.send({ memberId: 'a', memberEpoch: 1, topicPartitions: a.owned }).errorCode).toBe(0);
    expect(h.send({ memberId: 'a', memberEpoch: 1, topicPartitions: null }).errorCode).toBe(ErrorCode.FENCED_MEMBER_EPOCH);
    const ahead = h.send({ memberId: 'a', memberEpoch: 7, topicPartitions: [] });
    expect(ahead).toMatchObject({ errorCode: ErrorCode.FENCED_MEMBER_EPOCH });
    expect(ahead.errorMessage).toContain('greater member epoch (7)');
    expect(h.send({ memberId: 'a', memberEpoch: 0, topicPartitions: [], rebalanceTimeoutMs: 1, subscribedTopicNames: ['t'] }).errorCode).toBe(
      ErrorCode.FENCED_MEMBER_EPOCH,
    );
  });
});

describe('ConsumerGroups: topics and subscriptions', () => {
  it('bumps the group epoch at the next heartbeat when a subscribed topic appears, grows or goes', () => {
    const h = new ConsumerHarness();
    const a = h.join({ memberId: 'a', topics: ['t', 'u'] }).client;
    expect(a.owned).toEqual([]);
    expect(h.describe().groupEpoch).toBe(1);
    const t = h.topics.create('t', 2);
    h.poll(a);
    expect(h.describe().groupEpoch).toBe(2);
    expect(partitionsOf(a.owned)).toEqual([`${t}:0`, `${t}:1`]);
    h.topics.grow('t', 3);
    h.poll(a);
    expect(partitionsOf(a.owned)).toHaveLength(3);
    expect(h.describe().groupEpoch).toBe(3);
    h.topics.delete('t');
    const u = h.topics.create('u', 1);
    h.poll(a);
    expect(h.describe().groupEpoch).toBe(4);
    h.settle([a]);
    expect(partitionsOf(a.owned)).toEqual([`${u}:0`]);
    expect(h.poll(a).assignment).toBeNull();
    expect(h.describe().groupEpoch).toBe(4);
  });

  it('changes the subscription when a member sends new topic names', () => {
    const h = new ConsumerHarness();
    h.topics.create('t', 1);
    const u = h.topics.create('u', 1);
    const a = h.join({ memberId: 'a' }).client;
    const response = h.send({ memberId: 'a', memberEpoch: a.epoch, subscribedTopicNames: ['u'], topicPartitions: a.owned });
    expect(response.memberEpoch).toBe(1); // revoking t first
    a.owned = response.assignment?.topicPartitions ?? [];
    h.settle([a]);
    expect(partitionsOf(a.owned)).toEqual([`${u}:0`]);
    expect(h.describe().members[0].subscribedTopicNames).toEqual(['u']);
  });

  it('subscribes by regex over whole topic names, including topics created later', () => {
    const h = new ConsumerHarness();
    const o1 = h.topics.create('orders-1', 1);
    h.topics.create('xorders-2', 1);
    const a = h.join({ memberId: 'a', topics: null, regex: 'orders-.*' }).client;
    expect(partitionsOf(a.owned)).toEqual([`${o1}:0`]);
    const o2 = h.topics.create('orders-2', 1);
    h.poll(a);
    expect(partitionsOf(a.owned)).toEqual([`${o1}:0`, `${o2}:0`].sort());
    expect(h.describe().members[0]).toMatchObject({ subscribedTopicRegex: 'orders-.*', subscribedTopicNames: [] });
    // An empty regex clears it.
    const cleared = h.send({ memberId: 'a', memberEpoch: a.epoch, subscribedTopicRegex: '', topicPartitions: a.owned });
    a.owned = cleared.assignment?.topicPartitions ?? a.owned;
    h.settle([a]);
    expect(a.owned).toEqual([]);
    expect(h.describe().members[0].subscribedTopicRegex).toBeNull();
  });

  it('refuses a regex that does not compile, without writing anything', () => {
    const h = new ConsumerHarness();
    const bad = h.send({ memberId: 'a', rebalanceTimeoutMs: 1000, subscribedTopicRegex: 'orders-(', topicPartitions: [] });
    expect(bad.errorCode).toBe(ErrorCode.INVALID_REGULAR_EXPRESSION);
    expect(bad.errorMessage).toMatch(/^SubscribedTopicRegex `orders-\(` is not a valid regular expression: /);
    expect(h.log).toEqual([]);
    expect(h.groups.has('g')).toBe(false);
  });

  it('uses the assignor most members ask for, range giving co-partitioned ranges', () => {
    const h = new ConsumerHarness();
    const t = h.topics.create('t', 4);
    const u = h.topics.create('u', 4);
    const a = h.join({ memberId: 'a', topics: ['t', 'u'], assignor: 'range' }).client;
    const b = h.join({ memberId: 'b', topics: ['t', 'u'], assignor: 'range' }).client;
    h.settle([a, b]);
    expect(h.describe().assignorName).toBe('range');
    expect(partitionsOf(a.owned)).toEqual([`${t}:0`, `${t}:1`, `${u}:0`, `${u}:1`]);
    expect(partitionsOf(b.owned)).toEqual([`${t}:2`, `${t}:3`, `${u}:2`, `${u}:3`]);
  });
});

describe('ConsumerGroups: static members', () => {
  function staticPair(): { h: ConsumerHarness; a: Client; b: Client } {
    const h = new ConsumerHarness();
    h.topics.create('t', 4);
    const a = h.join({ memberId: 'a1', instanceId: 'ia' }).client;
    const b = h.join({ memberId: 'b1', instanceId: 'ib' }).client;
    h.settle([a, b]);
    return { h, a, b };
  }

  it('keeps the assignment of a static member that leaves with -2 and rejoins under a new member id', () => {
    const { h, a } = staticPair();
    const before = partitionsOf(a.owned);
    const epoch = h.describe().groupEpoch;
    expect(h.send({ memberId: 'a1', memberEpoch: -2, instanceId: 'ia' })).toMatchObject({ errorCode: 0, memberId: 'a1', memberEpoch: -2 });
    expect(h.describe().members.find((m) => m.memberId === 'a1')?.memberEpoch).toBe(-2);
    const { client, response } = h.join({ memberId: 'a2', instanceId: 'ia' });
    expect(response.memberEpoch).toBe(epoch);
    expect(partitionsOf(client.owned)).toEqual(before);
    expect(h.describe().groupEpoch).toBe(epoch);
    expect(h.describe().members.map((m) => m.memberId).sort()).toEqual(['a2', 'b1']);
    expect(h.state()).toBe('Stable');
  });

  it('refuses an instance id still in use, a stale member id and an unknown instance', () => {
    const { h, a } = staticPair();
    const taken = h.send({ memberId: 'a2', memberEpoch: 0, instanceId: 'ia', rebalanceTimeoutMs: 1000, subscribedTopicNames: ['t'], topicPartitions: [] });
    expect(taken.errorCode).toBe(ErrorCode.UNRELEASED_INSTANCE_ID);
    expect(h.send({ memberId: 'a9', memberEpoch: a.epoch, instanceId: 'ia' }).errorCode).toBe(ErrorCode.FENCED_INSTANCE_ID);
    expect(h.send({ memberId: 'a1', memberEpoch: a.epoch, instanceId: 'nope' }).errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect(h.send({ memberId: 'a9', memberEpoch: -2, instanceId: 'ia' }).errorCode).toBe(ErrorCode.FENCED_INSTANCE_ID);
    expect(h.send({ memberId: 'a1', memberEpoch: -1, instanceId: 'nope' }).errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
  });

  it('fences a static member that left with -2 and did not return within the session timeout', () => {
    const { h, b } = staticPair();
    h.send({ memberId: 'a1', memberEpoch: -2, instanceId: 'ia' });
    h.now += SESSION - 1;
    h.poll(b);
    h.now += 1;
    h.tick();
    expect(h.describe().members.map((m) => m.memberId)).toEqual(['b1']);
    h.settle([b]);
    expect(partitionsOf(b.owned)).toHaveLength(4);
  });

  it('removes a static member for good when it leaves with -1', () => {
    const { h } = staticPair();
    h.send({ memberId: 'a1', memberEpoch: -1, instanceId: 'ia' });
    expect(h.describe().members.map((m) => m.memberId)).toEqual(['b1']);
    expect(h.join({ memberId: 'a3', instanceId: 'ia' }).response.errorCode).toBe(0);
  });
});

describe('ConsumerGroups: request validation', () => {
  const join = { memberId: 'm', memberEpoch: 0, rebalanceTimeoutMs: 1000, subscribedTopicNames: ['t'], topicPartitions: [] };
  const cases: [string, Record<string, unknown>, number, string][] = [
    ['empty group id', { ...join, groupId: '' }, ErrorCode.INVALID_REQUEST, "GroupId can't be empty."],
    ['empty instance id', { ...join, instanceId: '' }, ErrorCode.INVALID_REQUEST, "InstanceId can't be empty."],
    ['empty rack id', { ...join, rackId: '' }, ErrorCode.INVALID_REQUEST, "RackId can't be empty."],
    ['join without rebalance timeout', { ...join, rebalanceTimeoutMs: -1 }, ErrorCode.INVALID_REQUEST, 'RebalanceTimeoutMs must be provided in first request.'],
    ['join owning partitions', { ...join, topicPartitions: [{ topicId: 'x', partitions: [0] }] }, ErrorCode.INVALID_REQUEST, 'TopicPartitions must be empty when (re-)joining.'],
    ['join without topic partitions', { ...join, topicPartitions: null }, ErrorCode.INVALID_REQUEST, 'TopicPartitions must be empty when (re-)joining.'],
    [
      'join without subscription',
      { ...join, subscribedTopicNames: null },
      ErrorCode.INVALID_REQUEST,
      'Either SubscribedTopicNames or SubscribedTopicRegex must be non-null when (re-)joining.',
    ],
    ['static leave without instance id', { memberId: 'm', memberEpoch: -2 }, ErrorCode.INVALID_REQUEST, "InstanceId can't be null."],
    ['epoch below -2', { memberId: 'm', memberEpoch: -3 }, ErrorCode.INVALID_REQUEST, 'MemberEpoch is invalid.'],
    ['unknown assignor', { ...join, serverAssignor: 'sticky' }, ErrorCode.UNSUPPORTED_ASSIGNOR, 'ServerAssignor sticky is not supported. Supported assignors: uniform, range.'],
    ['heartbeat to an unknown group', { memberId: 'm', memberEpoch: 3 }, ErrorCode.GROUP_ID_NOT_FOUND, 'Consumer group g not found.'],
    ['leave of an unknown group', { memberId: 'm', memberEpoch: -1 }, ErrorCode.GROUP_ID_NOT_FOUND, 'Group g not found.'],
  ];
  for (const [name, request, errorCode, message] of cases) {
    it(`refuses a ${name}`, () => {
      const h = new ConsumerHarness();
      expect(h.send(request)).toEqual({
        throttleTimeMs: 0,
        errorCode,
        errorMessage: message,
        memberId: null,
        memberEpoch: 0,
        heartbeatIntervalMs: 0,
        assignment: null,
      });
      expect(h.log).toEqual([]);
    });
  }

  it('refuses an unknown member and, first of all, a member beyond group.consumer.max.size', () => {
    const h = new ConsumerHarness({ ...DEFAULT_CONSUMER_GROUP_CONFIG, maxSize: 2 });
    h.topics.create('t', 1);
    const a = h.join({ memberId: 'a' }).client;
    const logged = h.log.length;
    expect(h.send({ memberId: 'ghost', memberEpoch: 1 })).toMatchObject({ errorCode: ErrorCode.UNKNOWN_MEMBER_ID, errorMessage: 'Member ghost is not a member of group g.' });
    expect(h.log.length).toBe(logged);
    h.join({ memberId: 'b' });
    const full = h.send({ memberId: 'c', memberEpoch: 0, rebalanceTimeoutMs: 1, subscribedTopicNames: ['t'], topicPartitions: [] });
    expect(full).toMatchObject({ errorCode: ErrorCode.GROUP_MAX_SIZE_REACHED, errorMessage: 'The consumer group has reached its maximum capacity of 2 members.' });
    expect(h.send({ memberId: 'ghost', memberEpoch: 1 }).errorCode).toBe(ErrorCode.GROUP_MAX_SIZE_REACHED);
    expect(h.poll(a).errorCode).toBe(0);
  });

  it('refuses a configuration naming an unknown assignor', () => {
    expect(() => new ConsumerGroups({ ...DEFAULT_CONSUMER_GROUP_CONFIG, assignors: ['sticky'] }, new SeededRandom(1))).toThrow(/unknown assignor sticky/);
    expect(() => new ConsumerGroups({ ...DEFAULT_CONSUMER_GROUP_CONFIG, assignors: [] }, new SeededRandom(1))).toThrow(/at least one/);
  });
});

describe('ConsumerGroups: describe, list, delete and offsets', () => {
  it('describes members with assignments, target assignments and topic names', () => {
    const h = new ConsumerHarness();
    const t = h.topics.create('t', 2);
    h.join({ memberId: 'a', instanceId: 'ia', rackId: 'r1' });
    const described = h.describe();
    expect(described).toMatchObject({
      errorCode: 0,
      groupId: 'g',
      groupState: 'Stable',
      groupEpoch: 1,
      assignmentEpoch: 1,
      assignorName: 'uniform',
      authorizedOperations: -2147483648,
    });
    expect(described.members).toEqual([
      {
        memberId: 'a',
        instanceId: 'ia',
        rackId: 'r1',
        memberEpoch: 1,
        clientId: 'client',
        clientHost: '/10.0.0.1',
        subscribedTopicNames: ['t'],
        subscribedTopicRegex: null,
        assignment: { topicPartitions: [{ topicId: t, topicName: 't', partitions: [0, 1] }] },
        targetAssignment: { topicPartitions: [{ topicId: t, topicName: 't', partitions: [0, 1] }] },
        memberType: 1,
      },
    ]);
    expect(h.groups.describe('g', h.topics, true, 8).authorizedOperations).toBe(8);
    expect(h.groups.describe('g', h.topics, false, 8).authorizedOperations).toBe(-2147483648);
    expect(h.groups.describe('nope', h.topics, false)).toMatchObject({ groupId: 'nope', errorCode: ErrorCode.GROUP_ID_NOT_FOUND });
  });

  it('lists groups with their state and deletes only Empty groups', () => {
    const h = new ConsumerHarness();
    h.topics.create('t', 1);
    h.join({ memberId: 'a' });
    expect(h.groups.list()).toEqual([{ groupId: 'g', state: 'Stable' }]);
    expect(h.groups.deleteGroup('g')).toEqual({ errorCode: ErrorCode.NON_EMPTY_GROUP, records: [] });
    expect(h.groups.deleteGroup('nope')).toEqual({ errorCode: ErrorCode.GROUP_ID_NOT_FOUND, records: [] });
    h.send({ memberId: 'a', memberEpoch: -1 });
    const deleted = h.groups.deleteGroup('g');
    h.log.push(...deleted.records);
    expect(deleted.errorCode).toBe(0);
    expect(deleted.records.map((r) => [r.type, r.value])).toEqual([
      ['ConsumerGroupTargetAssignmentMetadata', null],
      ['ConsumerGroupPartitionMetadata', null],
      ['ConsumerGroupMetadata', null],
    ]);
    expect(h.groups.has('g')).toBe(false);
    expect(h.groups.list()).toEqual([]);
    expect(h.replayed().has('g')).toBe(false);
    expect(h.join({ memberId: 'b' }).response.memberEpoch).toBe(1);
  });

  it('validates offset commits and fetches as Kafka does for consumer groups', () => {
    const h = new ConsumerHarness();
    h.topics.create('t', 1);
    expect(h.groups.validateOffsetCommit('g', '', -1)).toBe(ErrorCode.GROUP_ID_NOT_FOUND);
    const a = h.join({ memberId: 'a' }).client;
    expect(h.groups.validateOffsetCommit('g', 'a', a.epoch)).toBe(0);
    expect(h.groups.validateOffsetCommit('g', 'a', a.epoch - 1)).toBe(ErrorCode.STALE_MEMBER_EPOCH);
    expect(h.groups.validateOffsetCommit('g', 'x', a.epoch)).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect(h.groups.validateOffsetCommit('g', '', -1)).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect(h.groups.validateOffsetCommit('g', 'a', a.epoch, { apiVersion: 8 })).toBe(ErrorCode.UNSUPPORTED_VERSION);
    expect(h.groups.validateOffsetCommit('g', 'a', a.epoch, { apiVersion: 8, isTransactional: true })).toBe(0);
    expect(h.groups.validateOffsetFetch('g', null, -1)).toBe(0);
    expect(h.groups.validateOffsetFetch('g', 'a', a.epoch)).toBe(0);
    expect(h.groups.validateOffsetFetch('g', 'a', 99)).toBe(ErrorCode.STALE_MEMBER_EPOCH);
    expect(h.groups.validateOffsetFetch('g', 'x', 1)).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect(h.groups.validateOffsetFetch('nope', null, -1)).toBe(ErrorCode.GROUP_ID_NOT_FOUND);
    h.send({ memberId: 'a', memberEpoch: -1 });
    expect(h.groups.validateOffsetCommit('g', '', -1)).toBe(0);
  });

  it('ignores records that are not consumer group records', () => {
    const h = new ConsumerHarness();
    h.groups.replay({ type: 'GroupMetadata', key: { group: 'classic' }, value: null });
    expect(h.groups.list()).toEqual([]);
  });
});

describe('ConsumerGroups: replay', () => {
  it('rebuilds from the log exactly the groups the operations built', () => {
    const h = new ConsumerHarness();
    const random = new SeededRandom(5);
    h.topics.create('t', 6);
    h.topics.create('u', 3);
    const clients: Client[] = [];
    let restarts = 0;
    for (let step = 0; step < 80; step++) {
      h.now += random.int(3_000);
      const roll = random.next();
      if (clients.length < 2 || roll < 0.2) {
        const topics = random.chance(0.5) ? ['t', 'u'] : ['t'];
        const instanceId = random.chance(0.3) ? `i${step}` : null;
        clients.push(h.join({ memberId: `m${step}`, topics, instanceId }).client);
      } else if (roll < 0.27) {
        const [leaving] = clients.splice(random.int(clients.length), 1);
        h.send({ memberId: leaving.memberId, memberEpoch: -1, instanceId: leaving.instanceId });
      } else if (roll < 0.3) {
        h.topics.grow('u', 3 + step);
      } else if (roll < 0.33) {
        clients.splice(random.int(clients.length), 1); // crashes: its session will expire
      } else if (roll < 0.38 && clients.some((c) => c.instanceId !== null)) {
        // A static member restarts: leaves with -2, comes back under a new member id.
        const restarting = clients.find((c) => c.instanceId !== null) as Client;
        h.send({ memberId: restarting.memberId, memberEpoch: -2, instanceId: restarting.instanceId });
        const departed = h.describe().members.find((m) => m.memberId === restarting.memberId);
        const target = new Set(partitionsOf(departed?.targetAssignment.topicPartitions ?? []));
        const keeps = partitionsOf(departed?.assignment.topicPartitions ?? []).filter((p) => target.has(p));
        const { client } = h.join({ memberId: `r${step}`, instanceId: restarting.instanceId });
        expect(partitionsOf(client.owned)).toEqual(expect.arrayContaining(keeps));
        clients.splice(clients.indexOf(restarting), 1, client);
        restarts++;
      } else {
        const client = random.pick(clients);
        if (h.poll(client).errorCode !== 0) clients.splice(clients.indexOf(client), 1);
      }
      h.tick();
      expectNoDoubleOwnership(h);
    }
    const written = new Set(h.log.map((r) => `${r.type}${r.value === null ? ' tombstone' : ''}`));
    expect(written.size).toBe(9); // every kind of record and tombstone but those of a deleted group
    expect(restarts).toBeGreaterThan(0);
    const replayed = h.replayed();
    expect(replayed.list()).toEqual(h.groups.list());
    expect(replayed.describe('g', h.topics, false)).toEqual(h.describe());
    // The rebuilt groups carry on exactly as the live ones do.
    const survivor = clients[0];
    const request = { groupId: 'g', memberId: survivor.memberId, memberEpoch: survivor.epoch, instanceId: survivor.instanceId, rackId: null,
      rebalanceTimeoutMs: -1, subscribedTopicNames: null, subscribedTopicRegex: null, serverAssignor: null, topicPartitions: survivor.owned };
    const ctx = { apiVersion: 1, clientId: 'client', clientHost: '/10.0.0.1', now: h.now };
    expect(replayed.heartbeat(request, ctx, h.topics)).toEqual(h.groups.heartbeat(request, ctx, h.topics));
  });

  it('starts sessions and pending revocation deadlines when loaded', () => {
    const h = new ConsumerHarness();
    h.topics.create('t', 4);
    const a = h.join({ memberId: 'a', rebalanceTimeoutMs: 20_000 }).client;
    h.join({ memberId: 'b' });
    h.poll(a); // a must now revoke
    const loaded = h.replayed();
    expect(loaded.nextDeadline()).toBeUndefined();
    const loadedAt = h.now + 100;
    loaded.onLoaded(loadedAt);
    expect(loaded.nextDeadline()).toBe(loadedAt + 20_000);
    const fenced = loaded.tick(loadedAt + 20_000, h.topics);
    expect(fenced.filter((r) => r.type === 'ConsumerGroupMemberMetadata').map((r) => r.key)).toEqual([{ groupId: 'g', memberId: 'a' }]);
    expect(loaded.nextDeadline()).toBe(loadedAt + SESSION);
  });
});
