import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BrokerConnection } from '../../src/client/broker-connection.js';
import { coordinatorPartitionFor } from '../../src/util/coordinator-partition.js';
import { type Broker, startBroker } from '../../src/index.js';
import { CreateTopicsApi, FindCoordinatorApi, OffsetFetchApi, TxnOffsetCommitApi, WriteTxnMarkersApi } from '../../src/protocol/generated/apis.js';
import { createCreateTopicsRequest, createCreateTopicsRequestCreatableTopic } from '../../src/protocol/generated/clients/create-topics-request.js';
import { createFindCoordinatorRequest } from '../../src/protocol/generated/clients/find-coordinator-request.js';
import { createOffsetFetchRequest, createOffsetFetchRequestGroup } from '../../src/protocol/generated/clients/offset-fetch-request.js';
import {
  createTxnOffsetCommitRequest,
  createTxnOffsetCommitRequestPartition,
  createTxnOffsetCommitRequestTopic,
} from '../../src/protocol/generated/clients/txn-offset-commit-request.js';
import { createWriteTxnMarkersRequest } from '../../src/protocol/generated/clients/write-txn-markers-request.js';
import { ErrorCode } from '../../src/protocol/generated/error-codes.js';
import { SILENT_LOGGER } from '../../src/util/logger.js';
import { testConnectionOptions } from '../support/connection-options.js';

const OFFSETS_TOPIC = '__consumer_offsets';
const OFFSETS_PARTITIONS = 50;
const TOPIC = 'orders';
const NOT_READY: ReadonlySet<number> = new Set([ErrorCode.COORDINATOR_LOAD_IN_PROGRESS, ErrorCode.NOT_COORDINATOR, ErrorCode.COORDINATOR_NOT_AVAILABLE]);

interface Running {
  broker: Broker;
  connection: BrokerConnection;
}

async function start(dataDir: string): Promise<Running> {
  const broker = await startBroker({ logger: SILENT_LOGGER, properties: { 'log.dirs': dataDir, listeners: 'PLAINTEXT://127.0.0.1:0' } });
  const connection = await BrokerConnection.open(testConnectionOptions(broker.listeners[0].port));
  return { broker, connection };
}

async function stop(running: Running): Promise<void> {
  await running.connection.close();
  await running.broker.stop();
}

/** Sends until the answer no longer says the coordinator is loading (bounded). */
async function whenLoaded<T>(send: () => Promise<T>, errorOf: (response: T) => number): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    const response = await send();
    if (!NOT_READY.has(errorOf(response)) || attempt >= 2_000) return response;
  }
}

/** TxnOffsetCommit of `offsets` ([partition, offset]) of TOPIC for `groupId`; the error codes in request order. */
async function txnCommit(
  connection: BrokerConnection,
  version: number,
  groupId: string,
  producer: { producerId: number; producerEpoch: number },
  offsets: Array<[topic: string, partition: number, offset: number]>,
): Promise<number[]> {
  const topics = new Map<string, Array<[number, number]>>();
  for (const [topic, partition, offset] of offsets) topics.set(topic, [...(topics.get(topic) ?? []), [partition, offset]]);
  const request = createTxnOffsetCommitRequest({
    transactionalId: `txn-${producer.producerId}`,
    groupId,
    ...producer,
    topics: [...topics].map(([name, partitions]) =>
      createTxnOffsetCommitRequestTopic({
        name,
        partitions: partitions.map(([partitionIndex, committedOffset]) =>
          createTxnOffsetCommitRequestPartition({ partitionIndex, committedOffset, committedLeaderEpoch: version >= 2 ? 2 : -1, committedMetadata: `txn-v${version}` }),
        ),
      }),
    ),
  });
  const response = await whenLoaded(
    () => connection.send(TxnOffsetCommitApi, version, request),
    (r) => r.topics[0]?.partitions[0]?.errorCode ?? 0,
  );
  return response.topics.flatMap((t) => t.partitions.map((p) => p.errorCode));
}

