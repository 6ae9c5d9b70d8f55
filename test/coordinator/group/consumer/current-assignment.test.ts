import { describe, expect, it } from 'vitest';
import { assignmentFromList, assignmentToList, type Assignment } from '../../../../src/coordinator/group/consumer/assignment.js';
import { needsFencingForUnknownState, reconcile, type ReconcileInput } from '../../../../src/coordinator/group/consumer/current-assignment.js';
import { MemberState, newMember, type ConsumerGroupMember } from '../../../../src/coordinator/group/consumer/member.js';

const t = (...partitions: number[]): Assignment => assignmentFromList([{ topicId: 't', partitions }]);

function member(overrides: Partial<ConsumerGroupMember>): ConsumerGroupMember {
  return { ...newMember('m'), memberEpoch: 3, previousMemberEpoch: 2, ...overrides };
}

function input(target: Assignment, owned: number[] | null, ownedByOthers: number[] = [], epoch = 4): ReconcileInput {
  return {
    targetAssignmentEpoch: epoch,
    targetAssignment: target,
    partitionEpoch: (_topic, partition) => (ownedByOthers.includes(partition) ? 1 : -1),
    ownedPartitions: owned === null ? null : [{ topicId: 't', partitions: owned }],
  };
}

const partitions = (assignment: Assignment): number[] => assignmentToList(assignment).flatMap((entry) => entry.partitions);

describe('reconcile (CurrentAssignmentBuilder)', () => {
  it('leaves a member reconciled to the target epoch alone', () => {
    const stable = member({ memberEpoch: 4, assignedPartitions: t(0) });
    expect(reconcile(stable, input(t(0, 1), [0]))).toBe(stable);
  });

  it('moves a stable member to the target epoch with the free partitions', () => {
    const next = reconcile(member({ assignedPartitions: t(0) }), input(t(0, 1, 2), [0]));
    expect(next).toMatchObject({ state: MemberState.STABLE, memberEpoch: 4, previousMemberEpoch: 3 });
    expect(partitions(next.assignedPartitions)).toEqual([0, 1, 2]);
  });

  it('waits for partitions other members still own', () => {
    const next = reconcile(member({ assignedPartitions: t(0) }), input(t(0, 1, 2), [0], [2]));
    expect(next).toMatchObject({ state: MemberState.UNRELEASED_PARTITIONS, memberEpoch: 4 });
    expect(partitions(next.assignedPartitions)).toEqual([0, 1]);
    const released = reconcile(next, input(t(0, 1, 2), [0, 1]));
    expect(released).toMatchObject({ state: MemberState.STABLE, memberEpoch: 4, previousMemberEpoch: 4 });
    expect(partitions(released.assignedPartitions)).toEqual([0, 1, 2]);
  });

  it('asks for revocation first and keeps the epoch until the member gave the partitions up', () => {
    const current = member({ assignedPartitions: t(0, 1) });
    const revoking = reconcile(current, input(t(1, 2), [0, 1]));
    expect(revoking).toMatchObject({ state: MemberState.UNREVOKED_PARTITIONS, memberEpoch: 3, previousMemberEpoch: 3 });
    expect(partitions(revoking.assignedPartitions)).toEqual([1]);
    expect(partitions(revoking.partitionsPendingRevocation)).toEqual([0]);
    expect(reconcile(revoking, input(t(1, 2), [0, 1]))).toBe(revoking);
    expect(reconcile(revoking, input(t(1, 2), null))).toBe(revoking);
    const revoked = reconcile(revoking, input(t(1, 2), [1]));
    expect(revoked).toMatchObject({ state: MemberState.STABLE, memberEpoch: 4, previousMemberEpoch: 3 });
    expect(partitions(revoked.assignedPartitions)).toEqual([1, 2]);
    expect(revoked.partitionsPendingRevocation.size).toBe(0);
  });

  it('skips the revocation step when the member no longer owns the partitions', () => {
    const next = reconcile(member({ assignedPartitions: t(0, 1) }), input(t(1), [1]));
    expect(next).toMatchObject({ state: MemberState.STABLE, memberEpoch: 4 });
    expect(partitions(next.assignedPartitions)).toEqual([1]);
  });

  it('reconciles a member in an unknown state from scratch only if it owns nothing', () => {
    const unknown = member({ state: MemberState.UNKNOWN, assignedPartitions: t(0) });
    expect(needsFencingForUnknownState(unknown, null)).toBe(true);
    expect(needsFencingForUnknownState(unknown, [{ topicId: 't', partitions: [0] }])).toBe(true);
    expect(needsFencingForUnknownState(unknown, [])).toBe(false);
    expect(needsFencingForUnknownState(member({}), null)).toBe(false);
    const next = reconcile(unknown, { ...input(t(0, 1), []), ownedPartitions: [] });
    expect(next).toMatchObject({ state: MemberState.STABLE, memberEpoch: 4 });
    expect(partitions(next.assignedPartitions)).toEqual([0, 1]);
  });
});
