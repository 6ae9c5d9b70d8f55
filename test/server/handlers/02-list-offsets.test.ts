import { describe, expect, it } from 'vitest';
import { ListOffsetsApi } from '../../../src/protocol/generated/apis.js';
import {
  createListOffsetsRequest,
  createListOffsetsRequestListOffsetsPartition,
  createListOffsetsRequestListOffsetsTopic,
  type ListOffsetsRequest,
} from '../../../src/protocol/generated/clients/list-offsets-request.js';
import { ErrorCode } from '../../../src/protocol/generated/error-codes.js';
import { batchOf, DataPlane } from '../../replication/support.js';
import { dataPlaneHandlers, versions, WireClient } from './data-plane.js';

const T = 1_700_000_000_000;

function listOffsets(version: number, timestamps: number[], extra: { topic?: string; currentLeaderEpoch?: number; maxNumOffsets?: number } = {}): ListOffsetsRequest {
  return createListOffsetsRequest({
    replicaId: -1,
    topics: [
      createListOffsetsRequestListOffsetsTopic({
        name: extra.topic ?? 'orders',
        partitions: timestamps.map((timestamp, i) =>
          createListOffsetsRequestListOffsetsPartition({
            partitionIndex: i,
            timestamp,
            currentLeaderEpoch: version >= 4 ? (extra.currentLeaderEpoch ?? -1) : -1,
            maxNumOffsets: version === 0 ? (extra.maxNumOffsets ?? 5) : 1,
          }),
        ),
      }),
    ],
  });
}

async function setup() {
  const plane = await DataPlane.start();
  await plane.createTopic('orders', { partitions: 3, leaderEpoch: 2 });
  for (const partition of [0, 1, 2]) {
    await plane.produce('orders', partition, batchOf([{ value: 'a', timestamp: T }, { value: 'b', timestamp: T + 50 }, { value: 'c', timestamp: T + 10 }]));
  }
  return { plane, client: new WireClient(dataPlaneHandlers(plane.replicas)) };
}

describe('ListOffsets handler', () => {
  it.each(versions(1, 9))('answers latest, earliest and by time at v%i, with the leader epoch from v4', async (version) => {
    const { client } = await setup();
    const response = await client.answer(ListOffsetsApi, version, listOffsets(version, [-1, -2, T + 20]));
    const epoch = version >= 4 ? 2 : -1;
    expect(response.topics[0].partitions.map((p) => [p.partitionIndex, p.errorCode, p.offset, p.timestamp, p.leaderEpoch])).toEqual([
      [0, ErrorCode.NONE, 3, -1, epoch],
      [1, ErrorCode.NONE, 0, -1, epoch],
      [2, ErrorCode.NONE, 1, T + 50, epoch],
    ]);
  });

  it.each([
    [-3, 7],
    [-4, 8],
    [-5, 9],
  ])('accepts timestamp %i from v%i and answers UNSUPPORTED_VERSION before', async (timestamp, first) => {
    const { client } = await setup();
    const code = async (version: number) => (await client.answer(ListOffsetsApi, version, listOffsets(version, [timestamp]))).topics[0].partitions[0];
    expect((await code(first - 1)).errorCode).toBe(ErrorCode.UNSUPPORTED_VERSION);
    expect((await code(first - 1)).offset).toBe(-1);
    expect((await code(first)).errorCode).toBe(ErrorCode.NONE);
  });

  it('answers max timestamp with the first record carrying it', async () => {
    const { client } = await setup();
    const [p] = (await client.answer(ListOffsetsApi, 7, listOffsets(7, [-3]))).topics[0].partitions;
    expect(p).toMatchObject({ errorCode: ErrorCode.NONE, offset: 1, timestamp: T + 50, leaderEpoch: 2 });
  });

  it('answers v0 with old-style offset lists', async () => {
    const { client } = await setup();
    const response = await client.answer(ListOffsetsApi, 0, listOffsets(0, [-1, -2], { maxNumOffsets: 5 }));
    expect(response.topics[0].partitions.map((p) => [p.errorCode, p.oldStyleOffsets, p.offset, p.timestamp])).toEqual([
      [ErrorCode.NONE, [3, 0], -1, -1],
      [ErrorCode.NONE, [0], -1, -1],
    ]);
    const missing = await client.answer(ListOffsetsApi, 0, listOffsets(0, [-1], { topic: 'missing' }));
    expect(missing.topics[0].partitions[0]).toMatchObject({ errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, oldStyleOffsets: [] });
  });

  it('fences stale leader epochs and refuses unknown ones', async () => {
    const { client } = await setup();
    const code = async (currentLeaderEpoch: number) =>
      (await client.answer(ListOffsetsApi, 4, listOffsets(4, [-1], { currentLeaderEpoch }))).topics[0].partitions[0].errorCode;
    expect(await code(1)).toBe(ErrorCode.FENCED_LEADER_EPOCH);
    expect(await code(3)).toBe(ErrorCode.UNKNOWN_LEADER_EPOCH);
    expect(await code(2)).toBe(ErrorCode.NONE);
  });
});