/** OffsetFetch v8 of TOPIC's partitions 0-2: [offset, errorCode] each. */
async function fetchOffsets(connection: BrokerConnection, groupId: string, requireStable: boolean): Promise<Array<[number, number]>> {
  const request = createOffsetFetchRequest({ requireStable, groups: [createOffsetFetchRequestGroup({ groupId, topics: [{ name: TOPIC, partitionIndexes: [0, 1, 2] }] })] });
  const response = await whenLoaded(
    () => connection.send(OffsetFetchApi, 8, request),
    (r) => r.groups[0].errorCode,
  );
  expect(response.groups[0].errorCode).toBe(ErrorCode.NONE);
  return response.groups[0].topics[0].partitions.map((p) => [p.committedOffset, p.errorCode]);
}

/** WriteTxnMarkers v1 of one producer's COMMIT or ABORT to the group's `__consumer_offsets` partition. */
async function writeMarker(connection: BrokerConnection, groupId: string, producer: { producerId: number; producerEpoch: number }, commit: boolean): Promise<number> {
  const partition = coordinatorPartitionFor(groupId, OFFSETS_PARTITIONS);
  const response = await connection.send(
    WriteTxnMarkersApi,
    1,
    createWriteTxnMarkersRequest({
      markers: [{ ...producer, transactionResult: commit, topics: [{ name: OFFSETS_TOPIC, partitionIndexes: [partition] }], coordinatorEpoch: 0 }],
    }),
  );
  return response.markers[0].topics[0].partitions[0].errorCode;
}

