import { describe, expect, it } from 'vitest';
import { DeleteRecordsApi } from '../../../src/protocol/generated/apis.js';
import {
  createDeleteRecordsRequest,
  createDeleteRecordsRequestDeleteRecordsPartition,
  createDeleteRecordsRequestDeleteRecordsTopic,
} from '../../../src/protocol/generated/clients/delete-records-request.js';
import { ErrorCode } from '../../../src/protocol/generated/error-codes.js';
import { ordersInTwoEpochs, versions } from './data-plane.js';

describe('DeleteRecords handler', () => {
  it.each(versions(0, 2))('moves the low watermark at v%i', async (version) => {
    const { client } = await ordersInTwoEpochs();
    const request = (offset: number, name = 'orders') =>
      createDeleteRecordsRequest({
        timeoutMs: 1000,
        topics: [createDeleteRecordsRequestDeleteRecordsTopic({ name, partitions: [createDeleteRecordsRequestDeleteRecordsPartition({ partitionIndex: 0, offset })] })],
      });
    const moved = await client.answer(DeleteRecordsApi, version, request(2));
    expect(moved.topics[0]).toMatchObject({ name: 'orders', partitions: [{ partitionIndex: 0, errorCode: ErrorCode.NONE, lowWatermark: 2 }] });
    const tooFar = await client.answer(DeleteRecordsApi, version, request(9));
    expect(tooFar.topics[0].partitions[0]).toMatchObject({ errorCode: ErrorCode.OFFSET_OUT_OF_RANGE, lowWatermark: -1 });
    const toHighWatermark = await client.answer(DeleteRecordsApi, version, request(-1));
    expect(toHighWatermark.topics[0].partitions[0]).toMatchObject({ errorCode: ErrorCode.NONE, lowWatermark: 3 });
    const missing = await client.answer(DeleteRecordsApi, version, request(0, 'missing'));
    expect(missing.topics[0].partitions[0]).toMatchObject({ errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, lowWatermark: -1 });
  });

  it('lets only the admin client delete from internal topics', async () => {
    const { plane, client } = await ordersInTwoEpochs();
    await plane.createTopic('__consumer_offsets');
    const request = createDeleteRecordsRequest({
      topics: [createDeleteRecordsRequestDeleteRecordsTopic({ name: '__consumer_offsets', partitions: [createDeleteRecordsRequestDeleteRecordsPartition({ offset: 0 })] })],
    });
    expect((await client.answer(DeleteRecordsApi, 2, request, 'app')).topics[0].partitions[0].errorCode).toBe(ErrorCode.INVALID_TOPIC_EXCEPTION);
    expect((await client.answer(DeleteRecordsApi, 2, request, '__admin_client')).topics[0].partitions[0].errorCode).toBe(ErrorCode.NONE);
  });
});
