import { describe, expect, it } from 'vitest';
import { ProduceApi } from '../../../src/protocol/generated/apis.js';
import {
  createProduceRequest,
  createProduceRequestPartitionProduceData,
  createProduceRequestTopicProduceData,
  type ProduceRequest,
} from '../../../src/protocol/generated/clients/produce-request.js';
import { ErrorCode } from '../../../src/protocol/generated/error-codes.js';
import { CompressionType } from '../../../src/protocol/records/batch-header.js';
import { buildMessageSet } from '../../../src/protocol/records/legacy/message-set-builder.js';
import { batchOf, DataPlane } from '../../replication/support.js';
import { dataPlaneHandlers, versions, WireClient } from './data-plane.js';

function produce(topic: string, records: Buffer | null, options: Partial<ProduceRequest> & { partition?: number } = {}): ProduceRequest {
  const { partition = 0, ...rest } = options;
  return createProduceRequest({
    acks: 1,
    timeoutMs: 1000,
    topicData: [createProduceRequestTopicProduceData({ name: topic, partitionData: [createProduceRequestPartitionProduceData({ index: partition, records })] })],
    ...rest,
  });
}

async function setup(brokers = [1]) {
  const plane = await DataPlane.start({ brokers });
  await plane.createTopic('orders');
  return { plane, client: new WireClient(dataPlaneHandlers(plane.replicas)) };
}

const legacySet = (magic: 0 | 1) => buildMessageSet({ magic, records: [{ offset: 0, timestamp: magic === 0 ? -1 : 1000, key: null, value: Buffer.from('old') }] });

