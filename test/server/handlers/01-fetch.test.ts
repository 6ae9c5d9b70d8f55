import { describe, expect, it } from 'vitest';
import { FetchApi, ProduceApi } from '../../../src/protocol/generated/apis.js';
import {
  createFetchRequest,
  createFetchRequestFetchPartition,
  createFetchRequestFetchTopic,
  createFetchRequestForgottenTopic,
  createFetchRequestReplicaState,
  type FetchRequest,
} from '../../../src/protocol/generated/clients/fetch-request.js';
import type { FetchResponse } from '../../../src/protocol/generated/clients/fetch-response.js';
import {
  createProduceRequest,
  createProduceRequestPartitionProduceData,
  createProduceRequestTopicProduceData,
} from '../../../src/protocol/generated/clients/produce-request.js';
import { ErrorCode } from '../../../src/protocol/generated/error-codes.js';
import { decodeBatchRecords } from '../../../src/protocol/records/batch-records.js';
import { readMessageSet } from '../../../src/protocol/records/legacy/message-set-reader.js';
import { batchViews } from '../../../src/replication/batch-views.js';
import { batchOf, DataPlane } from '../../replication/support.js';
import { dataPlaneHandlers, versions, WireClient } from './data-plane.js';

interface PartitionAsk {
  topic: string;
  partition?: number;
  fetchOffset?: number;
  currentLeaderEpoch?: number;
}

/** A fetch of the given partitions, by name below v13 and by topic id from v13. */
function fetchRequest(plane: DataPlane, version: number, asks: PartitionAsk[], extra: Partial<FetchRequest> = {}): FetchRequest {
  return createFetchRequest({
    maxWaitMs: 0,
    minBytes: 1,
    maxBytes: 1 << 20,
    topics: asks.map((a) =>
      createFetchRequestFetchTopic({
        topic: version < 13 ? a.topic : '',
        topicId: version >= 13 ? (plane.image.topicsByName.get(a.topic)?.id ?? 'AAAAAAAAAAAAAAAAAAAAEQ') : undefined,
        partitions: [
          createFetchRequestFetchPartition({
            partition: a.partition ?? 0,
            fetchOffset: a.fetchOffset ?? 0,
            partitionMaxBytes: 1 << 20,
            currentLeaderEpoch: version >= 9 ? (a.currentLeaderEpoch ?? -1) : -1,
          }),
        ],
      }),
    ),
    ...extra,
  });
}

function firstPartition(response: FetchResponse) {
  return response.responses[0].partitions[0];
}

function v2Values(records: Buffer | null): string[] {
  return batchViews(records!)!.flatMap((b) => decodeBatchRecords(b).map((r) => r.value!.toString()));
}

async function setup(brokers = [1]) {
  const plane = await DataPlane.start({ brokers });
  await plane.createTopic('orders');
  await plane.produce('orders', 0, batchOf(['a', 'b']));
  await plane.produce('orders', 0, batchOf(['c']));
  return { plane, client: new WireClient(dataPlaneHandlers(plane.replicas)) };
}

