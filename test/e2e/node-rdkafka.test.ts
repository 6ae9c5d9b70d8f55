/**
 * node-rdkafka (librdkafka, built from source by npm) against a single-node broker in this
 * process: its AdminClient, its Producer with delivery reports in every codec librdkafka has,
 * and its KafkaConsumer reading assigned partitions (librdkafka requires a group.id, but only
 * uses the group to subscribe or commit). Its consumer groups are tested in
 * node-rdkafka-groups.test.ts.
 */
import Kafka, { type DeliveryReport, type IAdminClient, type LibrdKafkaError, type Message } from 'node-rdkafka';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrokerConnection } from '../../src/client/broker-connection.js';
import { FindCoordinatorApi } from '../../src/protocol/generated/apis.js';
import { CompressionType } from '../../src/protocol/records/batch-header.js';
import { testConnectionOptions } from '../support/connection-options.js';
import { type EmbeddedBroker, startEmbeddedBroker } from './support/embedded-broker.js';
import { readPartition } from './support/read-partition.js';
import { storedCodecs } from './support/stored-codecs.js';
import { CODECS, type Codec, CODEC_TYPES } from './support/codecs.js';

const TIMEOUT_MS = 10_000;
/** Record timestamps start here: recent, since time retention (7 days) would delete older records mid-test. */
const BASE_TIMESTAMP = Date.now() - 3_600_000;


let gregor: EmbeddedBroker;
let admin: IAdminClient;

beforeAll(async () => {
  gregor = await startEmbeddedBroker();
  admin = Kafka.AdminClient.create({ 'bootstrap.servers': gregor.bootstrap, 'client.id': 'gregor-e2e' });
});

afterAll(async () => {
  admin?.disconnect();
  await gregor?.stop();
  // No request from the client made the broker close a connection or log a problem.
  expect(gregor?.warnings).toEqual([]);
});

/**
 * The codec librdkafka's batches arrive in when it is asked for `codec`. It enables lz4 only for
 * brokers that advertise FindCoordinator (its sign of Kafka 0.8.2 or later) and sends batches
 * uncompressed otherwise.
 */
async function librdkafkaSends(codec: Codec): Promise<CompressionType> {
  if (codec !== 'lz4') return CODEC_TYPES[codec];
  const connection = await BrokerConnection.open(testConnectionOptions(gregor.port, { clientId: 'gregor-e2e' }));
  const findsCoordinators = connection.versions.range(FindCoordinatorApi.key) !== undefined;
  await connection.close();
  return findsCoordinators ? CompressionType.Lz4 : CompressionType.None;
}

