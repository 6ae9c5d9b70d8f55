import { describe, expect, it } from 'vitest';
import { ZERO_UUID } from '../../src/protocol/codec-runtime.js';
import { ErrorCode } from '../../src/protocol/generated/error-codes.js';
import {
  FetchSessionCache,
  FINAL_EPOCH,
  INITIAL_EPOCH,
  nextEpoch,
  type FetchContext,
  type FetchSessionRequest,
  type FetchTarget,
  type SessionPartitionResult,
} from '../../src/replication/fetch-session.js';
import type { FetchParams } from '../../src/replication/replica-manager.js';
import { SeededRandom } from '../../src/util/random.js';
import { batchOf, DataPlane } from './support.js';

function target(topic: string, partition: number, fetchOffset = 0): FetchTarget {
  return {
    topicId: ZERO_UUID,
    topic,
    partition,
    data: { fetchOffset, logStartOffset: -1, maxBytes: 1000, currentLeaderEpoch: -1, lastFetchedEpoch: -1 },
  };
}

function request(targets: FetchTarget[], sessionId = 0, sessionEpoch = INITIAL_EPOCH, extra: Partial<FetchSessionRequest> = {}): FetchSessionRequest {
  return { sessionId, sessionEpoch, usesTopicIds: false, isFromFollower: false, targets, forgotten: [], ...extra };
}

function result(t: FetchTarget, highWatermark: number, recordsSize = 0, errorCode: number = ErrorCode.NONE): SessionPartitionResult {
  return { topicId: t.topicId, topic: t.topic, partition: t.partition, errorCode, highWatermark, logStartOffset: 0, recordsSize, hasDivergingEpoch: false };
}

const names = (context: FetchContext): string[] => context.targets.map((t) => `${t.topic}-${t.partition}`);

