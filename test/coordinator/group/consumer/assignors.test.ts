import { describe, expect, it } from 'vitest';
import { EMPTY_ASSIGNMENT, type Assignment } from '../../../../src/coordinator/group/consumer/assignment.js';
import type { GroupSpec, MemberSpec, PartitionAssignor } from '../../../../src/coordinator/group/consumer/assignors/assignor.js';
import { rangeAssignor } from '../../../../src/coordinator/group/consumer/assignors/range.js';
import { uniformAssignor } from '../../../../src/coordinator/group/consumer/assignors/uniform.js';
import { SeededRandom } from '../../../../src/util/random.js';

function member(memberId: string, topics: string[], assignment: Assignment = EMPTY_ASSIGNMENT, instanceId: string | null = null): MemberSpec {
  return { memberId, instanceId, subscribedTopicIds: new Set(topics), assignment };
}

function spec(members: MemberSpec[], partitionCounts: Record<string, number>): GroupSpec {
  return { members: [...members].sort((a, b) => (a.memberId < b.memberId ? -1 : 1)), partitionCounts: new Map(Object.entries(partitionCounts)) };
}

function partitionCount(assignment: Assignment): number {
  return [...assignment.values()].reduce((sum, partitions) => sum + partitions.size, 0);
}

function flat(assignment: Assignment | undefined): string[] {
  return [...(assignment ?? EMPTY_ASSIGNMENT)].flatMap(([topic, partitions]) => [...partitions].map((p) => `${topic}:${p}`)).sort();
}

/** Every partition of a subscribed topic goes to exactly one of its subscribers. */
function expectComplete(group: GroupSpec, result: Map<string, Assignment>): void {
  const owners = new Map<string, string>();
  for (const [memberId, assignment] of result) {
    const spec = group.members.find((m) => m.memberId === memberId);
    for (const [topic, partitions] of assignment) {
      expect(spec?.subscribedTopicIds.has(topic), `${memberId} got ${topic} without subscribing`).toBe(true);
      for (const partition of partitions) {
        const key = `${topic}:${partition}`;
        expect(owners.has(key), `${key} assigned twice`).toBe(false);
        owners.set(key, memberId);
      }
    }
  }
  for (const [topic, count] of group.partitionCounts) {
    if (!group.members.some((m) => m.subscribedTopicIds.has(topic))) continue;
    for (let p = 0; p < count; p++) expect(owners.has(`${topic}:${p}`), `${topic}:${p} unassigned`).toBe(true);
  }
}

/** No partition could move to another subscriber of its topic that has two or more partitions fewer. */
function expectBalanced(group: GroupSpec, result: Map<string, Assignment>): void {
  const count = (memberId: string): number => partitionCount(result.get(memberId) ?? EMPTY_ASSIGNMENT);
  for (const [memberId, assignment] of result) {
    for (const topic of assignment.keys()) {
      for (const other of group.members) {
        if (other.subscribedTopicIds.has(topic)) expect(count(other.memberId)).toBeGreaterThanOrEqual(count(memberId) - 1);
      }
    }
  }
}

function withAssignments(group: GroupSpec, result: Map<string, Assignment>): MemberSpec[] {
  return group.members.map((m) => ({ ...m, assignment: result.get(m.memberId) ?? EMPTY_ASSIGNMENT }));
}

function moved(before: Map<string, Assignment>, after: Map<string, Assignment>): number {
  let count = 0;
  for (const [memberId, assignment] of before) {
    const now = new Set(flat(after.get(memberId)));
    count += flat(assignment).filter((p) => !now.has(p)).length;
  }
  return count;
}

describe('uniform assignor, homogeneous subscriptions', () => {
  it('spreads partitions evenly and deterministically', () => {
    const group = spec([member('a', ['t1', 't2']), member('b', ['t1', 't2']), member('c', ['t1', 't2'])], { t1: 4, t2: 3 });
    const result = uniformAssignor.assign(group);
    expectComplete(group, result);
    expect([...result.values()].map(partitionCount).sort()).toEqual([2, 2, 3]);
    expect(uniformAssignor.assign(group)).toEqual(result);
  });

  it('moves only what balance requires when a member joins or leaves', () => {
    const three = spec([member('a', ['t']), member('b', ['t']), member('c', ['t'])], { t: 12 });
    const first = uniformAssignor.assign(three);
    const four = spec([...withAssignments(three, first), member('d', ['t'])], { t: 12 });
    const second = uniformAssignor.assign(four);
    expectComplete(four, second);
    expect(partitionCount(second.get('d') as Assignment)).toBe(3);
    expect(moved(first, second)).toBe(3);
    const withoutB = spec(
      withAssignments(four, second).filter((m) => m.memberId !== 'b'),
      { t: 12 },
    );
    const third = uniformAssignor.assign(withoutB);
    expectComplete(withoutB, third);
    for (const id of ['a', 'c', 'd']) {
      const kept = new Set(flat(third.get(id)));
      expect(flat(second.get(id)).every((p) => kept.has(p))).toBe(true);
      expect(partitionCount(third.get(id) as Assignment)).toBe(4);
    }
  });

  it('gives the extra partitions to members that already hold them', () => {
    const group = spec(
      [member('a', ['t'], new Map([['t', new Set([0])]])), member('b', ['t'], new Map([['t', new Set([1, 2])]])), member('c', ['t'])],
      { t: 5 },
    );
    const result = uniformAssignor.assign(group);
    expect(flat(result.get('b'))).toEqual(['t:1', 't:2']);
    expect(flat(result.get('a'))).toContain('t:0');
  });

  it('drops partitions of topics no longer subscribed and of partitions that no longer exist', () => {
    const stale = new Map([
      ['gone', new Set([0])],
      ['t', new Set([0, 7])],
    ]);
    const group = spec([member('a', ['t'], stale), member('b', ['t'])], { t: 4 });
    const result = uniformAssignor.assign(group);
    expectComplete(group, result);
    expect(flat(result.get('a'))).toContain('t:0');
    expect(flat(result.get('a')).some((p) => p.startsWith('gone') || p === 't:7')).toBe(false);
  });

  it('assigns nothing when nobody subscribes to an existing topic', () => {
    const result = uniformAssignor.assign(spec([member('a', []), member('b', [])], { t: 3 }));
    expect(flat(result.get('a'))).toEqual([]);
    expect(flat(result.get('b'))).toEqual([]);
  });
});

