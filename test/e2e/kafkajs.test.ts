/**
 * kafkajs 2 against a single-node broker in this process: its admin client, its producer with
 * every codec it can use, and the fetches its consumer sends. kafkajs has gzip built in; snappy,
 * lz4 and zstd are plug-ins (CompressionCodecs), written here over the snappy, lz4-napi and
 * zstd-napi packages directly, so Gregor is checked against codecs it does not share code with.
 */
import { compressFrameSync, decompressFrameSync } from 'lz4-napi';
import { compressSync as snappyCompress, uncompressSync as snappyUncompress } from 'snappy';
import { compress as zstdCompress, decompress as zstdDecompress } from 'zstd-napi';
import { type Admin, CompressionCodecs, CompressionTypes, ConfigResourceTypes, Kafka, type Message, type Producer, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EmbeddedBroker, startEmbeddedBroker } from './support/embedded-broker.js';
import { KafkajsFetcher, type KafkajsMessage } from './support/kafkajs-fetch.js';
import { readPartition } from './support/read-partition.js';
import { storedCodecs } from './support/stored-codecs.js';

/** snappy-java's stream framing ("xerial"), which Kafka's Java producer writes, and Gregor too when it recompresses. */
const XERIAL_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);
const XERIAL_HEADER_SIZE = 16;

function unframeXerial(data: Buffer): Buffer {
  const blocks: Buffer[] = [];
  for (let pos = XERIAL_HEADER_SIZE; pos < data.length; ) {
    const length = data.readInt32BE(pos);
    blocks.push(snappyUncompress(data.subarray(pos + 4, pos + 4 + length)) as Buffer);
    pos += 4 + length;
  }
  return Buffer.concat(blocks);
}

/** How often each plug-in decompressed something: proves the broker's bytes went through it. */
const decompressed = { snappy: 0, lz4: 0, zstd: 0 };

/**
 * kafkajs's plug-in shape: compress gets an Encoder (its bytes in `.buffer`), decompress a Buffer.
 * Like the kafkajs-snappy package, snappy compresses into one raw block and reads raw or xerial.
 */
const snappyCodec = {
  compress: async (encoder: { buffer: Buffer }) => snappyCompress(encoder.buffer),
  decompress: async (data: Buffer) => {
    decompressed.snappy++;
    return data.subarray(0, XERIAL_MAGIC.length).equals(XERIAL_MAGIC) ? unframeXerial(data) : (snappyUncompress(data) as Buffer);
  },
};
const lz4Codec = {
  compress: async (encoder: { buffer: Buffer }) => compressFrameSync(encoder.buffer),
  decompress: async (data: Buffer) => (decompressed.lz4++, decompressFrameSync(data)),
};
const zstdCodec = {
  compress: async (encoder: { buffer: Buffer }) => zstdCompress(encoder.buffer),
  decompress: async (data: Buffer) => (decompressed.zstd++, zstdDecompress(data)),
};
CompressionCodecs[CompressionTypes.Snappy] = () => snappyCodec;
CompressionCodecs[CompressionTypes.LZ4] = () => lz4Codec;
CompressionCodecs[CompressionTypes.ZSTD] = () => zstdCodec;

/** Record timestamps start here: recent, since time retention (7 days) would delete older records mid-test. */
const BASE_TIMESTAMP = Date.now() - 3_600_000;

/** kafkajs codec, and the name Kafka's compression.type gives it. */
const CODECS: Array<[CompressionTypes, string]> = [
  [CompressionTypes.None, 'uncompressed'],
  [CompressionTypes.GZIP, 'gzip'],
  [CompressionTypes.Snappy, 'snappy'],
  [CompressionTypes.LZ4, 'lz4'],
  [CompressionTypes.ZSTD, 'zstd'],
];

let gregor: EmbeddedBroker;
let kafka: Kafka;
let admin: Admin;
let producer: Producer;
let fetcher: KafkajsFetcher;

beforeAll(async () => {
  gregor = await startEmbeddedBroker();
  kafka = new Kafka({ clientId: 'gregor-e2e', brokers: [gregor.bootstrap], logLevel: logLevel.NOTHING });
  admin = kafka.admin();
  await admin.connect();
  producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  fetcher = await KafkajsFetcher.connect(gregor.port);
});