describe('FetchSessionCache', () => {
  const resolve = () => null;

  it('opens a session on a full fetch at epoch 0 and expects epoch 1 next', () => {
    const cache = new FetchSessionCache({ maxSessions: 10, evictionMs: 1000, random: new SeededRandom(1) });
    const a = target('t', 0);
    const context = cache.newContext(request([a]), 0, resolve);
    const { sessionId, partitions } = context.respond([result(a, 5)], 0);
    expect(sessionId).not.toBe(0);
    expect(partitions).toHaveLength(1);
    expect(cache.get(sessionId)!.epoch).toBe(1);
    expect(nextEpoch(0x7fffffff)).toBe(1);
    expect(nextEpoch(FINAL_EPOCH)).toBe(FINAL_EPOCH);
  });

  it('answers incremental fetches with what changed only, reading every session partition', () => {
    const cache = new FetchSessionCache({ maxSessions: 10, evictionMs: 1000, random: new SeededRandom(1) });
    const [a, b] = [target('t', 0), target('t', 1)];
    const { sessionId } = cache.newContext(request([a, b]), 0, resolve).respond([result(a, 5), result(b, 7)], 0);

    const second = cache.newContext(request([], sessionId, 1), 1, resolve);
    expect(names(second)).toEqual(['t-0', 't-1']);
    const answer = second.respond([result(a, 5), result(b, 8)], 1);
    expect(answer.sessionId).toBe(sessionId);
    expect(answer.partitions.map((p) => p.partition)).toEqual([1]);

    // A partition that returned records moves to the end of the session's order.
    const third = cache.newContext(request([], sessionId, 2), 2, resolve);
    expect(third.respond([result(a, 6, 100), result(b, 8)], 2).partitions.map((p) => p.partition)).toEqual([0]);
    expect(names(cache.newContext(request([], sessionId, 3), 3, resolve))).toEqual(['t-1', 't-0']);
  });

  it('always sends partitions with errors, and again once the error clears', () => {
    const cache = new FetchSessionCache({ maxSessions: 10, evictionMs: 1000, random: new SeededRandom(1) });
    const a = target('t', 0);
    const { sessionId } = cache.newContext(request([a]), 0, resolve).respond([result(a, 5)], 0);
    const failed = cache.newContext(request([], sessionId, 1), 0, resolve).respond([result(a, -1, 0, ErrorCode.NOT_LEADER_OR_FOLLOWER)], 0);
    expect(failed.partitions).toHaveLength(1);
    const cleared = cache.newContext(request([], sessionId, 2), 0, resolve).respond([result(a, 5)], 0);
    expect(cleared.partitions).toHaveLength(1);
  });

  it('refuses unknown sessions, wrong epochs and a change of keying', () => {
    const cache = new FetchSessionCache({ maxSessions: 10, evictionMs: 1000, random: new SeededRandom(1) });
    const a = target('t', 0);
    const { sessionId } = cache.newContext(request([a]), 0, resolve).respond([result(a, 5)], 0);
    expect(cache.newContext(request([], sessionId + 1, 1), 0, resolve).errorCode).toBe(ErrorCode.FETCH_SESSION_ID_NOT_FOUND);
    expect(cache.newContext(request([], sessionId, 5), 0, resolve).errorCode).toBe(ErrorCode.INVALID_FETCH_SESSION_EPOCH);
    expect(cache.newContext(request([], sessionId, 1, { usesTopicIds: true }), 0, resolve).errorCode).toBe(ErrorCode.FETCH_SESSION_TOPIC_ID_ERROR);
    // A failed request does not advance the epoch.
    expect(cache.newContext(request([], sessionId, 1), 0, resolve).errorCode).toBe(ErrorCode.NONE);
  });

  it('forgets partitions, closes a session left empty, and closes one on a full fetch naming it', () => {
    const cache = new FetchSessionCache({ maxSessions: 10, evictionMs: 1000, random: new SeededRandom(1) });
    const [a, b] = [target('t', 0), target('t', 1)];
    const { sessionId } = cache.newContext(request([a, b]), 0, resolve).respond([result(a, 5), result(b, 5)], 0);
    const forget = cache.newContext(request([], sessionId, 1, { forgotten: [{ topicId: ZERO_UUID, topic: 't', partition: 0 }] }), 0, resolve);
    expect(names(forget)).toEqual(['t-1']);
    const empty = cache.newContext(request([], sessionId, 2, { forgotten: [{ topicId: ZERO_UUID, topic: 't', partition: 1 }] }), 0, resolve);
    expect(empty.respond([], 0).sessionId).toBe(0);
    expect(cache.size).toBe(0);

    const second = cache.newContext(request([a]), 0, resolve).respond([result(a, 5)], 0).sessionId;
    const closing = cache.newContext(request([a], second, FINAL_EPOCH), 0, resolve);
    expect(closing.respond([result(a, 5)], 0).sessionId).toBe(0);
    expect(cache.get(second)).toBeUndefined();
  });

  it('evicts the least recently used session once it has been idle for the eviction time', () => {
    const cache = new FetchSessionCache({ maxSessions: 2, evictionMs: 1000, random: new SeededRandom(1) });
    const open = (now: number, size = 1) => {
      const targets = Array.from({ length: size }, (_, i) => target('t', i));
      return cache.newContext(request(targets), now, resolve).respond(targets.map((t) => result(t, 1)), now).sessionId;
    };
    const first = open(0);
    const second = open(10);
    expect(open(500)).toBe(0);
    const third = open(1001);
    expect(third).not.toBe(0);
    expect(cache.get(first)).toBeUndefined();
    expect(cache.get(second)).toBeDefined();
  });

  it('lets a larger session evict a smaller one that has lived for the eviction time, and a follower evict a consumer', () => {
    const cache = new FetchSessionCache({ maxSessions: 1, evictionMs: 1000, random: new SeededRandom(1) });
    const open = (now: number, size: number, isFromFollower = false) => {
      const targets = Array.from({ length: size }, (_, i) => target('t', i));
      return cache.newContext(request(targets, 0, INITIAL_EPOCH, { isFromFollower }), now, resolve).respond(targets.map((t) => result(t, 1)), now).sessionId;
    };
    const consumer = open(0, 2);
    // Keep it in use so that it is never stale.
    const touch = (id: number, epoch: number, now: number) => cache.newContext(request([], id, epoch), now, resolve);
    touch(consumer, 1, 900);
    expect(open(950, 5)).toBe(0); // too young to evict
    touch(consumer, 2, 1800);
    expect(open(1850, 1)).toBe(0); // smaller than the one it would evict
    expect(open(1850, 3)).not.toBe(0);

    const young = open(5000, 1);
    touch(young, 1, 5100);
    expect(open(5200, 1, true)).not.toBe(0); // a follower's session evicts a young consumer one
  });
});