describe('uniform assignor, heterogeneous subscriptions', () => {
  it('gives every partition to a subscriber and balances among subscribers', () => {
    const group = spec([member('a', ['t1']), member('b', ['t1', 't2']), member('c', ['t2', 't3'])], { t1: 6, t2: 6, t3: 2 });
    const result = uniformAssignor.assign(group);
    expectComplete(group, result);
    expectBalanced(group, result);
    expect(uniformAssignor.assign(group)).toEqual(result);
  });

  it('stays complete, balanced and stable over random membership changes', () => {
    const random = new SeededRandom(42);
    const topics = { t0: 7, t1: 3, t2: 10, t3: 1 };
    const names = Object.keys(topics);
    let members: MemberSpec[] = [];
    for (let step = 0; step < 60; step++) {
      if (members.length < 2 || random.chance(0.6)) {
        const subscribed = names.filter(() => random.chance(0.5));
        members.push(member(`m${step}`, subscribed.length > 0 ? subscribed : ['t0']));
      } else {
        members.splice(random.int(members.length), 1);
      }
      const group = spec(members, topics);
      const result = uniformAssignor.assign(group);
      expectComplete(group, result);
      expectBalanced(group, result);
      members = withAssignments(group, result);
      // Nothing moves when nothing changed.
      expect(moved(result, uniformAssignor.assign(spec(members, topics)))).toBe(0);
    }
  });

  it('keeps the partitions of members whose share does not shrink', () => {
    const group = spec([member('a', ['t1']), member('b', ['t1', 't2']), member('c', ['t2'])], { t1: 4, t2: 4 });
    const first = uniformAssignor.assign(group);
    const joined = spec([...withAssignments(group, first), member('d', ['t2'])], { t1: 4, t2: 4 });
    const second = uniformAssignor.assign(joined);
    expectComplete(joined, second);
    expectBalanced(joined, second);
    expect(flat(second.get('a'))).toEqual(flat(first.get('a')));
    expect(moved(first, second)).toBe(partitionCount(second.get('d') as Assignment));
  });
});

describe('range assignor', () => {
  const assign = (assignor: PartitionAssignor, group: GroupSpec): Map<string, Assignment> => assignor.assign(group);

  it('gives consecutive ranges, the first members one more, and co-partitions topics of equal size', () => {
    const group = spec([member('b', ['t1', 't2']), member('a', ['t1', 't2']), member('c', ['t1', 't2'])], { t1: 7, t2: 7 });
    const result = assign(rangeAssignor, group);
    expectComplete(group, result);
    expect(flat(result.get('a'))).toEqual(['t1:0', 't1:1', 't1:2', 't2:0', 't2:1', 't2:2']);
    expect(flat(result.get('b'))).toEqual(['t1:3', 't1:4', 't2:3', 't2:4']);
    expect(flat(result.get('c'))).toEqual(['t1:5', 't1:6', 't2:5', 't2:6']);
  });

  it('orders static members by instance id, ahead of dynamic members', () => {
    const group = spec([member('a', ['t']), member('b', ['t'], EMPTY_ASSIGNMENT, 'i2'), member('c', ['t'], EMPTY_ASSIGNMENT, 'i1')], { t: 3 });
    const result = assign(rangeAssignor, group);
    expect(flat(result.get('c'))).toEqual(['t:0']);
    expect(flat(result.get('b'))).toEqual(['t:1']);
    expect(flat(result.get('a'))).toEqual(['t:2']);
  });

  it('ranges each topic over its own subscribers', () => {
    const group = spec([member('a', ['t1']), member('b', ['t1', 't2']), member('c', ['t2'])], { t1: 4, t2: 2 });
    const result = assign(rangeAssignor, group);
    expectComplete(group, result);
    expect(flat(result.get('a'))).toEqual(['t1:0', 't1:1']);
    expect(flat(result.get('b'))).toEqual(['t1:2', 't1:3', 't2:0']);
    expect(flat(result.get('c'))).toEqual(['t2:1']);
  });

  it('leaves members without partitions when there are more members than partitions', () => {
    const group = spec([member('a', ['t']), member('b', ['t']), member('c', ['t'])], { t: 2 });
    const result = assign(rangeAssignor, group);
    expectComplete(group, result);
    expect(flat(result.get('c'))).toEqual([]);
  });

  it('keeps static members on their ranges across a restart with new member ids', () => {
    const before = assign(rangeAssignor, spec([member('x1', ['t'], EMPTY_ASSIGNMENT, 'i1'), member('x2', ['t'], EMPTY_ASSIGNMENT, 'i2')], { t: 4 }));
    const after = assign(rangeAssignor, spec([member('y9', ['t'], EMPTY_ASSIGNMENT, 'i1'), member('y0', ['t'], EMPTY_ASSIGNMENT, 'i2')], { t: 4 }));
    expect(flat(after.get('y9'))).toEqual(flat(before.get('x1')));
    expect(flat(after.get('y0'))).toEqual(flat(before.get('x2')));
  });
});
