/**
 * Bad input on raw TCP connections to a running broker: each is answered as Kafka answers it
 * (an error code, or a closed connection with one log line), and after each a new client on a
 * new connection is served as usual.
 */
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ApiVersionsApi, DescribeAclsApi, MetadataApi, ProduceApi } from '../../src/protocol/generated/apis.js';
import { createApiVersionsRequest } from '../../src/protocol/generated/clients/api-versions-request.js';
import { createDescribeAclsRequest } from '../../src/protocol/generated/clients/describe-acls-request.js';
import { createMetadataRequest } from '../../src/protocol/generated/clients/metadata-request.js';
import {
  createProduceRequest,
  createProduceRequestPartitionProduceData,
  createProduceRequestTopicProduceData,
} from '../../src/protocol/generated/clients/produce-request.js';
import { ErrorCode } from '../../src/protocol/generated/error-codes.js';
import { decodeResponseFrame } from '../../src/protocol/frames.js';
import { buildRecordBatch } from '../../src/protocol/records/batch-builder.js';
import { SeededRandom } from '../../src/util/random.js';
import { sizePrefixed } from '../support/frames.js';
import { type EmbeddedBroker, startEmbeddedBroker } from './support/embedded-broker.js';
import { RawConnection } from './support/raw-connection.js';
import { readPartition } from './support/read-partition.js';

const MAX_REQUEST_BYTES = 1 << 20;
const TOPIC = 'bad-input';

let gregor: EmbeddedBroker;
let raw: RawConnection;

beforeAll(async () => {
  gregor = await startEmbeddedBroker({ 'socket.request.max.bytes': String(MAX_REQUEST_BYTES) });
  const admin = kafkajs().admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: 2 }] });
  await admin.disconnect();
});

afterAll(async () => {
  await gregor?.stop();
});

function kafkajs(): Kafka {
  return new Kafka({ clientId: 'gregor-e2e', brokers: [gregor.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 0 } });
}

/** Opens the connection a test sends its bad input on, noting how many lines the broker has logged. */
async function open(): Promise<{ loggedBefore: number }> {
  raw = await RawConnection.open(gregor.port);
  return { loggedBefore: gregor.warnings.length };
}

afterEach(async () => {
  raw.end();
  // Whatever the last test sent, a new client on a new connection is served.
  const admin = kafkajs().admin();
  await admin.connect();
  expect(await admin.listTopics()).toContain(TOPIC);
  await admin.disconnect();
});

function produceRequest(acks: number, topic: string, batches: Array<[partition: number, records: Buffer]>) {
  return createProduceRequest({
    acks,
    timeoutMs: 5000,
    topicData: [
      createProduceRequestTopicProduceData({
        name: topic,
        partitionData: batches.map(([index, records]) => createProduceRequestPartitionProduceData({ index, records })),
      }),
    ],
  });
}

function batchOf(value: string): Buffer {
  return buildRecordBatch({ records: [{ key: null, value: Buffer.from(value), timestamp: Date.now() }] });
}