/** Runs a callback-style librdkafka call; resolves with its result or rejects with its error. */
function call<T = unknown>(start: (done: (err: LibrdKafkaError | null | undefined, value?: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => start((err, value) => (err ? reject(err) : resolve(value as T))));
}

/** The librdkafka error code a call fails with. */
async function errorCode(action: Promise<unknown>): Promise<number> {
  return action.then(
    () => expect.fail('expected an error'),
    (err: LibrdKafkaError) => err.code,
  );
}

async function connected<C extends Kafka.Producer | Kafka.KafkaConsumer>(client: C): Promise<C> {
  await call<Kafka.Metadata>((done) => client.connect({}, done));
  return client;
}

describe('node-rdkafka AdminClient', () => {
  it('creates topics with configs, adds partitions and deletes topics, with Kafka errors', async () => {
    await call((done) => admin.createTopic({ topic: 'rd-admin', num_partitions: 2, replication_factor: 1, config: { 'retention.ms': '3600000' } }, TIMEOUT_MS, done));
    expect(await errorCode(call((done) => admin.createTopic({ topic: 'rd-admin', num_partitions: 1, replication_factor: 1 }, TIMEOUT_MS, done)))).toBe(
      Kafka.CODES.ERRORS.ERR_TOPIC_ALREADY_EXISTS,
    );
    await call((done) => admin.createPartitions('rd-admin', 5, TIMEOUT_MS, done));
    expect(await errorCode(call((done) => admin.createPartitions('rd-admin', 3, TIMEOUT_MS, done)))).toBe(Kafka.CODES.ERRORS.ERR_INVALID_PARTITIONS);

    const producer = await connected(new Kafka.Producer({ 'bootstrap.servers': gregor.bootstrap }));
    const metadata = await call<Kafka.Metadata>((done) => producer.getMetadata({ topic: 'rd-admin', timeout: TIMEOUT_MS }, done));
    expect(metadata.topics.find((t) => t.name === 'rd-admin')?.partitions.map((p) => [p.id, p.leader, p.replicas, p.isrs])).toEqual(
      [0, 1, 2, 3, 4].map((id) => [id, 1, [1], [1]]),
    );
    await call((done) => producer.disconnect(done));

    await call((done) => admin.deleteTopic('rd-admin', TIMEOUT_MS, done));
    expect(await errorCode(call((done) => admin.deleteTopic('rd-admin', TIMEOUT_MS, done)))).toBe(Kafka.CODES.ERRORS.ERR_UNKNOWN_TOPIC_OR_PART);
  });
});

/** A record as the test sends it and expects it back. */
interface Sent {
  partition: number;
  key: string | null;
  value: string;
  timestamp: number;
  headers: Array<[string, string]>;
}

function recordsFor(label: string): Sent[] {
  return Array.from({ length: 30 }, (_, i) => ({
    partition: i % 2,
    key: i % 7 === 0 ? null : `key-${i}`,
    value: `${label} value ${i} `.repeat(8),
    timestamp: BASE_TIMESTAMP + i,
    headers: i % 3 === 0 ? [['trace', `t-${i}`]] : [],
  }));
}

/** Produces every record and resolves with the delivery reports once all are in. */
async function produceAll(codec: Codec, topic: string, records: Sent[]): Promise<DeliveryReport[]> {
  const producer = await connected(
    new Kafka.Producer({
      'bootstrap.servers': gregor.bootstrap,
      dr_cb: true,
      'compression.codec': codec,
      'enable.idempotence': false,
      'linger.ms': 5,
    }),
  );
  const reports: DeliveryReport[] = [];
  const delivered = new Promise<void>((resolve, reject) => {
    producer.on('delivery-report', (err, report) => {
      if (err) reject(err);
      reports.push(report);
      if (reports.length === records.length) resolve();
    });
  });
  producer.setPollInterval(10);
  for (const r of records) {
    const headers = r.headers.map(([k, v]) => ({ [k]: Buffer.from(v) }));
    producer.produce(topic, r.partition, Buffer.from(r.value), r.key, r.timestamp, null, headers);
  }
  await delivered;
  await call((done) => producer.disconnect(done));
  return reports;
}

/** Reads `count` records from the assigned partitions of `topic`, from offset 0. */
async function consumeAll(topic: string, partitions: number[], count: number): Promise<Message[]> {
  const consumer = await connected(
    new Kafka.KafkaConsumer(
      { 'bootstrap.servers': gregor.bootstrap, 'group.id': 'gregor-e2e-unused', 'enable.auto.commit': false },
      { 'auto.offset.reset': 'earliest' },
    ),
  );
  consumer.assign(partitions.map((partition) => ({ topic, partition, offset: 0 })));
  const messages: Message[] = [];
  // Each consume waits up to a second for records; bounded, not a clock-based assertion.
  for (let attempt = 0; messages.length < count && attempt < 30; attempt++) {
    messages.push(...(await call<Message[]>((done) => consumer.consume(count - messages.length, done))));
  }
  const watermarks = await call<{ lowOffset: number; highOffset: number }>((done) => consumer.queryWatermarkOffsets(topic, 0, TIMEOUT_MS, done));
  expect(watermarks.lowOffset).toBe(0);
  expect(watermarks.highOffset).toBe(messages.filter((m) => m.partition === 0).length);
  await call((done) => consumer.disconnect(done));
  return messages;
}

describe.each(CODECS)('node-rdkafka with compression.codec=%s', (codec) => {
  it('produces with delivery reports, and a KafkaConsumer with assigned partitions reads every record back', async () => {
    const topic = `rd-codec-${codec}`;
    await call((done) => admin.createTopic({ topic, num_partitions: 2, replication_factor: 1 }, TIMEOUT_MS, done));
    const records = recordsFor(codec);

    const reports = await produceAll(codec, topic, records);
    for (const partition of [0, 1]) {
      const offsets = reports.filter((r) => r.partition === partition).map((r) => r.offset);
      expect(offsets.sort((a, b) => a - b)).toEqual(records.filter((r) => r.partition === partition).map((_, i) => i));
    }

    const messages = await consumeAll(topic, [0, 1], records.length);
    const byPartitionAndOffset = (a: { partition: number; offset: number }, b: { partition: number; offset: number }) =>
      a.partition - b.partition || a.offset - b.offset;
    const received = messages.sort(byPartitionAndOffset).map((m) => ({
      partition: m.partition,
      offset: m.offset,
      key: m.key === null || m.key === undefined ? null : m.key.toString(),
      value: m.value?.toString(),
      timestamp: m.timestamp,
      headers: (m.headers ?? []).flatMap((h) => Object.entries(h).map(([k, v]) => [k, v.toString()])),
    }));
    const expected = [0, 1].flatMap((p) => records.filter((r) => r.partition === p).map((r, offset) => ({ ...r, offset })));
    expect(received).toEqual(expected);

    expect(storedCodecs(gregor.dataDir, topic, 1)).toEqual(new Set([await librdkafkaSends(codec)]));
    // Gregor's own reader decompresses what librdkafka compressed.
    const stored = await readPartition(gregor.port, topic, 1);
    expect(stored.map((r) => r.value)).toEqual(records.filter((r) => r.partition === 1).map((r) => r.value));
  });
});

describe('node-rdkafka KafkaConsumer offsets', () => {
  it('finds offsets by timestamp (ListOffsets)', async () => {
    await call((done) => admin.createTopic({ topic: 'rd-times', num_partitions: 1, replication_factor: 1 }, TIMEOUT_MS, done));
    const records = recordsFor('times').map((r) => ({ ...r, partition: 0 }));
    await produceAll('none', 'rd-times', records);
    const consumer = await connected(
      new Kafka.KafkaConsumer({ 'bootstrap.servers': gregor.bootstrap, 'group.id': 'gregor-e2e-unused', 'enable.auto.commit': false }, {}),
    );
    const found = await call<Array<{ offset: number }>>((done) =>
      consumer.offsetsForTimes([{ topic: 'rd-times', partition: 0, offset: records[10].timestamp }], TIMEOUT_MS, done),
    );
    expect(found[0].offset).toBe(10);
    await call((done) => consumer.disconnect(done));
  });
});
