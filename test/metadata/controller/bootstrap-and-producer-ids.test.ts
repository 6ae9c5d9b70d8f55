import { describe, expect, it } from 'vitest';
import { createAllocateProducerIdsRequest } from '../../../src/protocol/generated/clients/allocate-producer-ids-request.js';
import { ErrorCode } from '../../../src/protocol/generated/error-codes.js';
import { createProducerIdsRecord } from '../../../src/protocol/generated/metadata/producer-ids-record.js';
import { MetadataRecordType } from '../../../src/protocol/generated/records.js';
import { MetadataImage } from '../../../src/metadata/image.js';
import { bootstrapRecords } from '../../../src/metadata/controller/bootstrap.js';
import { METADATA_VERSION_LEVEL } from '../../../src/metadata/controller/metadata-version.js';
import { PRODUCER_ID_BLOCK_SIZE, allocateProducerIds } from '../../../src/metadata/controller/producer-ids.js';
import { clusterOf, replay, typesOf } from './support.js';

describe('bootstrapRecords', () => {
  it('finalizes metadata.version 3.9-IV0 in a metadata transaction, as a Kafka 3.9 controller does', () => {
    const records = bootstrapRecords();
    expect(typesOf(records)).toEqual(['BeginTransactionRecord', 'FeatureLevelRecord', 'ZkMigrationStateRecord', 'EndTransactionRecord']);
    expect(records[0].data).toMatchObject({ name: 'Bootstrap records' });
    expect(METADATA_VERSION_LEVEL).toBe(21);
    const image = replay(MetadataImage.EMPTY, records);
    expect([...image.features]).toEqual([['metadata.version', 21]]);
    expect(image.offset).toBe(3);
  });
});

describe('allocateProducerIds', () => {
  const image = clusterOf(1);
  const epoch = image.brokers.get(1)!.epoch;
  const allocate = (base: MetadataImage, brokerEpoch = epoch) => allocateProducerIds(base, createAllocateProducerIdsRequest({ brokerId: 1, brokerEpoch }));

  it('hands out consecutive blocks of 1000 ids, each recorded by a ProducerIdsRecord', () => {
    const first = allocate(image);
    expect(first.response).toEqual({ error: { errorCode: 0, errorMessage: null }, producerIdStart: 0, producerIdLen: PRODUCER_ID_BLOCK_SIZE });
    expect(first.records).toMatchObject([{ type: MetadataRecordType.ProducerIdsRecord, version: 0, data: { brokerId: 1, brokerEpoch: epoch, nextProducerId: 1000 } }]);
    const second = allocate(replay(image, first.records));
    expect(second.response.producerIdStart).toBe(1000);
    expect(replay(replay(image, first.records), second.records).nextProducerId).toBe(2000);
  });

  it('refuses a stale broker epoch', () => {
    expect(allocate(image, epoch + 1)).toEqual({
      response: {
        error: { errorCode: ErrorCode.STALE_BROKER_EPOCH, errorMessage: `Expected broker epoch ${epoch}, but got broker epoch ${epoch + 1}` },
        producerIdStart: 0,
        producerIdLen: 0,
      },
      records: [],
    });
  });

  it('answers UNKNOWN_SERVER_ERROR once the ids would pass the safe integer range', () => {
    const nearEnd = Number.MAX_SAFE_INTEGER - 999;
    const exhausted = replay(image, [
      { type: MetadataRecordType.ProducerIdsRecord, version: 0, data: createProducerIdsRecord({ brokerId: 1, brokerEpoch: epoch, nextProducerId: nearEnd }) },
    ]);
    expect(allocate(exhausted)).toMatchObject({ response: { error: { errorCode: ErrorCode.UNKNOWN_SERVER_ERROR, errorMessage: null } }, records: [] });
  });
});