describe('Fetch handler', () => {
  it.each(versions(4, 17))('returns the stored v2 batches at v%i', async (version) => {
    const { plane, client } = await setup();
    const response = await client.answer(FetchApi, version, fetchRequest(plane, version, [{ topic: 'orders', fetchOffset: 1 }]));
    expect(response.errorCode).toBe(ErrorCode.NONE);
    const topic = response.responses[0];
    if (version >= 13) expect(topic.topicId).toBe(plane.image.topicsByName.get('orders')!.id);
    else expect(topic.topic).toBe('orders');
    expect(topic.partitions[0]).toMatchObject({ partitionIndex: 0, errorCode: ErrorCode.NONE, highWatermark: 3, lastStableOffset: 3, preferredReadReplica: -1 });
    expect(topic.partitions[0].logStartOffset).toBe(version >= 5 ? 0 : -1);
    expect(v2Values(topic.partitions[0].records)).toEqual(['a', 'b', 'c']);
  });

  it.each([
    [0, 0],
    [1, 0],
    [2, 1],
    [3, 1],
  ] as const)('down-converts for Fetch v%i to message format v%i', async (version, magic) => {
    const { plane, client } = await setup();
    const response = await client.answer(FetchApi, version, fetchRequest(plane, version, [{ topic: 'orders' }]));
    const set = readMessageSet(firstPartition(response).records!);
    expect(set.partialBytes).toBe(0);
    expect(set.entries.map((e) => [e.magic, e.offset, e.records[0].value!.toString()])).toEqual([
      [magic, 0, 'a'],
      [magic, 1, 'b'],
      [magic, 2, 'c'],
    ]);
  });

  it('answers UNKNOWN_TOPIC_ID from v13 and UNKNOWN_TOPIC_OR_PARTITION before, with null records', async () => {
    const { plane, client } = await setup();
    const byName = await client.answer(FetchApi, 12, fetchRequest(plane, 12, [{ topic: 'missing' }]));
    expect(firstPartition(byName)).toMatchObject({ errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, highWatermark: -1, records: null });
    const byId = await client.answer(FetchApi, 13, fetchRequest(plane, 13, [{ topic: 'missing' }]));
    expect(byId.responses[0].topicId).toBe('AAAAAAAAAAAAAAAAAAAAEQ');
    expect(firstPartition(byId)).toMatchObject({ errorCode: ErrorCode.UNKNOWN_TOPIC_ID, records: null });
  });

  it('opens a fetch session at v7+ and answers incremental fetches with changes only', async () => {
    const { plane, client } = await setup();
    await plane.createTopic('other');
    const full = await client.answer(FetchApi, 12, fetchRequest(plane, 12, [{ topic: 'orders', fetchOffset: 3 }, { topic: 'other' }], { sessionEpoch: 0 }));
    expect(full.sessionId).not.toBe(0);
    expect(full.responses.map((t) => t.topic)).toEqual(['orders', 'other']);

    const incremental = (epoch: number, extra: Partial<FetchRequest> = {}) =>
      client.answer(FetchApi, 12, createFetchRequest({ maxWaitMs: 0, minBytes: 1, sessionId: full.sessionId, sessionEpoch: epoch, ...extra }));
    expect((await incremental(1)).responses).toEqual([]);
    await plane.produce('other', 0, batchOf(['news']));
    const news = await incremental(2);
    expect(news.sessionId).toBe(full.sessionId);
    expect(news.responses.map((t) => [t.topic, t.partitions.map((p) => p.highWatermark)])).toEqual([['other', [1]]]);
    expect(v2Values(firstPartition(news).records)).toEqual(['news']);

    const forgotten = await incremental(3, { forgottenTopicsData: [createFetchRequestForgottenTopic({ topic: 'other', partitions: [0] })] });
    expect(forgotten.responses).toEqual([]);
    await plane.produce('other', 0, batchOf(['ignored']));
    expect((await incremental(4)).responses).toEqual([]);

    const stale = await incremental(3);
    expect(stale).toMatchObject({ errorCode: ErrorCode.INVALID_FETCH_SESSION_EPOCH, sessionId: 0, responses: [] });
    const unknown = await client.answer(FetchApi, 12, createFetchRequest({ sessionId: full.sessionId + 1, sessionEpoch: 1 }));
    expect(unknown.errorCode).toBe(ErrorCode.FETCH_SESSION_ID_NOT_FOUND);
  });

  it('holds a long poll until an append brings minBytes', async () => {
    const { plane, client } = await setup();
    let answered = false;
    const pending = client.answer(FetchApi, 11, fetchRequest(plane, 11, [{ topic: 'orders', fetchOffset: 3 }], { maxWaitMs: 30_000 })).then((r) => {
      answered = true;
      return r;
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(answered).toBe(false);
    await client.answer(
      ProduceApi,
      7,
      createProduceRequest({
        acks: 1,
        timeoutMs: 1000,
        topicData: [createProduceRequestTopicProduceData({ name: 'orders', partitionData: [createProduceRequestPartitionProduceData({ index: 0, records: batchOf(['d']) })] })],
      }),
    );
    expect(v2Values(firstPartition(await pending).records)).toEqual(['d']);
  });

  it('answers an expired long poll with empty records', async () => {
    const { plane, client } = await setup();
    const pending = client.answer(FetchApi, 11, fetchRequest(plane, 11, [{ topic: 'orders', fetchOffset: 3 }], { maxWaitMs: 500 }));
    await new Promise((resolve) => setImmediate(resolve));
    plane.scheduler.advance(500);
    expect(firstPartition(await pending)).toMatchObject({ errorCode: ErrorCode.NONE, highWatermark: 3, records: Buffer.alloc(0) });
  });

  it('names the current leader and its endpoint on NOT_LEADER_OR_FOLLOWER and FENCED_LEADER_EPOCH from v16', async () => {
    const { plane, client } = await setup([1, 2]);
    await plane.createTopic('remote', { replicas: [2], leaderEpoch: 6 });
    const v16 = await client.answer(FetchApi, 16, fetchRequest(plane, 16, [{ topic: 'remote' }, { topic: 'orders', currentLeaderEpoch: -5 }]));
    expect(v16.responses.flatMap((t) => t.partitions.map((p) => [p.errorCode, p.currentLeader.leaderId, p.currentLeader.leaderEpoch]))).toEqual([
      [ErrorCode.NOT_LEADER_OR_FOLLOWER, 2, 6],
      [ErrorCode.FENCED_LEADER_EPOCH, 1, 0],
    ]);
    expect(v16.nodeEndpoints.map((n) => [n.nodeId, n.host, n.port]).sort()).toEqual([
      [1, 'localhost', 9093],
      [2, 'localhost', 9094],
    ]);
    const v15 = await client.answer(FetchApi, 15, fetchRequest(plane, 15, [{ topic: 'remote' }]));
    expect(firstPartition(v15).currentLeader).toMatchObject({ leaderId: -1, leaderEpoch: -1 });
    expect(v15.nodeEndpoints).toEqual([]);
  });

  it('reads the replica id from ReplicaState from v15', async () => {
    const { plane, client } = await setup([1, 2, 3]);
    const request = fetchRequest(plane, 15, [{ topic: 'orders' }], { replicaState: createFetchRequestReplicaState({ replicaId: 3, replicaEpoch: 1 }) });
    expect(firstPartition(await client.answer(FetchApi, 15, request)).errorCode).toBe(ErrorCode.NOT_LEADER_OR_FOLLOWER);
  });

  it('keeps partitions in order, grouping a topic only while its partitions follow each other', async () => {
    const { plane, client } = await setup();
    await plane.createTopic('two', { partitions: 2 });
    const response = await client.answer(FetchApi, 12, fetchRequest(plane, 12, [{ topic: 'two', partition: 0 }, { topic: 'two', partition: 1 }, { topic: 'orders' }]));
    expect(response.responses.map((t) => [t.topic, t.partitions.map((p) => p.partitionIndex)])).toEqual([
      ['two', [0, 1]],
      ['orders', [0]],
    ]);
  });
});
