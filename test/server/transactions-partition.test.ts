import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BrokerConnection } from '../../src/client/broker-connection.js';
import { startBroker } from '../../src/index.js';
import { CreateTopicsApi, FetchApi, ListOffsetsApi, ProduceApi, WriteTxnMarkersApi } from '../../src/protocol/generated/apis.js';
import { createCreateTopicsRequest, createCreateTopicsRequestCreatableTopic } from '../../src/protocol/generated/clients/create-topics-request.js';
import { createFetchRequest, createFetchRequestFetchPartition, createFetchRequestFetchTopic } from '../../src/protocol/generated/clients/fetch-request.js';
import { createListOffsetsRequest } from '../../src/protocol/generated/clients/list-offsets-request.js';
import { createProduceRequest } from '../../src/protocol/generated/clients/produce-request.js';
import { createWriteTxnMarkersRequest } from '../../src/protocol/generated/clients/write-txn-markers-request.js';
import { ErrorCode } from '../../src/protocol/generated/error-codes.js';
import { buildRecordBatch } from '../../src/protocol/records/batch-builder.js';
import type { RecordBatchHeader } from '../../src/protocol/records/batch-header.js';
import { decodeBatchRecords } from '../../src/protocol/records/batch-records.js';
import { batchViews } from '../../src/replication/batch-views.js';
import { SILENT_LOGGER } from '../../src/util/logger.js';
import { testConnectionOptions } from '../support/connection-options.js';

const TOPIC = 'payments';

function records(values: string[], producer?: { producerId: number; baseSequence: number }): Buffer {
  return buildRecordBatch({
    records: values.map((v) => ({ key: Buffer.from('k'), value: Buffer.from(v), timestamp: Date.UTC(2024, 0, 1) })),
    ...(producer === undefined ? {} : { producerId: producer.producerId, producerEpoch: 0, baseSequence: producer.baseSequence, isTransactional: true }),
  });
}

async function produce(connection: BrokerConnection, batch: Buffer, transactionalId: string | null): Promise<[number, number]> {
  const response = await connection.send(
    ProduceApi,
    9,
    createProduceRequest({
      transactionalId,
      acks: -1,
      timeoutMs: 10_000,
      topicData: [{ name: TOPIC, partitionData: [{ index: 0, records: batch }] }],
    }),
  );
  const p = response.responses[0].partitionResponses[0];
  return [p.errorCode, p.baseOffset];
}

async function marker(connection: BrokerConnection, producerId: number, producerEpoch: number, commit: boolean): Promise<number[]> {
  const response = await connection.send(
    WriteTxnMarkersApi,
    1,
    createWriteTxnMarkersRequest({
      markers: [{ producerId, producerEpoch, transactionResult: commit, coordinatorEpoch: 0, topics: [{ name: TOPIC, partitionIndexes: [0, 7] }] }],
    }),
  );
  expect(response.markers.map((m) => m.producerId)).toEqual([producerId]);
  return response.markers[0].topics[0].partitions.map((p) => p.errorCode);
}

interface Fetched {
  lastStableOffset: number;
  highWatermark: number;
  aborted: Array<[number, number]> | null;
  /** Data records as `offset:value`, control batches left out. */
  values: string[];
  controlBatches: number;
}

async function fetch(connection: BrokerConnection, isolationLevel: number, version = 11, fetchOffset = 0): Promise<Fetched> {
  const response = await connection.send(
    FetchApi,
    version,
    createFetchRequest({
      replicaId: -1,
      maxWaitMs: 0,
      minBytes: 1,
      maxBytes: 1 << 20,
      isolationLevel,
      sessionId: 0,
      sessionEpoch: -1,
      topics: [
        createFetchRequestFetchTopic({
          topic: TOPIC,
          partitions: [createFetchRequestFetchPartition({ partition: 0, fetchOffset, partitionMaxBytes: 1 << 20, currentLeaderEpoch: -1, lastFetchedEpoch: -1, logStartOffset: -1 })],
        }),
      ],
    }),
  );
  const p = response.responses[0].partitions[0];
  expect(p.errorCode).toBe(ErrorCode.NONE);
  const batches = batchViews(p.records ?? Buffer.alloc(0)) ?? [];
  return {
    lastStableOffset: p.lastStableOffset,
    highWatermark: p.highWatermark,
    aborted: p.abortedTransactions === null ? null : p.abortedTransactions.map((t) => [t.producerId, t.firstOffset]),
    values: batches.filter((b) => !b.isControl).flatMap((b: RecordBatchHeader) => decodeBatchRecords(b).map((r) => `${b.baseOffset + r.offsetDelta}:${r.value!.toString()}`)),
    controlBatches: batches.filter((b) => b.isControl).length,
  };
}

