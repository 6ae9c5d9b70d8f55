/**
 * @platformatic/kafka against a single-node broker in this process. It speaks only flexible
 * versions (ApiVersions v3+) and compresses with its own WebAssembly snappy and lz4 and Node's
 * zlib (zstd only where Node has it). Its Consumer.consume joins a group, which Gregor does not
 * serve yet, so records are read with Consumer.fetch, the Fetch v17 request the stream sends.
 */
import zlib from 'node:zlib';
import {
  Admin,
  type CompressionAlgorithmValue,
  ConfigResourceTypes,
  Consumer,
  IncrementalAlterConfigOperationTypes,
  Producer,
  stringDeserializers,
  stringSerializers,
} from '@platformatic/kafka';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CompressionType } from '../../src/protocol/records/batch-header.js';
import { type EmbeddedBroker, startEmbeddedBroker } from './support/embedded-broker.js';
import { readPartition } from './support/read-partition.js';
import { storedCodecs } from './support/stored-codecs.js';

let gregor: EmbeddedBroker;
let admin: Admin;
let producer: Producer<string, string, string, string>;
let consumer: Consumer<string, string, string, string>;

beforeAll(async () => {
  gregor = await startEmbeddedBroker();
  const base = { clientId: 'gregor-e2e', bootstrapBrokers: [gregor.bootstrap], retries: 0 };
  admin = new Admin(base);
  producer = new Producer({ ...base, serializers: stringSerializers });
  consumer = new Consumer({ ...base, groupId: 'gregor-e2e-unused', deserializers: stringDeserializers });
});

afterAll(async () => {
  await consumer?.close();
  await producer?.close();
  await admin?.close();
  await gregor?.stop();
  // No request from the client made the broker close a connection or log a problem.
  expect(gregor?.warnings).toEqual([]);
});

/** The Kafka error names inside a @platformatic/kafka error (it nests them in AggregateErrors). */
async function errorIds(action: Promise<unknown>): Promise<string[]> {
  const err = await action.then(
    () => expect.fail('expected an error'),
    (e: unknown) => e,
  );
  const ids = (e: { errors?: unknown[]; apiId?: string; message?: string }): string[] =>
    e.errors ? e.errors.flatMap((inner) => ids(inner as typeof e)) : [e.apiId ?? String(e.message)];
  return ids(err as Parameters<typeof ids>[0]);
}

describe('@platformatic/kafka Admin', () => {
  it('creates, lists, grows and deletes topics, with Kafka errors', async () => {
    const [created] = await admin.createTopics({ topics: ['plt-admin'], partitions: 2, replicas: 1, configs: [{ name: 'retention.ms', value: '3600000' }] });
    expect(created).toMatchObject({ name: 'plt-admin', partitions: 2, replicas: 1 });
    expect(created.configuration['retention.ms']).toBe('3600000');
    expect(await errorIds(admin.createTopics({ topics: ['plt-admin'], partitions: 1, replicas: 1 }))).toEqual(['TOPIC_ALREADY_EXISTS']);
    expect(await admin.listTopics()).toContain('plt-admin');

    await admin.createPartitions({ topics: [{ name: 'plt-admin', count: 3 }] });
    expect(await errorIds(admin.createPartitions({ topics: [{ name: 'plt-admin', count: 1 }] }))).toEqual(['INVALID_PARTITIONS']);
    const metadata = await admin.metadata({ topics: ['plt-admin'], forceUpdate: true });
    const topic = metadata.topics.get('plt-admin')!;
    expect(topic.id).toBe(created.id);
    expect(topic.partitions.map((p) => [p.leader, p.replicas, p.isr])).toEqual([0, 1, 2].map(() => [1, [1], [1]]));

    await admin.deleteTopics({ topics: ['plt-admin'] });
    expect(await admin.listTopics()).not.toContain('plt-admin');
    expect(await errorIds(admin.deleteTopics({ topics: ['plt-admin'] }))).toEqual(['UNKNOWN_TOPIC_OR_PARTITION']);
  });

  it('describes and incrementally alters configs', async () => {
    await admin.createTopics({ topics: ['plt-configs'], partitions: 1, replicas: 1 });
    await admin.incrementalAlterConfigs({
      resources: [
        {
          resourceType: ConfigResourceTypes.TOPIC,
          resourceName: 'plt-configs',
          configs: [{ name: 'cleanup.policy', configOperation: IncrementalAlterConfigOperationTypes.SET, value: 'compact' }],
        },
      ],
    });
    const [described] = await admin.describeConfigs({
      resources: [{ resourceType: ConfigResourceTypes.TOPIC, resourceName: 'plt-configs', configurationKeys: ['cleanup.policy', 'segment.bytes'] }],
    });
    expect(described.configs.map((c) => [c.name, c.value, c.configSource])).toEqual([
      ['cleanup.policy', 'compact', 1],
      ['segment.bytes', '1073741824', 5],
    ]);
  });

  it('lists offsets, deletes records and describes log dirs', async () => {
    await admin.createTopics({ topics: ['plt-offsets'], partitions: 1, replicas: 1 });
    await producer.send({ acks: -1, messages: [0, 1, 2, 3].map((i) => ({ topic: 'plt-offsets', partition: 0, value: `v${i}` })) });
    const latest = async () => (await admin.listOffsets({ topics: [{ name: 'plt-offsets', partitions: [{ partitionIndex: 0, timestamp: -1n }] }] }))[0].partitions[0].offset;
    expect(await latest()).toBe(4n);

    const [deleted] = await admin.deleteRecords({ topics: [{ name: 'plt-offsets', partitions: [{ partition: 0, offset: 3n }] }] });
    expect(deleted.partitions).toEqual([{ partition: 0, lowWatermark: 3n }]);

    const [dirs] = await admin.describeLogDirs({ topics: [{ name: 'plt-offsets', partitions: [0] }] });
    expect(dirs.broker).toBe(1);
    const partition = dirs.results[0].topics.find((t) => t.name === 'plt-offsets')?.partitions[0];
    expect(partition).toMatchObject({ partitionIndex: 0, offsetLag: 0n });
    expect(partition!.partitionSize).toBeGreaterThan(0n);
  });
});