afterAll(async () => {
  await fetcher?.disconnect();
  await producer?.disconnect();
  await admin?.disconnect();
  await gregor?.stop();
  // No request from the client made the broker close a connection or log a problem.
  expect(gregor?.warnings).toEqual([]);
});

interface KafkajsError {
  type?: string;
  errors?: Array<{ type: string }>;
  cause?: KafkajsError;
}

/** The error types of a kafkajs aggregate (or single) error, under the retrier's wrapping. */
async function errorTypes(action: Promise<unknown>): Promise<string[]> {
  const thrown = (await action.then(
    () => expect.fail('expected an error'),
    (e: unknown) => e,
  )) as KafkajsError;
  const err = thrown.cause ?? thrown;
  return err.errors?.map((e) => e.type) ?? [err.type ?? String(err)];
}

function configEntry(resources: Awaited<ReturnType<Admin['describeConfigs']>>, name: string) {
  return resources.resources[0].configEntries.find((e) => e.configName === name);
}

describe('kafkajs admin', () => {
  it('creates topics with configs, validates without creating, and refuses bad requests with Kafka errors', async () => {
    expect(
      await admin.createTopics({
        topics: [{ topic: 'admin-created', numPartitions: 3, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] }],
      }),
    ).toBe(true);
    expect(await admin.createTopics({ topics: [{ topic: 'admin-created' }] })).toBe(false);
    expect(await admin.createTopics({ validateOnly: true, waitForLeaders: false, topics: [{ topic: 'admin-validated', numPartitions: 2 }] })).toBe(true);

    expect(await errorTypes(admin.createTopics({ topics: [{ topic: 'bad-config', configEntries: [{ name: 'retention.ms', value: 'soon' }] }] }))).toEqual([
      'INVALID_CONFIG',
    ]);
    expect(await errorTypes(admin.createTopics({ topics: [{ topic: 'too-many-replicas', replicationFactor: 3 }] }))).toEqual([
      'INVALID_REPLICATION_FACTOR',
    ]);
    expect(await errorTypes(admin.createTopics({ topics: [{ topic: 'no-partitions', numPartitions: 0 }] }))).toEqual(['INVALID_PARTITIONS']);
    expect(await errorTypes(admin.createTopics({ topics: [{ topic: 'not a name!' }] }))).toEqual(['INVALID_TOPIC_EXCEPTION']);

    const topics = await admin.listTopics();
    expect(topics).toContain('admin-created');
    expect(topics.filter((t) => ['admin-validated', 'bad-config', 'too-many-replicas', 'no-partitions', 'not a name!'].includes(t))).toEqual([]);

    const metadata = await admin.fetchTopicMetadata({ topics: ['admin-created'] });
    expect(metadata.topics[0].partitions.map((p) => [p.partitionId, p.leader, p.replicas, p.isr]).sort()).toEqual([
      [0, 1, [1], [1]],
      [1, 1, [1], [1]],
      [2, 1, [1], [1]],
    ]);
  });

  it('deletes topics, and answers UNKNOWN_TOPIC_OR_PARTITION for one that does not exist', async () => {
    await admin.createTopics({ topics: [{ topic: 'admin-doomed' }] });
    await admin.deleteTopics({ topics: ['admin-doomed'] });
    expect(await admin.listTopics()).not.toContain('admin-doomed');
    // kafkajs retries this error (metadata may be stale), so ask once.
    const once = new Kafka({ clientId: 'gregor-e2e', brokers: [gregor.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 0 } }).admin();
    await once.connect();
    expect(await errorTypes(once.deleteTopics({ topics: ['admin-never-was'] }))).toEqual(['UNKNOWN_TOPIC_OR_PARTITION']);
    await once.disconnect();
  });

  it('describes and alters topic configs; AlterConfigs replaces every override', async () => {
    await admin.createTopics({ topics: [{ topic: 'admin-configs', configEntries: [{ name: 'cleanup.policy', value: 'compact' }] }] });
    const describe = () =>
      admin.describeConfigs({
        includeSynonyms: false,
        resources: [{ type: ConfigResourceTypes.TOPIC, name: 'admin-configs', configNames: ['cleanup.policy', 'retention.ms'] }],
      });
    expect(configEntry(await describe(), 'cleanup.policy')).toMatchObject({ configValue: 'compact', configSource: 1, isDefault: false });

    await admin.alterConfigs({
      validateOnly: false,
      resources: [{ type: ConfigResourceTypes.TOPIC, name: 'admin-configs', configEntries: [{ name: 'retention.ms', value: '3600000' }] }],
    });
    const after = await describe();
    expect(configEntry(after, 'retention.ms')).toMatchObject({ configValue: '3600000', configSource: 1 });
    expect(configEntry(after, 'cleanup.policy')).toMatchObject({ configValue: 'delete', configSource: 5, isDefault: true });

    const refused = admin.alterConfigs({
      validateOnly: false,
      resources: [{ type: ConfigResourceTypes.TOPIC, name: 'admin-configs', configEntries: [{ name: 'retention.ms', value: 'never' }] }],
    });
    expect(await errorTypes(refused)).toEqual(['INVALID_CONFIG']);
  });

  it('describes and alters broker configs, with synonyms and sources', async () => {
    const describe = () =>
      admin.describeConfigs({
        includeSynonyms: true,
        resources: [{ type: ConfigResourceTypes.BROKER, name: '1', configNames: ['log.retention.ms', 'node.id'] }],
      });
    const before = await describe();
    expect(configEntry(before, 'log.retention.ms')).toMatchObject({
      configValue: '604800000',
      configSource: 5,
      configSynonyms: [{ configName: 'log.retention.hours', configValue: '168', configSource: 5 }],
    });
    expect(configEntry(before, 'node.id')).toMatchObject({ configValue: '1', readOnly: true });

    await admin.alterConfigs({
      validateOnly: false,
      resources: [{ type: ConfigResourceTypes.BROKER, name: '1', configEntries: [{ name: 'log.retention.ms', value: '1209600000' }] }],
    });
    const after = configEntry(await describe(), 'log.retention.ms');
    expect(after).toMatchObject({ configValue: '1209600000', configSource: 2, readOnly: false });
    expect(after?.configSynonyms[0]).toEqual({ configName: 'log.retention.ms', configValue: '1209600000', configSource: 2 });
  });

  it('adds partitions, and refuses to take any away', async () => {
    await admin.createTopics({ topics: [{ topic: 'admin-growing', numPartitions: 1 }] });
    await admin.createPartitions({ topicPartitions: [{ topic: 'admin-growing', count: 4 }] });
    const metadata = await admin.fetchTopicMetadata({ topics: ['admin-growing'] });
    expect(metadata.topics[0].partitions.map((p) => p.partitionId).sort()).toEqual([0, 1, 2, 3]);
    expect((await admin.fetchTopicOffsets('admin-growing')).map((o) => [o.partition, o.low, o.high]).sort()).toEqual([
      [0, '0', '0'],
      [1, '0', '0'],
      [2, '0', '0'],
      [3, '0', '0'],
    ]);
    expect(await errorTypes(admin.createPartitions({ topicPartitions: [{ topic: 'admin-growing', count: 2 }] }))).toEqual(['INVALID_PARTITIONS']);
  });

  it('lists offsets, by time too, and deletes records up to an offset', async () => {
    await admin.createTopics({ topics: [{ topic: 'admin-offsets', numPartitions: 2 }] });
    await producer.send({
      topic: 'admin-offsets',
      acks: -1,
      messages: Array.from({ length: 5 }, (_, i) => ({ partition: 0, value: `m${i}`, timestamp: String(BASE_TIMESTAMP + i * 1000) })),
    });
    const offsets = await admin.fetchTopicOffsets('admin-offsets');
    expect(offsets.map((o) => [o.partition, o.low, o.high]).sort()).toEqual([
      [0, '0', '5'],
      [1, '0', '0'],
    ]);
    // The first record at or after the time; past the last one kafkajs falls back to the high watermark.
    const byTime = async (timestamp: number) => (await admin.fetchTopicOffsetsByTimestamp('admin-offsets', timestamp)).find((o) => o.partition === 0)?.offset;
    expect(await byTime(BASE_TIMESTAMP + 2500)).toBe('3');
    expect(await byTime(BASE_TIMESTAMP)).toBe('0');
    expect(await byTime(BASE_TIMESTAMP + 60_000)).toBe('5');

    await admin.deleteTopicRecords({ topic: 'admin-offsets', partitions: [{ partition: 0, offset: '2' }] });
    expect((await admin.fetchTopicOffsets('admin-offsets')).find((o) => o.partition === 0)).toMatchObject({ low: '2', high: '5' });
    expect((await fetcher.readPartition('admin-offsets', 0, 2)).map((m) => m.value?.toString())).toEqual(['m2', 'm3', 'm4']);
  });

  it('describes the cluster', async () => {
    expect(await admin.describeCluster()).toEqual({
      brokers: [{ nodeId: 1, host: '127.0.0.1', port: gregor.port }],
      controller: 1,
      clusterId: gregor.broker.clusterId,
    });
  });
});

