import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/protocol/generated/error-codes.js';
import {
  EARLIEST_LOCAL_TIMESTAMP,
  EARLIEST_TIMESTAMP,
  epochForOffset,
  LATEST_TIERED_TIMESTAMP,
  LATEST_TIMESTAMP,
  MAX_TIMESTAMP,
} from '../../src/replication/list-offsets.js';
import type { ListOffsetsParams } from '../../src/replication/replica-manager.js';
import { batchOf, DataPlane, LOG_DIR } from './support.js';

const T = 1_700_000_000_000;

/** orders-0: offsets 0-1 at T, T+10 (epoch 0); offsets 2-3 at T+30, T+20 (epoch 1). */
async function orders(): Promise<DataPlane> {
  const plane = await DataPlane.start();
  await plane.createTopic('orders');
  await plane.produce('orders', 0, batchOf([{ value: 'a', timestamp: T }, { value: 'b', timestamp: T + 10 }]));
  await plane.changeLeader('orders', 0, 1);
  await plane.produce('orders', 0, batchOf([{ value: 'c', timestamp: T + 30 }, { value: 'd', timestamp: T + 20 }]));
  return plane;
}

function listOffsets(plane: DataPlane, timestamps: number[], extra: Partial<ListOffsetsParams> = {}) {
  return plane.replicas.listOffsets({
    version: 9,
    replicaId: -1,
    isolationLevel: 0,
    partitions: timestamps.map((timestamp) => ({ topic: 'orders', partition: 0, currentLeaderEpoch: -1, timestamp })),
    ...extra,
  });
}