async function latest(connection: BrokerConnection, isolationLevel: number): Promise<number> {
  const response = await connection.send(
    ListOffsetsApi,
    5,
    createListOffsetsRequest({ replicaId: -1, isolationLevel, topics: [{ name: TOPIC, partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -1, maxNumOffsets: 1 }] }] }),
  );
  return response.topics[0].partitions[0].offset;
}

describe('transactions on the partition side, through the wire', () => {
  it('serves read_committed fetches below the last stable offset with the aborted transactions', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'gregor-txn-partition-'));
    const broker = await startBroker({ logger: SILENT_LOGGER, properties: { 'log.dirs': dataDir, listeners: 'PLAINTEXT://127.0.0.1:0' } });
    const connection = await BrokerConnection.open(testConnectionOptions(broker.listeners[0].port));
    try {
      const created = await connection.send(
        CreateTopicsApi,
        7,
        createCreateTopicsRequest({ topics: [createCreateTopicsRequestCreatableTopic({ name: TOPIC, numPartitions: 1, replicationFactor: 1 })], timeoutMs: 30_000 }),
      );
      expect(created.topics[0].errorCode).toBe(ErrorCode.NONE);

      expect(await produce(connection, records(['a']), null)).toEqual([ErrorCode.NONE, 0]);
      expect(await produce(connection, records(['aborted-1', 'aborted-2'], { producerId: 5001, baseSequence: 0 }), 'tx-a')).toEqual([ErrorCode.NONE, 1]);
      expect(await produce(connection, records(['committed'], { producerId: 5002, baseSequence: 0 }), 'tx-b')).toEqual([ErrorCode.NONE, 3]);
      expect(await produce(connection, records(['b']), null)).toEqual([ErrorCode.NONE, 4]);

      // Both transactions open: read_committed stops before the first one.
      expect(await fetch(connection, 1)).toEqual({ lastStableOffset: 1, highWatermark: 5, aborted: [], values: ['0:a'], controlBatches: 0 });
      expect(await fetch(connection, 0)).toMatchObject({ lastStableOffset: 1, aborted: null, values: ['0:a', '1:aborted-1', '2:aborted-2', '3:committed', '4:b'] });
      expect([await latest(connection, 0), await latest(connection, 1)]).toEqual([5, 1]);

      // Markers: one partition led here, one that does not exist.
      expect(await marker(connection, 5001, 0, false)).toEqual([ErrorCode.NONE, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]);
      expect(await fetch(connection, 1)).toMatchObject({ lastStableOffset: 3, highWatermark: 6, aborted: [[5001, 1]] });
      expect(await marker(connection, 5002, 0, true)).toEqual([ErrorCode.NONE, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]);
      const committed = await fetch(connection, 1);
      expect(committed).toMatchObject({
        lastStableOffset: 7,
        highWatermark: 7,
        aborted: [[5001, 1]],
        values: ['0:a', '1:aborted-1', '2:aborted-2', '3:committed', '4:b'],
      });
      // The markers (timestamped now, years after the records) went to a new segment (segment.ms).
      expect(await fetch(connection, 1, 11, 5)).toEqual({ lastStableOffset: 7, highWatermark: 7, aborted: [[5001, 1]], values: [], controlBatches: 2 });
      // What a read_committed consumer keeps: everything but producer 5001's records from offset 1 to its marker.
      expect(committed.values.filter((v) => !v.includes('aborted'))).toEqual(['0:a', '3:committed', '4:b']);
      expect([await latest(connection, 0), await latest(connection, 1)]).toEqual([7, 7]);
      // A stale producer epoch is refused.
      expect(await marker(connection, 5001, -1, true)).toEqual([ErrorCode.INVALID_PRODUCER_EPOCH, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]);
      // Fetch v4 (the first with isolation levels) reports the same.
      expect(await fetch(connection, 1, 4)).toMatchObject({ lastStableOffset: 7, aborted: [[5001, 1]] });
    } finally {
      await connection.close();
      await broker.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