describe('TxnOffsetCommit through the wire', () => {
  it('keeps offsets pending until the COMMIT marker, drops them on ABORT, and restores both after a restart', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'gregor-txn-offsets-'));
    let running = await start(dataDir);
    try {
      const { connection } = running;
      const created = await connection.send(
        CreateTopicsApi,
        7,
        createCreateTopicsRequest({ topics: [createCreateTopicsRequestCreatableTopic({ name: TOPIC, numPartitions: 3, replicationFactor: 1 })], timeoutMs: 30_000 }),
      );
      expect(created.topics[0].errorCode).toBe(ErrorCode.NONE);
      const groupId = 'txn-group';
      await connection.send(FindCoordinatorApi, 3, createFindCoordinatorRequest({ key: groupId, keyType: 0 }));
      const committer = { producerId: 7001, producerEpoch: 0 };
      const aborter = { producerId: 7002, producerEpoch: 0 };
      const open = { producerId: 7003, producerEpoch: 0 };

      // Unknown topics and partitions answer UNKNOWN_TOPIC_OR_PARTITION, the rest are written.
      expect(await txnCommit(connection, 3, groupId, committer, [[TOPIC, 0, 10], ['no-such-topic', 0, 1], [TOPIC, 9, 1]])).toEqual([
        ErrorCode.NONE,
        ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
        ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
      ]);
      expect(await txnCommit(connection, 0, groupId, aborter, [[TOPIC, 1, 20]])).toEqual([ErrorCode.NONE]);
      expect(await fetchOffsets(connection, groupId, false)).toEqual([
        [-1, ErrorCode.NONE],
        [-1, ErrorCode.NONE],
        [-1, ErrorCode.NONE],
      ]);
      expect(await fetchOffsets(connection, groupId, true)).toEqual([
        [-1, ErrorCode.UNSTABLE_OFFSET_COMMIT],
        [-1, ErrorCode.UNSTABLE_OFFSET_COMMIT],
        [-1, ErrorCode.NONE],
      ]);

      expect(await writeMarker(connection, groupId, committer, true)).toBe(ErrorCode.NONE);
      expect(await writeMarker(connection, groupId, aborter, false)).toBe(ErrorCode.NONE);
      expect(await fetchOffsets(connection, groupId, true)).toEqual([
        [10, ErrorCode.NONE],
        [-1, ErrorCode.NONE],
        [-1, ErrorCode.NONE],
      ]);

      // A transaction still open at the restart.
      expect(await txnCommit(connection, 4, groupId, open, [[TOPIC, 2, 30]])).toEqual([ErrorCode.NONE]);
      const before = await fetchOffsets(connection, groupId, true);
      expect(before).toEqual([
        [10, ErrorCode.NONE],
        [-1, ErrorCode.NONE],
        [-1, ErrorCode.UNSTABLE_OFFSET_COMMIT],
      ]);

      await stop(running);
      running = await start(dataDir);
      expect(await fetchOffsets(running.connection, groupId, true)).toEqual(before);
      // The marker written after the load completes the transaction the load left pending.
      expect(await writeMarker(running.connection, groupId, open, true)).toBe(ErrorCode.NONE);
      expect(await fetchOffsets(running.connection, groupId, true)).toEqual([
        [10, ErrorCode.NONE],
        [-1, ErrorCode.NONE],
        [30, ErrorCode.NONE],
      ]);
    } finally {
      await stop(running);
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('answers INVALID_GROUP_ID for an empty group id and ILLEGAL_GENERATION for a generation of an unknown group', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'gregor-txn-offsets-'));
    const running = await start(dataDir);
    try {
      const { connection } = running;
      await connection.send(
        CreateTopicsApi,
        7,
        createCreateTopicsRequest({ topics: [createCreateTopicsRequestCreatableTopic({ name: TOPIC, numPartitions: 1, replicationFactor: 1 })], timeoutMs: 30_000 }),
      );
      await connection.send(FindCoordinatorApi, 3, createFindCoordinatorRequest({ key: 'g', keyType: 0 }));
      const producer = { producerId: 8001, producerEpoch: 0 };
      expect(await txnCommit(connection, 2, '', producer, [[TOPIC, 0, 1]])).toEqual([ErrorCode.INVALID_GROUP_ID]);
      const request = createTxnOffsetCommitRequest({
        transactionalId: 't',
        groupId: 'unknown-group',
        ...producer,
        generationId: 3,
        memberId: 'm',
        topics: [{ name: TOPIC, partitions: [{ partitionIndex: 0, committedOffset: 1, committedLeaderEpoch: -1, committedMetadata: null }] }],
      });
      const response = await whenLoaded(
        () => connection.send(TxnOffsetCommitApi, 3, request),
        (r) => r.topics[0].partitions[0].errorCode,
      );
      expect(response.topics[0].partitions[0].errorCode).toBe(ErrorCode.ILLEGAL_GENERATION);
    } finally {
      await stop(running);
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('a commit with an epoch older than the producer has written is refused by storage and leaves nothing pending', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'gregor-txn-offsets-'));
    const running = await start(dataDir);
    try {
      const { connection } = running;
      await connection.send(
        CreateTopicsApi,
        7,
        createCreateTopicsRequest({ topics: [createCreateTopicsRequestCreatableTopic({ name: TOPIC, numPartitions: 3, replicationFactor: 1 })], timeoutMs: 30_000 }),
      );
      const groupId = 'fenced-group';
      await connection.send(FindCoordinatorApi, 3, createFindCoordinatorRequest({ key: groupId, keyType: 0 }));
      expect(await txnCommit(connection, 4, groupId, { producerId: 9001, producerEpoch: 1 }, [[TOPIC, 0, 5]])).toEqual([ErrorCode.NONE]);
      expect(await writeMarker(connection, groupId, { producerId: 9001, producerEpoch: 1 }, true)).toBe(ErrorCode.NONE);
      const [refused] = await txnCommit(connection, 4, groupId, { producerId: 9001, producerEpoch: 0 }, [[TOPIC, 1, 6]]);
      expect(refused).toBe(ErrorCode.INVALID_PRODUCER_EPOCH);
      expect(await fetchOffsets(connection, groupId, true)).toEqual([
        [5, ErrorCode.NONE],
        [-1, ErrorCode.NONE],
        [-1, ErrorCode.NONE],
      ]);
    } finally {
      await stop(running);
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
