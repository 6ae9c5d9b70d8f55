import { describe, expect, it } from 'vitest';
import { decodeAssignment, decodeSubscription, encodeAssignment, encodeSubscription, rangeAssign } from '../../src/client/consumer-protocol.js';

const asObject = (m: Map<string, Map<string, number[]>>) => Object.fromEntries([...m].map(([k, v]) => [k, Object.fromEntries(v)]));

describe('rangeAssign', () => {
  it("matches Kafka's RangeAssignor examples", () => {
    // Kafka's javadoc: two consumers, t0 and t1 with three partitions each.
    const members = [
      { memberId: 'C1', groupInstanceId: null, topics: ['t0', 't1'] },
      { memberId: 'C0', groupInstanceId: null, topics: ['t0', 't1'] },
    ];
    expect(asObject(rangeAssign(members, new Map([['t0', 3], ['t1', 3]])))).toEqual({
      C0: { t0: [0, 1], t1: [0, 1] },
      C1: { t0: [2], t1: [2] },
    });
  });

  it('gives members without partitions an empty assignment and skips unknown topics', () => {
    const members = ['a', 'b', 'c'].map((memberId) => ({ memberId, groupInstanceId: null, topics: ['t', 'gone'] }));
    expect(asObject(rangeAssign(members, new Map([['t', 2]])))).toEqual({ a: { t: [0] }, b: { t: [1] }, c: {} });
  });

  it('orders static members by instance id before dynamic ones', () => {
    const members = [
      { memberId: 'a', groupInstanceId: null, topics: ['t'] },
      { memberId: 'z', groupInstanceId: 'i1', topics: ['t'] },
    ];
    expect(asObject(rangeAssign(members, new Map([['t', 3]])))).toEqual({ z: { t: [0, 1] }, a: { t: [2] } });
  });

  it('assigns each topic among its own subscribers', () => {
    const members = [
      { memberId: 'a', groupInstanceId: null, topics: ['t1'] },
      { memberId: 'b', groupInstanceId: null, topics: ['t1', 't2'] },
    ];
    expect(asObject(rangeAssign(members, new Map([['t1', 4], ['t2', 2]])))).toEqual({ a: { t1: [0, 1] }, b: { t1: [2, 3], t2: [0, 1] } });
  });
});

describe('consumer protocol bytes', () => {
  it('round-trips subscriptions and assignments at every version', () => {
    for (const version of [0, 1, 2, 3]) {
      const subscription = decodeSubscription(encodeSubscription(['a', 'b'], new Map([['a', [1]]]), 5, version));
      expect(subscription).toMatchObject({ version, topics: ['a', 'b'] });
      if (version >= 1) expect(subscription.ownedPartitions).toEqual([expect.objectContaining({ topic: 'a', partitions: [1] })]);
      expect(decodeAssignment(encodeAssignment(new Map([['a', [2, 0]], ['b', [1]]]), version))).toEqual(new Map([['a', [0, 2]], ['b', [1]]]));
    }
    expect(decodeAssignment(Buffer.alloc(0))).toEqual(new Map());
  });
});