const CODEC_TYPES: Record<CompressionAlgorithmValue, CompressionType> = {
  none: CompressionType.None,
  gzip: CompressionType.Gzip,
  snappy: CompressionType.Snappy,
  lz4: CompressionType.Lz4,
  zstd: CompressionType.Zstd,
};
const codecs: CompressionAlgorithmValue[] = ['none', 'gzip', 'snappy', 'lz4'];
// @platformatic/kafka compresses zstd with node:zlib, which has it from Node 22.15.
if (typeof (zlib as { zstdCompressSync?: unknown }).zstdCompressSync === 'function') codecs.push('zstd');

/** Record timestamps start here: recent, since time retention (7 days) would delete older records mid-test. */
const BASE_TIMESTAMP = BigInt(Date.now() - 3_600_000);

interface Sent {
  key: string;
  value: string;
  timestamp: bigint;
  headers: Record<string, string>;
}

function recordsFor(topic: string): Sent[] {
  return Array.from({ length: 15 }, (_, i): Sent => ({
    key: `key-${i}`,
    value: `${topic} value ${i} `.repeat(8),
    timestamp: BASE_TIMESTAMP + BigInt(i),
    headers: i % 2 === 0 ? { trace: `t-${i}` } : {},
  }));
}

/** Every record of partition 0 of `topic`, read with Consumer.fetch from offset 0. */
async function fetchAll(topic: string): Promise<Array<Sent & { offset: bigint }>> {
  const metadata = await admin.metadata({ topics: [topic] });
  const { id: topicId, partitions } = metadata.topics.get(topic)!;
  const response = await consumer.fetch({
    node: partitions[0].leader,
    maxWaitTime: 0,
    topics: [{ topicId, partitions: [{ partition: 0, fetchOffset: 0n, partitionMaxBytes: 1 << 20, currentLeaderEpoch: -1, lastFetchedEpoch: -1 }] }],
  });
  const data = response.responses[0].partitions[0];
  expect(data.errorCode).toBe(0);
  return (data.records ?? []).flatMap((batch) =>
    batch.records.map((r) => ({
      offset: batch.firstOffset + BigInt(r.offsetDelta),
      key: r.key!.toString(),
      value: r.value!.toString(),
      timestamp: batch.firstTimestamp + r.timestampDelta,
      headers: Object.fromEntries(r.headers.map(([k, v]) => [k!.toString(), v!.toString()])),
    })),
  );
}

describe.each(codecs)('@platformatic/kafka with compression %s', (codec) => {
  it('produces, and fetches back every key, value, header and timestamp', async () => {
    const topic = `plt-codec-${codec}`;
    await admin.createTopics({ topics: [topic], partitions: 1, replicas: 1 });
    const records = recordsFor(topic);
    const result = await producer.send({ acks: -1, compression: codec, messages: records.map((r) => ({ topic, partition: 0, ...r })) });
    expect(result.offsets).toEqual([{ topic, partition: 0, offset: 0n }]);
    expect(storedCodecs(gregor.dataDir, topic, 0)).toEqual(new Set([CODEC_TYPES[codec]]));

    expect(await fetchAll(topic)).toEqual(records.map((r, i) => ({ offset: BigInt(i), ...r })));
    // Gregor's own reader decompresses what @platformatic/kafka compressed.
    expect((await readPartition(gregor.port, topic, 0)).map((r) => r.value)).toEqual(records.map((r) => r.value));
  });
});

// Not snappy: like Kafka, Gregor writes the snappy it compresses in xerial framing, which
// @platformatic/kafka's decompressor cannot read (it reads raw snappy only).
describe.each(codecs.filter((c) => c !== 'snappy'))('@platformatic/kafka reading batches Gregor compressed: %s', (codec) => {
  const type = codec === 'none' ? 'uncompressed' : codec;
  it(`decompresses what Gregor wrote for compression.type=${type}`, async () => {
    const topic = `plt-recompressed-${codec}`;
    await admin.createTopics({ topics: [topic], partitions: 1, replicas: 1, configs: [{ name: 'compression.type', value: type }] });
    const records = recordsFor(topic);
    await producer.send({ acks: -1, compression: codec === 'gzip' ? 'none' : 'gzip', messages: records.map((r) => ({ topic, partition: 0, ...r })) });
    expect(storedCodecs(gregor.dataDir, topic, 0)).toEqual(new Set([CODEC_TYPES[codec]]));
    expect(await fetchAll(topic)).toEqual(records.map((r, i) => ({ offset: BigInt(i), ...r })));
  });
});