/** What a record should come back as, in the fields both readers report. */
interface Expected {
  offset: number;
  timestamp: number;
  key: string | null;
  value: string;
  headers: Array<[string, string]>;
}

function messagesOf(topic: string, base: number): { messages: Message[]; expected: Expected[] } {
  const expected: Expected[] = Array.from({ length: 20 }, (_, i) => ({
    offset: i,
    timestamp: base + i,
    key: i % 5 === 0 ? null : `key-${i}`,
    // Repetitive values, so every codec has something to compress.
    value: `${topic} value ${i} `.repeat(10),
    headers: i % 2 === 0 ? [['trace', `t-${i}`]] : [],
  }));
  const messages = expected.map((e): Message => ({
    partition: 0,
    key: e.key,
    value: e.value,
    timestamp: String(e.timestamp),
    headers: Object.fromEntries(e.headers),
  }));
  return { messages, expected };
}

function asKafkajsRead(m: KafkajsMessage): Expected {
  return {
    offset: Number(m.offset),
    timestamp: Number(m.timestamp),
    key: m.key?.toString() ?? null,
    value: m.value?.toString() ?? '',
    headers: Object.entries(m.headers).map(([k, v]) => [k, v.toString()]),
  };
}

describe.each(CODECS)('kafkajs producer and fetch with codec %i (%s)', (codec, name) => {
  it('produces batches kafkajs compressed, and kafkajs and Gregor both read every record back', async () => {
    const topic = `codec-${name}`;
    await admin.createTopics({ topics: [{ topic }] });
    const { messages, expected } = messagesOf(topic, BASE_TIMESTAMP);
    // Two sends, so that the second batch's offsets follow the first's.
    const first = await producer.send({ topic, acks: -1, compression: codec, messages: messages.slice(0, 12) });
    const second = await producer.send({ topic, acks: 1, compression: codec, messages: messages.slice(12) });
    expect([first[0].baseOffset, second[0].baseOffset]).toEqual(['0', '12']);
    // kafkajs's codec numbers are Kafka's attribute bits; the batches are stored as they came.
    expect(storedCodecs(gregor.dataDir, topic, 0)).toEqual(new Set([codec]));

    expect((await fetcher.readPartition(topic, 0)).map(asKafkajsRead)).toEqual(expected);
    // Gregor's own reader decompresses the batches the independent codec wrote.
    expect(await readPartition(gregor.port, topic, 0)).toEqual(
      expected.map((e) => ({ offset: e.offset, key: e.key, value: e.value, headers: e.headers })),
    );
  });

  it(`recompresses to compression.type=${name}, and kafkajs reads what Gregor wrote`, async () => {
    const topic = `recompressed-${name}`;
    await admin.createTopics({ topics: [{ topic, configEntries: [{ name: 'compression.type', value: name }] }] });
    const { messages, expected } = messagesOf(topic, BASE_TIMESTAMP + 1000);
    // Sent in another codec than the topic's, so that the broker has to rewrite every batch.
    const sentWith = codec === CompressionTypes.GZIP ? CompressionTypes.None : CompressionTypes.GZIP;
    await producer.send({ topic, acks: -1, compression: sentWith, messages });
    expect(storedCodecs(gregor.dataDir, topic, 0)).toEqual(new Set([codec]));
    const before = { ...decompressed };
    expect((await fetcher.readPartition(topic, 0)).map(asKafkajsRead)).toEqual(expected);
    if (name === 'snappy' || name === 'lz4' || name === 'zstd') expect(decompressed[name]).toBeGreaterThan(before[name]);
  });
});
