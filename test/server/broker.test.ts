import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BrokerConnection } from '../../src/client/broker-connection.js';
import { CreateTopicsApi, FetchApi, MetadataApi, ProduceApi } from '../../src/protocol/generated/apis.js';
import { createFetchRequest, createFetchRequestFetchPartition, createFetchRequestFetchTopic } from '../../src/protocol/generated/clients/fetch-request.js';
import { createCreateTopicsRequest, createCreateTopicsRequestCreatableTopic } from '../../src/protocol/generated/clients/create-topics-request.js';
import { createMetadataRequest, createMetadataRequestTopic } from '../../src/protocol/generated/clients/metadata-request.js';
import {
  createProduceRequest,
  createProduceRequestPartitionProduceData,
  createProduceRequestTopicProduceData,
} from '../../src/protocol/generated/clients/produce-request.js';
import { ErrorCode } from '../../src/protocol/generated/error-codes.js';
import { Broker } from '../../src/server/broker.js';
import { SILENT_LOGGER } from '../../src/util/logger.js';
import { batchOf } from '../replication/support.js';

let running: Array<{ broker: Broker; connection: BrokerConnection }> = [];
afterEach(async () => {
  for (const { broker, connection } of running) {
    await connection.close();
    await broker.stop();
  }
  running = [];
});

async function startBroker(overrides: string[] = []): Promise<BrokerConnection> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'gregor-broker-'));
  const broker = await Broker.start({ env: {}, overrides: [`log.dirs=${dataDir}`, 'listeners=PLAINTEXT://127.0.0.1:0', 'num.partitions=3', ...overrides] });
  const connection = await BrokerConnection.open({
    address: { host: '127.0.0.1', port: broker.listeners[0].port },
    clientId: 'broker-test',
    clientSoftware: { name: 'gregor-test', version: '1.0.0' },
    requestTimeoutMs: 30_000,
    connectTimeoutMs: 10_000,
    maxIdleMs: 600_000,
    logger: SILENT_LOGGER,
  });
  running.push({ broker, connection });
  return connection;
}

/** The error codes of a produce of one record to each of the topic's three partitions. */
async function produceToEveryPartition(connection: BrokerConnection, topic: string): Promise<number[]> {
  const response = await connection.send(
    ProduceApi,
    9,
    createProduceRequest({
      acks: -1,
      timeoutMs: 30_000,
      topicData: [
        createProduceRequestTopicProduceData({
          name: topic,
          partitionData: [0, 1, 2].map((index) => createProduceRequestPartitionProduceData({ index, records: batchOf([`to ${index}`]) })),
        }),
      ],
    }),
  );
  return response.responses[0].partitionResponses.map((p) => p.errorCode);
}

describe('Broker', () => {
  it('answers CreateTopics once its partitions take produces', async () => {
    const connection = await startBroker();
    const created = await connection.send(
      CreateTopicsApi,
      7,
      createCreateTopicsRequest({
        topics: [createCreateTopicsRequestCreatableTopic({ name: 'created', numPartitions: 3, replicationFactor: 1 })],
        timeoutMs: 30_000,
      }),
    );
    expect(created.topics[0].errorCode).toBe(ErrorCode.NONE);
    expect(await produceToEveryPartition(connection, 'created')).toEqual([ErrorCode.NONE, ErrorCode.NONE, ErrorCode.NONE]);
  });

  it('answers a Metadata request that creates a topic once its partitions take produces', async () => {
    const connection = await startBroker();
    const metadata = await connection.send(
      MetadataApi,
      9,
      createMetadataRequest({ topics: [createMetadataRequestTopic({ name: 'auto' })], allowAutoTopicCreation: true }),
    );
    expect(metadata.topics[0].partitions.map((p) => [p.partitionIndex, p.leaderId])).toEqual([
      [0, 1],
      [1, 1],
      [2, 1],
    ]);
    expect(await produceToEveryPartition(connection, 'auto')).toEqual([ErrorCode.NONE, ErrorCode.NONE, ErrorCode.NONE]);
  });

  it.each([
    [1000, true],
    [0, false],
  ])('with max.incremental.fetch.session.cache.slots=%i, a fetch opening a session gets one: %s', async (slots, getsSession) => {
    const connection = await startBroker([`max.incremental.fetch.session.cache.slots=${slots}`]);
    await connection.send(MetadataApi, 9, createMetadataRequest({ topics: [createMetadataRequestTopic({ name: 'sessions' })], allowAutoTopicCreation: true }));
    const response = await connection.send(
      FetchApi,
      12,
      createFetchRequest({
        sessionId: 0,
        sessionEpoch: 0,
        topics: [createFetchRequestFetchTopic({ topic: 'sessions', partitions: [createFetchRequestFetchPartition({ partition: 0, partitionMaxBytes: 1024 })] })],
      }),
    );
    expect(response.errorCode).toBe(ErrorCode.NONE);
    expect(response.sessionId !== 0).toBe(getsSession);
  });
});