describe('bad input on a raw connection', () => {
  it('closes the connection at a size prefix above socket.request.max.bytes, with one log line', async () => {
    const { loggedBefore } = await open();
    const prefix = Buffer.alloc(4);
    prefix.writeInt32BE(MAX_REQUEST_BYTES + 1);
    raw.write(prefix);
    await raw.closedWithoutAnswer();
    expect(gregor.warnings.slice(loggedBefore)).toEqual([`closing connection: frame of ${MAX_REQUEST_BYTES + 1} bytes exceeds socket.request.max.bytes=${MAX_REQUEST_BYTES}`]);
  });

  it('drops a frame the client cut short by closing, without a log line', async () => {
    const { loggedBefore } = await open();
    const frame = raw.frame(MetadataApi, 12, createMetadataRequest({ topics: null }));
    raw.write(frame.subarray(0, frame.length - 3));
    raw.end();
    await raw.closedWithoutAnswer();
    expect(gregor.warnings.length).toBe(loggedBefore);
  });

  it('closes the connection on garbage, with one log line', async () => {
    const rng = new SeededRandom(20_240_601);
    const garbage = Buffer.from(Array.from({ length: 200 }, () => rng.int(256)));
    const { loggedBefore } = await open();
    raw.write(sizePrefixed(garbage));
    await raw.closedWithoutAnswer();
    expect(gregor.warnings.slice(loggedBefore)).toHaveLength(1);
  });

  it('closes the connection on a request whose body is garbage, with one log line', async () => {
    const rng = new SeededRandom(7);
    const { loggedBefore } = await open();
    const valid = raw.frame(MetadataApi, 12, createMetadataRequest({ topics: [] }));
    // The header as sent (api key, version, correlation id, client id, no tagged fields), then garbage.
    const header = valid.subarray(4, 4 + 2 + 2 + 4 + 2 + 'gregor-e2e-raw'.length + 1);
    const body = Buffer.from(Array.from({ length: 40 }, () => rng.int(256)));
    raw.write(sizePrefixed(Buffer.concat([header, body])));
    await raw.closedWithoutAnswer();
    const logged = gregor.warnings.slice(loggedBefore);
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatch(/^closing connection: /);
  });

  it('closes the connection on an unknown API key, as Kafka does', async () => {
    const { loggedBefore } = await open();
    const frame = raw.frame(ApiVersionsApi, 3, createApiVersionsRequest({ clientSoftwareName: 'e2e', clientSoftwareVersion: '1' }));
    frame.writeInt16BE(9999, 4);
    raw.write(frame);
    await raw.closedWithoutAnswer();
    expect(gregor.warnings.slice(loggedBefore)).toEqual(['closing connection: unknown API key 9999']);
  });

  it('closes the connection on a version it does not serve, and on an API it does not serve', async () => {
    const { loggedBefore } = await open();
    const frame = raw.frame(MetadataApi, 12, createMetadataRequest({ topics: null }));
    frame.writeInt16BE(13, 6);
    raw.write(frame);
    await raw.closedWithoutAnswer();

    raw = await RawConnection.open(gregor.port);
    raw.write(raw.frame(DescribeAclsApi, 1, createDescribeAclsRequest()));
    await raw.closedWithoutAnswer();
    expect(gregor.warnings.slice(loggedBefore)).toEqual([
      'closing connection: unsupported version 13 of Metadata',
      'closing connection: unsupported version 1 of DescribeAcls',
    ]);
  });

  it('answers ApiVersions at an unknown version in the v0 layout with UNSUPPORTED_VERSION and its ranges, and stays open', async () => {
    await open();
    const supported = await raw.request(ApiVersionsApi, 3, createApiVersionsRequest({ clientSoftwareName: 'e2e', clientSoftwareVersion: '1' }));
    const frame = raw.frame(ApiVersionsApi, 3, createApiVersionsRequest({ clientSoftwareName: 'e2e', clientSoftwareVersion: '1' }));
    frame.writeInt16BE(99, 6);
    raw.write(frame);
    const answer = decodeResponseFrame(await raw.nextFrame(), ApiVersionsApi, 0);
    expect(answer.correlationId).toBe(frame.readInt32BE(8));
    expect(answer.body.errorCode).toBe(ErrorCode.UNSUPPORTED_VERSION);
    expect(answer.body.apiKeys).toEqual(supported.apiKeys);
    expect(answer.body.apiKeys.find((k) => k.apiKey === ApiVersionsApi.key)).toMatchObject({ minVersion: 0, maxVersion: 4 });

    // The client retries at a version from the list, on the same connection.
    expect((await raw.request(ApiVersionsApi, 4, createApiVersionsRequest({ clientSoftwareName: 'e2e', clientSoftwareVersion: '1' }))).errorCode).toBe(
      ErrorCode.NONE,
    );
  });

  it('answers CORRUPT_MESSAGE for the partition whose batch fails its CRC, and appends the other', async () => {
    await open();
    const corrupt = Buffer.from(batchOf('bit rot'));
    corrupt[corrupt.length - 1] ^= 0x01;
    const response = await raw.request(ProduceApi, 9, produceRequest(-1, TOPIC, [
      [0, batchOf('intact')],
      [1, corrupt],
    ]));
    expect(response.responses[0].partitionResponses.map((p) => [p.index, p.errorCode])).toEqual([
      [0, ErrorCode.NONE],
      [1, ErrorCode.CORRUPT_MESSAGE],
    ]);
    expect((await readPartition(gregor.port, TOPIC, 0)).map((r) => r.value)).toContain('intact');
    expect(await readPartition(gregor.port, TOPIC, 1)).toEqual([]);
  });

  it('answers UNKNOWN_TOPIC_OR_PARTITION for a missing topic and for a partition index the topic does not have', async () => {
    await open();
    const missingTopic = await raw.request(ProduceApi, 9, produceRequest(1, 'no-such-topic', [[0, batchOf('lost')]]));
    expect(missingTopic.responses[0].partitionResponses[0]).toMatchObject({ errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, baseOffset: -1 });
    const missingPartition = await raw.request(ProduceApi, 9, produceRequest(1, TOPIC, [[7, batchOf('lost')]]));
    expect(missingPartition.responses[0].partitionResponses[0]).toMatchObject({ index: 7, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION });
  });

  it('closes the connection when a produce with acks=0 fails, so the producer notices, with one log line', async () => {
    const { loggedBefore } = await open();
    raw.write(raw.frame(ProduceApi, 9, produceRequest(0, TOPIC, [[7, batchOf('lost')]])));
    await raw.closedWithoutAnswer();
    expect(gregor.warnings.slice(loggedBefore)).toHaveLength(1);
  });
});
