/**
 * Idempotent producers end to end: kafkajs and node-rdkafka with idempotence on, a retried batch
 * (re-sent raw with the same producer id, epoch and sequence) stored once and acknowledged with
 * its original offset, sequence and epoch errors, InitProducerId and DescribeProducers.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { BrokerConnection } from '../../src/client/broker-connection.js';
import { ErrorCode } from '../../src/protocol/generated/error-codes.js';
import { BrokerProcess, tempDataDir } from './support/broker-process.js';
import { type EmbeddedBroker, startEmbeddedBroker } from './support/embedded-broker.js';
import { describeProducers, idempotentBatch, initProducerId, produceBatch, rawConnection } from './support/idempotence.js';
import { readPartition } from './support/read-partition.js';

let gregor: EmbeddedBroker;
let connection: BrokerConnection;

function kafka(): Kafka {
  return new Kafka({ brokers: [gregor.bootstrap], clientId: 'e2e-idempotent', logLevel: logLevel.NOTHING, retry: { retries: 5, initialRetryTime: 50 } });
}

async function createTopic(topic: string, numPartitions = 1): Promise<void> {
  const admin = kafka().admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions }] });
  await admin.disconnect();
}

beforeAll(async () => {
  gregor = await startEmbeddedBroker();
  connection = await rawConnection(gregor.port);
});

afterAll(async () => {
  await connection?.close();
  await gregor?.stop();
  // Nothing but the refused transactional InitProducerId made the broker log a problem.
  expect(gregor?.warnings.filter((line) => !line.includes('transactional id refused'))).toEqual([]);
});

describe('kafkajs idempotent producer', () => {
  it('stores a retried batch once and acknowledges it with the original offset', async () => {
    await createTopic('idem-kafkajs');
    const producer = kafka().producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
    await producer.connect();
    const [first] = await producer.send({ topic: 'idem-kafkajs', acks: -1, messages: ['a', 'b', 'c'].map((value) => ({ partition: 0, value })) });
    expect(first).toMatchObject({ errorCode: 0, baseOffset: '0' });

    const [state] = await describeProducers(connection, 'idem-kafkajs', [0]);
    expect(state.errorCode).toBe(ErrorCode.NONE);
    expect(state.activeProducers).toHaveLength(1);
    const { producerId, producerEpoch, lastSequence } = state.activeProducers[0];
    expect([producerEpoch, lastSequence, state.activeProducers[0].currentTxnStartOffset]).toEqual([0, 2, -1]);

    // The same batch again, as a producer retrying after a lost response sends it.
    const retried = await produceBatch(connection, 'idem-kafkajs', 0, idempotentBatch({ producerId, producerEpoch, baseSequence: 0, values: ['a', 'b', 'c'] }));
    expect([retried.errorCode, retried.baseOffset]).toEqual([ErrorCode.NONE, 0]);

    const [next] = await producer.send({ topic: 'idem-kafkajs', acks: -1, messages: [{ partition: 0, value: 'd' }] });
    expect(next).toMatchObject({ errorCode: 0, baseOffset: '3' });
    await producer.disconnect();
    expect((await readPartition(gregor.port, 'idem-kafkajs', 0)).map((r) => [r.offset, r.value])).toEqual([
      [0, 'a'],
      [1, 'b'],
      [2, 'c'],
      [3, 'd'],
    ]);
    const [after] = await describeProducers(connection, 'idem-kafkajs', [0]);
    expect(after.activeProducers.map((p) => [p.producerId, p.lastSequence])).toEqual([[producerId, 3]]);
  });
});

describe('sequence and epoch checks', () => {
  it('answers a gap OUT_OF_ORDER_SEQUENCE_NUMBER and an older epoch INVALID_PRODUCER_EPOCH', async () => {
    await createTopic('idem-errors');
    const { producerId, errorCode } = await initProducerId(connection);
    expect(errorCode).toBe(ErrorCode.NONE);
    const send = (producerEpoch: number, baseSequence: number, values: string[]) =>
      produceBatch(connection, 'idem-errors', 0, idempotentBatch({ producerId, producerEpoch, baseSequence, values }));

    expect((await send(0, 0, ['x0', 'x1'])).baseOffset).toBe(0);
    const gap = await send(0, 5, ['gap']);
    expect([gap.errorCode, gap.baseOffset]).toEqual([ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER, -1]);
    expect((await send(0, 2, ['x2'])).baseOffset).toBe(2);
    // The first of the last five batches is still recognised.
    expect((await send(0, 0, ['x0', 'x1'])).baseOffset).toBe(0);
    // A new epoch must start at sequence 0.
    expect((await send(1, 3, ['bad'])).errorCode).toBe(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
    expect((await send(1, 0, ['y0'])).baseOffset).toBe(3);
    const fenced = await send(0, 3, ['zombie']);
    expect(fenced.errorCode).toBe(ErrorCode.INVALID_PRODUCER_EPOCH);
    expect(fenced.logStartOffset).toBe(0);
    expect((await readPartition(gregor.port, 'idem-errors', 0)).map((r) => r.value)).toEqual(['x0', 'x1', 'x2', 'y0']);
  });

  it('accepts any sequence from a producer the partition does not know (KIP-360)', async () => {
    await createTopic('idem-unknown');
    const { producerId } = await initProducerId(connection);
    const first = await produceBatch(connection, 'idem-unknown', 0, idempotentBatch({ producerId, producerEpoch: 0, baseSequence: 42, values: ['late'] }));
    expect([first.errorCode, first.baseOffset]).toEqual([ErrorCode.NONE, 0]);
    const invalid = await produceBatch(connection, 'idem-unknown', 0, idempotentBatch({ producerId, producerEpoch: 0, baseSequence: -1, values: ['bad'] }));
    expect(invalid.errorCode).toBe(ErrorCode.INVALID_RECORD);
  });
});

describe('InitProducerId', () => {
  it('hands out a new producer id with epoch 0 at every version, also when asked to bump', async () => {
    const ids = new Set<number>();
    for (let version = 0; version <= 5; version++) {
      const response = await initProducerId(connection, {}, version);
      expect([response.errorCode, response.producerEpoch], `v${version}`).toEqual([ErrorCode.NONE, 0]);
      ids.add(response.producerId);
    }
    const bumped = await initProducerId(connection, { producerId: [...ids][0], producerEpoch: 0 }, 4);
    expect([bumped.errorCode, bumped.producerEpoch]).toEqual([ErrorCode.NONE, 0]);
    ids.add(bumped.producerId);
    expect(ids.size).toBe(7);
  });

  it('refuses half an id/epoch pair and an empty transactional id (transactional ids: transactions.test.ts)', async () => {
    expect((await initProducerId(connection, { producerId: 5, producerEpoch: -1 }, 3)).errorCode).toBe(ErrorCode.INVALID_REQUEST);
    expect((await initProducerId(connection, { transactionalId: '' })).errorCode).toBe(ErrorCode.INVALID_REQUEST);
  });
});

describe('DescribeProducers', () => {
  it("answers Kafka's errors for unknown topics and partitions and illegal names", async () => {
    await createTopic('idem-describe');
    const [known, missing] = await describeProducers(connection, 'idem-describe', [0, 7]);
    expect([known.errorCode, known.activeProducers]).toEqual([ErrorCode.NONE, []]);
    expect(missing.errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    const [unknown] = await describeProducers(connection, 'no-such-topic', [0]);
    expect([unknown.errorCode, unknown.errorMessage]).toEqual([ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 'This server does not host this topic-partition.']);
    const [illegal] = await describeProducers(connection, 'bad/name', [0]);
    expect(illegal.errorCode).toBe(ErrorCode.INVALID_TOPIC_EXCEPTION);
    expect(illegal.errorMessage).toMatch(/Topic name is invalid/);
  });
});

describe('node-rdkafka with enable.idempotence=true', () => {
  it('initialises a producer id and produces every record once', async () => {
    const { default: RdKafka } = await import('node-rdkafka');
    await createTopic('idem-rdkafka', 2);
    const producer = new RdKafka.Producer({ 'bootstrap.servers': gregor.bootstrap, dr_cb: true, 'enable.idempotence': true, 'linger.ms': 5 });
    await new Promise<void>((resolve, reject) => producer.connect({}, (err) => (err ? reject(err) : resolve())));
    const count = 40;
    const delivered = new Promise<number[]>((resolve, reject) => {
      const offsets: number[] = [];
      producer.on('delivery-report', (err, report) => {
        if (err) reject(err);
        offsets.push(report.offset);
        if (offsets.length === count) resolve(offsets);
      });
    });
    producer.setPollInterval(10);
    for (let i = 0; i < count; i++) producer.produce('idem-rdkafka', i % 2, Buffer.from(`rd-${i}`), null, Date.now());
    expect(await delivered).toHaveLength(count);
    await new Promise<void>((resolve) => producer.disconnect(() => resolve()));
    const records = [...(await readPartition(gregor.port, 'idem-rdkafka', 0)), ...(await readPartition(gregor.port, 'idem-rdkafka', 1))];
    expect(records.map((r) => r.value).sort()).toEqual(Array.from({ length: count }, (_, i) => `rd-${i}`).sort());
    const states = await describeProducers(connection, 'idem-rdkafka', [0, 1]);
    expect(states.map((s) => [s.errorCode, s.activeProducers.length, s.activeProducers[0]?.lastSequence])).toEqual([
      [ErrorCode.NONE, 1, count / 2 - 1],
      [ErrorCode.NONE, 1, count / 2 - 1],
    ]);
  });
});

describe('producer state across restarts (gregor server process)', () => {
  let running: BrokerProcess[] = [];
  afterEach(async () => {
    for (const broker of running) if (broker.child.exitCode === null) await broker.stop('SIGKILL');
    running = [];
  });
  const start = async (dataDir: string): Promise<BrokerProcess> => {
    const broker = await BrokerProcess.start(dataDir);
    running.push(broker);
    return broker;
  };

  it('keeps producer ids, epochs and sequences over a clean restart and a SIGKILL', async () => {
    const dataDir = tempDataDir();
    const first = await start(dataDir);
    let conn = await rawConnection(first.port);
    const admin = new Kafka({ brokers: [`127.0.0.1:${first.port}`], logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'idem-restart', numPartitions: 1 }] });
    await admin.disconnect();
    const { producerId } = await initProducerId(conn);
    const batchAt = (baseSequence: number, values: string[]) => idempotentBatch({ producerId, producerEpoch: 0, baseSequence, values });
    expect((await produceBatch(conn, 'idem-restart', 0, batchAt(0, ['a', 'b']))).baseOffset).toBe(0);
    await conn.close();
    expect(await first.stop('SIGTERM')).toBe(0);
    // The clean shutdown left a snapshot at the log end.
    expect(readdirSync(path.join(dataDir, 'idem-restart-0')).filter((n) => n.endsWith('.snapshot'))).toEqual(['00000000000000000002.snapshot']);

    const second = await start(dataDir);
    conn = await rawConnection(second.port);
    expect((await describeProducers(conn, 'idem-restart', [0]))[0].activeProducers.map((p) => [p.producerId, p.lastSequence])).toEqual([[producerId, 1]]);
    expect((await produceBatch(conn, 'idem-restart', 0, batchAt(0, ['a', 'b']))).baseOffset).toBe(0);
    expect((await produceBatch(conn, 'idem-restart', 0, batchAt(2, ['c']))).baseOffset).toBe(2);
    expect((await produceBatch(conn, 'idem-restart', 0, batchAt(4, ['gap']))).errorCode).toBe(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
    await conn.close();
    expect(await second.stop('SIGKILL')).toBeNull();

    // Recovery rebuilds the state from the snapshot and the batches after it.
    const third = await start(dataDir);
    conn = await rawConnection(third.port);
    expect((await produceBatch(conn, 'idem-restart', 0, batchAt(2, ['c']))).baseOffset).toBe(2);
    expect((await produceBatch(conn, 'idem-restart', 0, batchAt(3, ['d']))).baseOffset).toBe(3);
    // Producer ids are never handed out twice: the next one comes from a newer block.
    const next = await initProducerId(conn);
    expect(next.producerId).toBeGreaterThan(producerId);
    await conn.close();
    expect((await readPartition(third.port, 'idem-restart', 0)).map((r) => r.value)).toEqual(['a', 'b', 'c', 'd']);
    expect(await third.stop('SIGTERM')).toBe(0);
  });
});
