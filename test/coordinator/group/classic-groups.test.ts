import { describe, expect, it } from 'vitest';
import { DEFAULT_CLASSIC_GROUP_CONFIG, type GroupEffects } from '../../../src/coordinator/group/classic-group-model.js';
import { ClassicGroups } from '../../../src/coordinator/group/classic-groups.js';
import type { GroupMetadataRecord } from '../../../src/coordinator/group/coordinator-records.js';
import { ErrorCode } from '../../../src/protocol/generated/error-codes.js';
import { SeededRandom } from '../../../src/util/random.js';

const DELAY = DEFAULT_CLASSIC_GROUP_CONFIG.initialRebalanceDelayMs;

function ctx(to: number, now: number, apiVersion = 9): { to: number; apiVersion: number; clientId: string; clientHost: string; now: number } {
  return { to, apiVersion, clientId: 'client', clientHost: '/10.0.0.1', now };
}

function join(groups: ClassicGroups, groupId: string, to: number, now: number, memberId = '', sessionTimeoutMs = 10_000): GroupEffects {
  return groups.joinGroup(
    {
      groupId,
      sessionTimeoutMs,
      rebalanceTimeoutMs: 30_000,
      memberId,
      groupInstanceId: null,
      protocolType: 'consumer',
      protocols: [{ name: 'range', metadata: Buffer.from('m') }],
      reason: null,
    },
    ctx(to, now, 3),
  );
}

function errorOf(fx: GroupEffects): number {
  const response = fx.replies[0]?.response;
  if (response === undefined) throw new Error('no reply');
  return response.errorCode;
}

describe('ClassicGroups', () => {
  it('answers requests for groups that do not exist as Kafka does', () => {
    const groups = new ClassicGroups(DEFAULT_CLASSIC_GROUP_CONFIG, new SeededRandom(1));
    expect(errorOf(join(groups, 'g', 1, 0, 'someone'))).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect(errorOf(join(groups, 'g', 2, 0, '', 1))).toBe(ErrorCode.INVALID_SESSION_TIMEOUT);
    expect(groups.groupIds()).toEqual([]);
    expect(errorOf(join(groups, '', 3, 0))).toBe(ErrorCode.INVALID_GROUP_ID);
    const sync = { groupId: 'g', generationId: 1, memberId: 'm', groupInstanceId: null, protocolType: null, protocolName: null, assignments: [] };
    expect(errorOf(groups.syncGroup(sync, ctx(4, 0)))).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect(errorOf(groups.syncGroup({ ...sync, groupId: '' }, ctx(5, 0)))).toBe(ErrorCode.INVALID_GROUP_ID);
    const hb = { groupId: 'g', generationId: 1, memberId: 'm', groupInstanceId: null };
    expect(errorOf(groups.heartbeat(hb, ctx(6, 0)))).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect(errorOf(groups.heartbeat({ ...hb, groupId: '' }, ctx(7, 0)))).toBe(ErrorCode.INVALID_GROUP_ID);
    const leave = { groupId: 'g', memberId: 'm', members: [] };
    expect(errorOf(groups.leaveGroup(leave, ctx(8, 0, 1)))).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect(errorOf(groups.leaveGroup({ ...leave, groupId: '' }, ctx(9, 0, 1)))).toBe(ErrorCode.INVALID_GROUP_ID);
    expect(groups.deleteGroup('g', 0).errorCode).toBe(ErrorCode.GROUP_ID_NOT_FOUND);
    expect(groups.deleteGroup('', 0).errorCode).toBe(ErrorCode.INVALID_GROUP_ID);
  });

  it('creates groups on join, fires their deadlines and rebuilds them from the log', () => {
    const groups = new ClassicGroups(DEFAULT_CLASSIC_GROUP_CONFIG, new SeededRandom(1));
    const log: GroupMetadataRecord[] = [];
    log.push(...join(groups, 'a', 1, 0).records);
    log.push(...join(groups, 'b', 2, 1_000).records);
    expect(groups.groupIds()).toEqual(['a', 'b']);
    expect(groups.nextDeadline()).toBe(DELAY);

    const first = groups.tick(DELAY);
    expect(first.replies.map((r) => r.to)).toEqual([1]);
    const second = groups.tick(DELAY + 1_000);
    expect(second.replies.map((r) => r.to)).toEqual([2]);
    const member = second.replies[0].api === 'join' ? second.replies[0].response.memberId : '';
    const sync = groups.syncGroup(
      { groupId: 'b', generationId: 1, memberId: member, groupInstanceId: null, protocolType: null, protocolName: null, assignments: [] },
      ctx(3, 5_000),
    );
    log.push(...sync.records);
    expect(groups.get('b')?.currentState).toBe('Stable');

    // Group a: its only member leaves, the group is emptied and deleted.
    const memberA = first.replies[0].api === 'join' ? first.replies[0].response.memberId : '';
    log.push(...groups.leaveGroup({ groupId: 'a', memberId: memberA, members: [] }, ctx(4, 5_000, 1)).records);
    const deleted = groups.deleteGroup('a', 5_000);
    expect(deleted.errorCode).toBe(ErrorCode.NONE);
    log.push(...deleted.effects.records);
    expect(groups.groupIds()).toEqual(['b']);

    const rebuilt = new ClassicGroups(DEFAULT_CLASSIC_GROUP_CONFIG, new SeededRandom(2));
    for (const record of log) rebuilt.replay(record, 6_000);
    expect(rebuilt.groupIds()).toEqual(['b']);
    expect(rebuilt.get('b')?.currentRecord(6_000)).toEqual(groups.get('b')?.currentRecord(6_000));
    expect(rebuilt.nextDeadline()).toBeUndefined();
    rebuilt.onLoaded(6_000);
    expect(rebuilt.nextDeadline()).toBe(16_000);
  });
});