describe('Produce handler', () => {
  it.each(versions(3, 11))('appends a v2 batch at v%i and answers the fields of the version', async (version) => {
    const { client } = await setup();
    await client.answer(ProduceApi, version, produce('orders', batchOf(['a'])));
    const response = await client.answer(ProduceApi, version, produce('orders', batchOf(['b'])));
    const [partition] = response.responses[0].partitionResponses;
    expect(response.responses[0].name).toBe('orders');
    expect(partition).toMatchObject({ index: 0, errorCode: ErrorCode.NONE, baseOffset: 1, logAppendTimeMs: -1 });
    expect(partition.logStartOffset).toBe(version >= 5 ? 0 : -1);
    expect(partition.recordErrors).toEqual([]);
    expect(partition.errorMessage).toBeNull();
  });

  it.each([
    [0, 0],
    [1, 0],
    [2, 1],
  ] as const)('takes a legacy message set at v%i (magic %i) and converts it', async (version, magic) => {
    const { plane, client } = await setup();
    const response = await client.answer(ProduceApi, version, produce('orders', legacySet(magic)));
    expect(response.responses[0].partitionResponses[0]).toMatchObject({ errorCode: ErrorCode.NONE, baseOffset: 0 });
    expect(plane.replicas.hostedPartition({ topic: 'orders', partition: 0 })!.log.logEndOffset).toBe(1);
  });

  it('refuses from v3 anything but exactly one v2 batch, and zstd before v7', async () => {
    const { client } = await setup();
    const code = async (version: number, records: Buffer | null) =>
      (await client.answer(ProduceApi, version, produce('orders', records))).responses[0].partitionResponses[0].errorCode;
    expect(await code(3, legacySet(1))).toBe(ErrorCode.INVALID_RECORD);
    expect(await code(3, Buffer.concat([batchOf(['a']), batchOf(['b'])]))).toBe(ErrorCode.INVALID_RECORD);
    expect(await code(3, null)).toBe(ErrorCode.INVALID_RECORD);
    expect(await code(6, batchOf(['a'], { compression: CompressionType.Zstd }))).toBe(ErrorCode.UNSUPPORTED_COMPRESSION_TYPE);
    expect(await code(7, batchOf(['a'], { compression: CompressionType.Zstd }))).toBe(ErrorCode.NONE);
    expect(await code(2, Buffer.concat([batchOf(['a']), batchOf(['b'])]))).toBe(ErrorCode.NONE);
  });

  it('answers unknown partitions with UNKNOWN_TOPIC_OR_PARTITION and keeps the request order', async () => {
    const { client } = await setup();
    const request = createProduceRequest({
      acks: -1,
      timeoutMs: 1000,
      topicData: [
        createProduceRequestTopicProduceData({
          name: 'orders',
          partitionData: [
            createProduceRequestPartitionProduceData({ index: 3, records: batchOf(['x']) }),
            createProduceRequestPartitionProduceData({ index: 0, records: batchOf(['y']) }),
          ],
        }),
        createProduceRequestTopicProduceData({ name: 'missing', partitionData: [createProduceRequestPartitionProduceData({ index: 0, records: batchOf(['z']) })] }),
      ],
    });
    const response = await client.answer(ProduceApi, 9, request);
    expect(response.responses.map((t) => [t.name, t.partitionResponses.map((p) => [p.index, p.errorCode])])).toEqual([
      ['orders', [[3, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION], [0, ErrorCode.NONE]]],
      ['missing', [[0, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]]],
    ]);
  });

  it('sends nothing for acks=0, and closes the connection when a partition failed', async () => {
    const { plane, client } = await setup();
    expect(await client.call(ProduceApi, 9, produce('orders', batchOf(['a']), { acks: 0 }))).toBeNull();
    expect(plane.replicas.hostedPartition({ topic: 'orders', partition: 0 })!.log.logEndOffset).toBe(1);
    await expect(client.call(ProduceApi, 9, produce('missing', batchOf(['a']), { acks: 0 }))).rejects.toThrow(/missing-0: UNKNOWN_TOPIC_OR_PARTITION/);
  });

  it('answers INVALID_REQUIRED_ACKS for other acks values', async () => {
    const { client } = await setup();
    const response = await client.answer(ProduceApi, 9, produce('orders', batchOf(['a']), { acks: 5 }));
    expect(response.responses[0].partitionResponses[0]).toMatchObject({ errorCode: ErrorCode.INVALID_REQUIRED_ACKS, baseOffset: -1 });
  });

  it('reports the LogAppendTime from v2', async () => {
    const { plane, client } = await setup();
    await plane.createTopic('events', { configs: { 'message.timestamp.type': 'LogAppendTime' } });
    const response = await client.answer(ProduceApi, 2, produce('events', legacySet(1)));
    expect(response.responses[0].partitionResponses[0].logAppendTimeMs).toBe(plane.clock.now());
  });

  it('carries record errors and the error message from v8', async () => {
    const { plane, client } = await setup();
    await plane.createTopic('compacted', { configs: { 'cleanup.policy': 'compact' } });
    const records = () => batchOf([{ key: null, value: 'v' }]);
    const v8 = (await client.answer(ProduceApi, 8, produce('compacted', records()))).responses[0].partitionResponses[0];
    expect(v8.errorCode).toBe(ErrorCode.INVALID_RECORD);
    expect(v8.recordErrors).toEqual([
      expect.objectContaining({ batchIndex: 0, batchIndexErrorMessage: 'Compacted topic cannot accept message without key in topic partition compacted-0.' }),
    ]);
    expect(v8.errorMessage).toMatch(/^One or more records have been rejected due to 1 record errors/);
    const v7 = (await client.answer(ProduceApi, 7, produce('compacted', records()))).responses[0].partitionResponses[0];
    expect(v7).toMatchObject({ errorCode: ErrorCode.INVALID_RECORD, recordErrors: [], errorMessage: null });
  });

  it('names the current leader and its endpoint on NOT_LEADER_OR_FOLLOWER from v10', async () => {
    const { plane, client } = await setup([1, 2]);
    await plane.createTopic('remote', { replicas: [1, 2], leader: 2, leaderEpoch: 4 });
    const v10 = await client.answer(ProduceApi, 10, produce('remote', batchOf(['a'])));
    expect(v10.responses[0].partitionResponses[0]).toMatchObject({ errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER, currentLeader: { leaderId: 2, leaderEpoch: 4 } });
    expect(v10.nodeEndpoints).toEqual([expect.objectContaining({ nodeId: 2, host: 'localhost', port: 9094 })]);
    const v9 = await client.answer(ProduceApi, 9, produce('remote', batchOf(['a'])));
    expect(v9.responses[0].partitionResponses[0].currentLeader).toMatchObject({ leaderId: -1, leaderEpoch: -1 });
    expect(v9.nodeEndpoints).toEqual([]);
  });

  it('answers NOT_LEADER_OR_FOLLOWER instead of KAFKA_STORAGE_ERROR before v4', async () => {
    const { plane, client } = await setup();
    plane.fs.failNext('write');
    const code = async (version: number) => (await client.answer(ProduceApi, version, produce('orders', batchOf(['a'])))).responses[0].partitionResponses[0].errorCode;
    expect(await code(4)).toBe(ErrorCode.KAFKA_STORAGE_ERROR);
    expect(await code(3)).toBe(ErrorCode.NOT_LEADER_OR_FOLLOWER);
  });

  it('lets only the admin client write to internal topics', async () => {
    const { plane, client } = await setup();
    await plane.createTopic('__transaction_state');
    const code = async (clientId: string) =>
      (await client.answer(ProduceApi, 9, produce('__transaction_state', batchOf(['a'])), clientId)).responses[0].partitionResponses[0].errorCode;
    expect(await code('app')).toBe(ErrorCode.INVALID_TOPIC_EXCEPTION);
    expect(await code('__admin_client')).toBe(ErrorCode.NONE);
  });
});
