import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { BrokerConnection } from '../../../src/client/broker-connection.js';
import { DescribeProducersApi, InitProducerIdApi, ProduceApi } from '../../../src/protocol/generated/apis.js';
import {
  createDescribeProducersRequest,
  createDescribeProducersRequestTopicRequest,
} from '../../../src/protocol/generated/clients/describe-producers-request.js';
import type { DescribeProducersResponsePartitionResponse } from '../../../src/protocol/generated/clients/describe-producers-response.js';
import { createInitProducerIdRequest, type InitProducerIdRequest } from '../../../src/protocol/generated/clients/init-producer-id-request.js';
import type { InitProducerIdResponse } from '../../../src/protocol/generated/clients/init-producer-id-response.js';
import {
  createProduceRequest,
  createProduceRequestPartitionProduceData,
  createProduceRequestTopicProduceData,
} from '../../../src/protocol/generated/clients/produce-request.js';
import type { ProduceResponsePartitionProduceResponse } from '../../../src/protocol/generated/clients/produce-response.js';
import { buildRecordBatch } from '../../../src/protocol/records/batch-builder.js';
import { batchViews } from '../../../src/replication/batch-views.js';
import { testConnectionOptions } from '../../support/connection-options.js';

/** Gregor's own client connection, for requests sent exactly as a test writes them. */
export function rawConnection(port: number): Promise<BrokerConnection> {
  return BrokerConnection.open(testConnectionOptions(port, { clientId: 'e2e-idempotence' }));
}

export function initProducerId(connection: BrokerConnection, init: Partial<InitProducerIdRequest> = {}, version = 4): Promise<InitProducerIdResponse> {
  return connection.send(InitProducerIdApi, version, createInitProducerIdRequest({ transactionalId: null, transactionTimeoutMs: 60_000, ...init }));
}

export interface IdempotentBatch {
  readonly producerId: number;
  readonly producerEpoch: number;
  readonly baseSequence: number;
  readonly values: readonly string[];
}

/** A v2 batch as an idempotent producer sends it. */
export function idempotentBatch(spec: IdempotentBatch, timestamp = Date.now()): Buffer {
  return buildRecordBatch({
    records: spec.values.map((value) => ({ key: null, value: Buffer.from(value), timestamp })),
    producerId: spec.producerId,
    producerEpoch: spec.producerEpoch,
    baseSequence: spec.baseSequence,
  });
}

/** Produce (v9, acks=all) of one batch to one partition; the partition's answer. */
export async function produceBatch(
  connection: BrokerConnection,
  topic: string,
  partition: number,
  records: Buffer,
): Promise<ProduceResponsePartitionProduceResponse> {
  const response = await connection.send(
    ProduceApi,
    9,
    createProduceRequest({
      acks: -1,
      timeoutMs: 10_000,
      topicData: [createProduceRequestTopicProduceData({ name: topic, partitionData: [createProduceRequestPartitionProduceData({ index: partition, records })] })],
    }),
  );
  return response.responses[0].partitionResponses[0];
}

export async function describeProducers(
  connection: BrokerConnection,
  topic: string,
  partitions: number[],
): Promise<DescribeProducersResponsePartitionResponse[]> {
  const response = await connection.send(
    DescribeProducersApi,
    0,
    createDescribeProducersRequest({ topics: [createDescribeProducersRequestTopicRequest({ name: topic, partitionIndexes: partitions })] }),
  );
  return response.topics[0].partitions;
}

/** The producer fields of every batch stored in one partition's segment files under `dataDir`. */
export function storedBatches(dataDir: string, topic: string, partition: number): { producerId: number; producerEpoch: number; baseSequence: number }[] {
  const dir = path.join(dataDir, `${topic}-${partition}`);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.log'))
    .sort()
    .flatMap((f) => batchViews(readFileSync(path.join(dir, f))) ?? [])
    .map((b) => ({ producerId: b.producerId, producerEpoch: b.producerEpoch, baseSequence: b.baseSequence }));
}