describe('ReplicaManager listOffsets', () => {
  it('answers earliest, latest, max timestamp and times with offset, timestamp and leader epoch', async () => {
    const plane = await orders();
    const one = (timestamp: number) => listOffsets(plane, [timestamp])[0];
    expect(one(EARLIEST_TIMESTAMP)).toEqual({ errorCode: ErrorCode.NONE, timestamp: -1, offset: 0, leaderEpoch: 0 });
    expect(one(EARLIEST_LOCAL_TIMESTAMP)).toEqual({ errorCode: ErrorCode.NONE, timestamp: -1, offset: 0, leaderEpoch: 0 });
    expect(one(LATEST_TIMESTAMP)).toEqual({ errorCode: ErrorCode.NONE, timestamp: -1, offset: 4, leaderEpoch: 1 });
    expect(one(MAX_TIMESTAMP)).toEqual({ errorCode: ErrorCode.NONE, timestamp: T + 30, offset: 2, leaderEpoch: 1 });
    expect(one(LATEST_TIERED_TIMESTAMP)).toEqual({ errorCode: ErrorCode.NONE, timestamp: -1, offset: -1, leaderEpoch: -1 });
    expect(one(T + 5)).toEqual({ errorCode: ErrorCode.NONE, timestamp: T + 10, offset: 1, leaderEpoch: 0 });
    expect(one(T + 15)).toEqual({ errorCode: ErrorCode.NONE, timestamp: T + 30, offset: 2, leaderEpoch: 1 });
    expect(one(T + 31)).toEqual({ errorCode: ErrorCode.NONE, timestamp: -1, offset: -1, leaderEpoch: -1 });
  });

  it('refuses special timestamps the version does not define, and partitions named twice', async () => {
    const plane = await orders();
    const code = (timestamp: number, version: number) => listOffsets(plane, [timestamp], { version })[0].errorCode;
    expect([code(MAX_TIMESTAMP, 6), code(MAX_TIMESTAMP, 7)]).toEqual([ErrorCode.UNSUPPORTED_VERSION, ErrorCode.NONE]);
    expect([code(EARLIEST_LOCAL_TIMESTAMP, 7), code(EARLIEST_LOCAL_TIMESTAMP, 8)]).toEqual([ErrorCode.UNSUPPORTED_VERSION, ErrorCode.NONE]);
    expect([code(LATEST_TIERED_TIMESTAMP, 8), code(LATEST_TIERED_TIMESTAMP, 9)]).toEqual([ErrorCode.UNSUPPORTED_VERSION, ErrorCode.NONE]);
    expect(code(-7, 9)).toBe(ErrorCode.UNSUPPORTED_VERSION);
    expect(listOffsets(plane, [LATEST_TIMESTAMP, EARLIEST_TIMESTAMP]).map((r) => r.errorCode)).toEqual([ErrorCode.INVALID_REQUEST, ErrorCode.INVALID_REQUEST]);
  });

  it('checks the current leader epoch and leadership', async () => {
    const plane = await DataPlane.start({ brokers: [1, 2] });
    await plane.createTopic('orders', { leaderEpoch: 3 });
    await plane.createTopic('remote', { replicas: [2] });
    const code = (currentLeaderEpoch: number, topic = 'orders') =>
      plane.replicas.listOffsets({ version: 9, replicaId: -1, isolationLevel: 0, partitions: [{ topic, partition: 0, currentLeaderEpoch, timestamp: -1 }] })[0]
        .errorCode;
    expect([code(2), code(3), code(4), code(-1)]).toEqual([ErrorCode.FENCED_LEADER_EPOCH, ErrorCode.NONE, ErrorCode.UNKNOWN_LEADER_EPOCH, ErrorCode.NONE]);
    expect(code(-1, 'remote')).toBe(ErrorCode.NOT_LEADER_OR_FOLLOWER);
    expect(code(-1, 'missing')).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  });

  it('shows clients offsets below the high watermark only, other brokers up to the log end', async () => {
    const plane = await DataPlane.start({ brokers: [1, 2] });
    await plane.createTopic('orders', { replicas: [1, 2] });
    await plane.produce('orders', 0, batchOf(['a']));
    expect(listOffsets(plane, [LATEST_TIMESTAMP])[0].offset).toBe(0);
    expect(listOffsets(plane, [LATEST_TIMESTAMP], { replicaId: 2 })[0].offset).toBe(1);
    expect(listOffsets(plane, [T], { replicaId: 2 })[0].offset).toBe(0);
    expect(listOffsets(plane, [T])[0].offset).toBe(-1);
  });

  it('answers v0 with segment boundaries, newest first, at most maxNumOffsets', async () => {
    const plane = await DataPlane.start();
    await plane.createTopic('orders', { configs: { 'segment.bytes': '200' } });
    for (const v of ['a', 'b', 'c']) {
      await plane.produce('orders', 0, batchOf([v.repeat(100)]));
      plane.clock.advance(1000);
    }
    const log = plane.replicas.hostedPartition({ topic: 'orders', partition: 0 })!.log;
    expect(log.segmentBaseOffsets).toEqual([0, 1, 2]);
    const offsets = (timestamp: number, maxNumOffsets = 10) =>
      plane.replicas.legacyListOffsets({ replicaId: -1, partitions: [{ topic: 'orders', partition: 0, timestamp, maxNumOffsets }] })[0];
    expect(offsets(LATEST_TIMESTAMP)).toEqual({ errorCode: ErrorCode.NONE, offsets: [3, 2, 1, 0] });
    expect(offsets(LATEST_TIMESTAMP, 2).offsets).toEqual([3, 2]);
    expect(offsets(EARLIEST_TIMESTAMP).offsets).toEqual([0]);
    // Segments last modified at T, T+1000, T+2000; the log end counts as now.
    expect(offsets(T + 1500).offsets).toEqual([1, 0]);
    expect(offsets(T - 1).offsets).toEqual([]);
    expect(plane.replicas.legacyListOffsets({ replicaId: -1, partitions: [{ topic: 'nope', partition: 0, timestamp: -1, maxNumOffsets: 1 }] })[0]).toEqual({
      errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
      offsets: [],
    });
  });

  it('finds the epoch in force at an offset', () => {
    const entries = [
      { epoch: 0, startOffset: 0 },
      { epoch: 2, startOffset: 5 },
    ];
    expect([epochForOffset(entries, 0), epochForOffset(entries, 4), epochForOffset(entries, 5), epochForOffset(entries, 99)]).toEqual([0, 0, 2, 2]);
    expect(epochForOffset([{ epoch: 3, startOffset: 10 }], 2)).toBe(-1);
  });
});