describe('fetch sessions through the replica manager', () => {
  function params(extra: Partial<FetchParams>): FetchParams {
    return {
      version: 12,
      replicaId: -1,
      maxWaitMs: 0,
      minBytes: 1,
      maxBytes: 1 << 20,
      isolationLevel: 0,
      sessionId: 0,
      sessionEpoch: INITIAL_EPOCH,
      targets: [],
      forgotten: [],
      ...extra,
    };
  }

  it('opens a session on v7+, then sends only partitions with news', async () => {
    const plane = await DataPlane.start();
    await plane.createTopic('orders', { partitions: 2 });
    await plane.produce('orders', 0, batchOf(['a']));
    const full = await plane.replicas.fetch(params({ targets: [target('orders', 0), target('orders', 1)] }));
    expect(full.sessionId).not.toBe(0);
    expect(full.partitions).toHaveLength(2);

    const quiet = await plane.replicas.fetch(params({ sessionId: full.sessionId, sessionEpoch: 1, targets: [target('orders', 0, 1)] }));
    expect(quiet.partitions).toHaveLength(0);

    await plane.produce('orders', 1, batchOf(['b']));
    const news = await plane.replicas.fetch(params({ sessionId: full.sessionId, sessionEpoch: 2 }));
    expect(news.partitions.map((p) => [p.partition, p.highWatermark])).toEqual([[1, 1]]);
    expect(news.partitions[0].records!.length).toBeGreaterThan(0);
  });

  it('waits on every partition of an incremental session', async () => {
    const plane = await DataPlane.start();
    await plane.createTopic('orders', { partitions: 2 });
    const full = await plane.replicas.fetch(params({ targets: [target('orders', 0), target('orders', 1)] }));
    const pending = plane.replicas.fetch(params({ sessionId: full.sessionId, sessionEpoch: 1, maxWaitMs: 1000 }));
    await plane.produce('orders', 1, batchOf(['late']));
    expect((await pending).partitions.map((p) => p.partition)).toEqual([1]);
  });

  it('answers FETCH_SESSION_ID_NOT_FOUND and INVALID_FETCH_SESSION_EPOCH at the top level', async () => {
    const plane = await DataPlane.start();
    await plane.createTopic('orders');
    const full = await plane.replicas.fetch(params({ targets: [target('orders', 0)] }));
    expect(await plane.replicas.fetch(params({ sessionId: full.sessionId + 1, sessionEpoch: 1 }))).toEqual({
      errorCode: ErrorCode.FETCH_SESSION_ID_NOT_FOUND,
      sessionId: 0,
      partitions: [],
    });
    expect((await plane.replicas.fetch(params({ sessionId: full.sessionId, sessionEpoch: 3 }))).errorCode).toBe(ErrorCode.INVALID_FETCH_SESSION_EPOCH);
  });

  it('uses no sessions before v7, and evicts by the configured number of slots', async () => {
    const plane = await DataPlane.start({ params: { fetchSessionCacheSlots: 1, fetchSessionEvictionMs: 100 } });
    await plane.createTopic('orders');
    expect((await plane.replicas.fetch(params({ version: 6, sessionEpoch: -1, targets: [target('orders', 0)] }))).sessionId).toBe(0);
    const first = await plane.replicas.fetch(params({ targets: [target('orders', 0)] }));
    expect((await plane.replicas.fetch(params({ targets: [target('orders', 0)] }))).sessionId).toBe(0);
    plane.clock.advance(101);
    const second = await plane.replicas.fetch(params({ targets: [target('orders', 0)] }));
    expect(second.sessionId).not.toBe(0);
    expect((await plane.replicas.fetch(params({ sessionId: first.sessionId, sessionEpoch: 1 }))).errorCode).toBe(ErrorCode.FETCH_SESSION_ID_NOT_FOUND);
    expect(plane.replicas.fetchSessionCount).toBe(1);
  });
});
