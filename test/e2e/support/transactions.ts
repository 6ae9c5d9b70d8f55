import type { Kafka } from 'kafkajs';
import type { BrokerConnection } from '../../../src/client/broker-connection.js';
import { DescribeTransactionsApi, ListTransactionsApi } from '../../../src/protocol/generated/apis.js';
import { createDescribeTransactionsRequest } from '../../../src/protocol/generated/clients/describe-transactions-request.js';
import type { DescribeTransactionsResponseTransactionState } from '../../../src/protocol/generated/clients/describe-transactions-response.js';
import { createListTransactionsRequest } from '../../../src/protocol/generated/clients/list-transactions-request.js';
import type { ListTransactionsResponseTransactionState } from '../../../src/protocol/generated/clients/list-transactions-response.js';
import { decodeBatchRecords } from '../../../src/protocol/records/batch-records.js';
import { readControlRecordKey } from '../../../src/protocol/records/control-record.js';
import { waitFor } from '../../support/wait-for.js';
import { fetchOnce, wholeBatches } from './read-partition.js';

export const READ_UNCOMMITTED = 0;
export const READ_COMMITTED = 1;

/** One stored batch as a raw Fetch returns it. */
export interface FetchedBatch {
  baseOffset: number;
  lastOffset: number;
  producerId: number;
  producerEpoch: number;
  isTransactional: boolean;
  /** 'commit' or 'abort' for a transaction marker, null for a data batch. */
  control: 'commit' | 'abort' | null;
  values: (string | null)[];
}

/** What a raw Fetch (v11) of one partition from offset 0 returns, at one isolation level. */
export interface FetchedPartition {
  highWatermark: number;
  lastStableOffset: number;
  abortedTransactions: { producerId: number; firstOffset: number }[];
  batches: FetchedBatch[];
}

/**
 * Fetches one partition from offset 0 until nothing more comes (up to the high watermark, or the
 * last stable offset for read_committed), with Gregor's own client: the offsets, control batches
 * and aborted-transaction lists exactly as the broker sends them, no client in between.
 */
export async function fetchPartition(connection: BrokerConnection, topic: string, partition: number, isolationLevel: number): Promise<FetchedPartition> {
  const out: FetchedPartition = { highWatermark: -1, lastStableOffset: -1, abortedTransactions: [], batches: [] };
  let next = 0;
  for (;;) {
    const data = await fetchOnce(connection, topic, partition, next, { isolationLevel });
    out.highWatermark = data.highWatermark;
    out.lastStableOffset = data.lastStableOffset;
    for (const aborted of data.abortedTransactions ?? []) {
      if (!out.abortedTransactions.some((a) => a.producerId === aborted.producerId && a.firstOffset === aborted.firstOffset)) {
        out.abortedTransactions.push({ producerId: aborted.producerId, firstOffset: aborted.firstOffset });
      }
    }
    const before = next;
    for (const batch of wholeBatches(data.records)) {
      const decoded = decodeBatchRecords(batch);
      const control = batch.isControl ? (readControlRecordKey(decoded[0].key).type === 1 ? 'commit' : 'abort') : null;
      out.batches.push({
        baseOffset: batch.baseOffset,
        lastOffset: batch.lastOffset,
        producerId: batch.producerId,
        producerEpoch: batch.producerEpoch,
        isTransactional: batch.isTransactional,
        control,
        values: control ? [] : decoded.map((r) => r.value?.toString() ?? null),
      });
      next = batch.lastOffset + 1;
    }
    if (next === before) return out;
  }
}

/** DescribeTransactions (v0) of one transactional id. */
export async function describeTransaction(connection: BrokerConnection, transactionalId: string): Promise<DescribeTransactionsResponseTransactionState> {
  const response = await connection.send(DescribeTransactionsApi, 0, createDescribeTransactionsRequest({ transactionalIds: [transactionalId] }));
  return response.transactionStates[0];
}

/** ListTransactions (v0), optionally filtered by state names. */
export async function listTransactions(connection: BrokerConnection, stateFilters: string[] = []): Promise<ListTransactionsResponseTransactionState[]> {
  const response = await connection.send(ListTransactionsApi, 0, createListTransactionsRequest({ stateFilters, producerIdFilters: [] }));
  if (response.errorCode !== 0) throw new Error(`ListTransactions failed with error ${response.errorCode}`);
  return response.transactionStates;
}

/** The value every sentinel record carries: the last record produced to a partition in a test. */
export const END = 'END';

/** Produces one plain (non-transactional) END record to each partition, after everything a test wrote there. */
export async function sendSentinels(kafka: Kafka, topic: string, partitions: number[]): Promise<void> {
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  await producer.send({ topic, acks: -1, messages: partitions.map((partition) => ({ partition, value: END })) });
  await producer.disconnect();
}

export interface SeenRecord {
  partition: number;
  offset: number;
  value: string;
}

let readers = 0;

/**
 * Consumes `topic` from the beginning with a kafkajs group consumer (a new group each time) at
 * the given isolation level until it has seen the END sentinel of every partition, and returns
 * every record before the sentinels, sorted by partition and offset.
 */
export async function consumeUntilSentinels(kafka: Kafka, topic: string, partitions: number[], readCommitted: boolean): Promise<SeenRecord[]> {
  const consumer = kafka.consumer({ groupId: `e2e-txn-reader-${process.pid}-${++readers}`, readUncommitted: !readCommitted, maxWaitTimeInMs: 100 });
  const seen: SeenRecord[] = [];
  const ended = new Set<number>();
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        const value = message.value?.toString() ?? '<null>';
        if (value === END) ended.add(partition);
        else seen.push({ partition, offset: Number(message.offset), value });
      },
    });
    await waitFor(`the END sentinel of every partition of ${topic}`, () => partitions.every((p) => ended.has(p)), { describe: () => ({ ended: [...ended], seen }) });
  } finally {
    await consumer.disconnect();
  }
  return seen.sort((a, b) => a.partition - b.partition || a.offset - b.offset);
}

/** The `type` kafkajs gives an error, or the error it wraps (KafkaJSNonRetriableError keeps the protocol error as its cause). */
export function kafkajsErrorType(err: unknown): string | undefined {
  for (let e = err as { type?: string; cause?: unknown; originalError?: unknown } | undefined; e; e = (e.cause ?? e.originalError) as typeof e) {
    if (typeof e.type === 'string') return e.type;
  }
  return undefined;
}