describe('ReplicaManager offsetForLeaderEpoch', () => {
  it('answers where each epoch ends, the latest at the log end', async () => {
    const plane = await orders();
    const ask = (leaderEpoch: number, currentLeaderEpoch = -1, topic = 'orders') =>
      plane.replicas.offsetForLeaderEpoch([{ topic, partition: 0, currentLeaderEpoch, leaderEpoch }])[0];
    expect(ask(0)).toEqual({ errorCode: ErrorCode.NONE, leaderEpoch: 0, endOffset: 2 });
    expect(ask(1)).toEqual({ errorCode: ErrorCode.NONE, leaderEpoch: 1, endOffset: 4 });
    expect(ask(5)).toEqual({ errorCode: ErrorCode.NONE, leaderEpoch: -1, endOffset: -1 });
    expect(ask(0, 0).errorCode).toBe(ErrorCode.FENCED_LEADER_EPOCH);
    expect(ask(0, 2).errorCode).toBe(ErrorCode.UNKNOWN_LEADER_EPOCH);
    expect(ask(0, -1, 'missing').errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  });
});

describe('ReplicaManager deleteRecords', () => {
  it('moves the log start offset up to an offset or the high watermark, never past it', async () => {
    const plane = await orders();
    const del = (offset: number, topic = 'orders', internalTopicsAllowed = false) =>
      plane.replicas.deleteRecords({ internalTopicsAllowed, partitions: [{ topic, partition: 0, offset }] })[0];
    expect(del(2)).toEqual({ errorCode: ErrorCode.NONE, lowWatermark: 2 });
    expect(del(1)).toEqual({ errorCode: ErrorCode.NONE, lowWatermark: 2 });
    expect(del(5)).toEqual({ errorCode: ErrorCode.OFFSET_OUT_OF_RANGE, lowWatermark: -1 });
    expect(del(-3)).toEqual({ errorCode: ErrorCode.OFFSET_OUT_OF_RANGE, lowWatermark: -1 });
    expect(del(-1)).toEqual({ errorCode: ErrorCode.NONE, lowWatermark: 4 });
    expect(del(0, 'missing').errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    expect(listOffsets(plane, [EARLIEST_TIMESTAMP])[0].offset).toBe(4);
  });

  it('refuses compacted topics, internal topics and partitions led elsewhere', async () => {
    const plane = await DataPlane.start({ brokers: [1, 2] });
    await plane.createTopic('compacted', { configs: { 'cleanup.policy': 'compact' } });
    await plane.createTopic('__consumer_offsets');
    await plane.createTopic('remote', { replicas: [1, 2], leader: 2 });
    const del = (topic: string, internalTopicsAllowed = false) =>
      plane.replicas.deleteRecords({ internalTopicsAllowed, partitions: [{ topic, partition: 0, offset: 0 }] })[0].errorCode;
    expect(del('compacted')).toBe(ErrorCode.POLICY_VIOLATION);
    expect(del('__consumer_offsets')).toBe(ErrorCode.INVALID_TOPIC_EXCEPTION);
    expect(del('__consumer_offsets', true)).toBe(ErrorCode.NONE);
    expect(del('remote')).toBe(ErrorCode.NOT_LEADER_OR_FOLLOWER);
  });
});

describe('ReplicaManager describeLogDirs', () => {
  it('lists the directory with each partition size and lag, filtered as Kafka filters', async () => {
    const plane = await DataPlane.start();
    await plane.createTopic('orders', { partitions: 2 });
    await plane.createTopic('other');
    await plane.produce('orders', 1, batchOf(['a']));
    const size = plane.replicas.hostedPartition({ topic: 'orders', partition: 1 })!.log.size;
    expect(size).toBeGreaterThan(0);
    const all = plane.replicas.describeLogDirs(null);
    expect(all).toEqual([
      {
        dir: LOG_DIR,
        offline: false,
        topics: [
          { name: 'orders', partitions: [{ partition: 0, size: 0, offsetLag: 0 }, { partition: 1, size, offsetLag: 0 }] },
          { name: 'other', partitions: [{ partition: 0, size: 0, offsetLag: 0 }] },
        ],
      },
    ]);
    expect(plane.replicas.describeLogDirs(new Set(['orders-1']))[0].topics).toEqual([
      { name: 'orders', partitions: [{ partition: 1, size, offsetLag: 0 }] },
      { name: 'other', partitions: [] },
    ]);
    plane.fs.failNext('write');
    await plane.produce('orders', 0, batchOf(['b']));
    expect(plane.replicas.describeLogDirs(null)).toEqual([{ dir: LOG_DIR, offline: true, topics: [] }]);
  });
});
