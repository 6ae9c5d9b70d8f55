import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { BrokerConnection, type BrokerConnectionOptions } from '../../src/client/broker-connection.js';
import { ConnectionError, RequestTimeoutError } from '../../src/client/errors.js';
import { DecodeError } from '../../src/protocol/decode-error.js';
import { ApiVersionsApi, MetadataApi, ProduceApi } from '../../src/protocol/generated/apis.js';
import { type MetadataRequest, createMetadataRequest } from '../../src/protocol/generated/clients/metadata-request.js';
import {
  type MetadataResponse,
  createMetadataResponse,
  createMetadataResponseTopic,
} from '../../src/protocol/generated/clients/metadata-response.js';
import { createProduceRequest } from '../../src/protocol/generated/clients/produce-request.js';
import { createProduceResponse } from '../../src/protocol/generated/clients/produce-response.js';
import { deferred } from './support/deferred.js';
import { FakeBroker, NO_REPLY } from './support/fake-broker.js';
import { testConnectionOptions } from '../support/connection-options.js';

let broker: FakeBroker;
const opened: BrokerConnection[] = [];

afterEach(async () => {
  await Promise.all(opened.splice(0).map((c) => c.close()));
  await broker.stop();
});

async function open(overrides: Partial<BrokerConnectionOptions> = {}): Promise<BrokerConnection> {
  const connection = await BrokerConnection.open(testConnectionOptions(broker.port, overrides));
  opened.push(connection);
  return connection;
}

function metadataFor(topic: string): MetadataRequest {
  return createMetadataRequest({ topics: [{ name: topic, topicId: 'AAAAAAAAAAAAAAAAAAAAAA' }] });
}

/** A Metadata answer naming the topics that were asked for, so each caller can tell its own. */
function echo(request: MetadataRequest): MetadataResponse {
  return createMetadataResponse({ topics: (request.topics ?? []).map((t) => createMetadataResponseTopic({ name: t.name })) });
}

function names(response: MetadataResponse): (string | null)[] {
  return response.topics.map((t) => t.name);
}

describe('BrokerConnection', () => {
  it('negotiates API versions on open, sending client.id and the client software', async () => {
    broker = await FakeBroker.start();
    const connection = await open();

    const apiVersions = await broker.received(ApiVersionsApi);
    expect(apiVersions.version).toBe(ApiVersionsApi.maxVersion);
    expect(apiVersions.header.clientId).toBe('test-client');
    expect(apiVersions.body).toMatchObject({ clientSoftwareName: 'gregor-test', clientSoftwareVersion: '1.0.0' });
    expect(connection.versions.highest(MetadataApi)).toBe(MetadataApi.maxVersion);
  });

  it('pipelines requests and hands each response to its own caller, in order', async () => {
    broker = await FakeBroker.start();
    const answers = [deferred<void>(), deferred<void>(), deferred<void>()];
    let arrived = 0;
    broker.on(MetadataApi, async (request) => {
      await answers[arrived++].promise;
      return echo(request);
    });
    const connection = await open();
    const version = connection.versions.highest(MetadataApi);

    const responses = ['a', 'b', 'c'].map((topic) => connection.send(MetadataApi, version, metadataFor(topic)));
    await broker.received(MetadataApi, 3);
    expect(connection.inFlight).toBe(3);
    for (const answer of answers) answer.resolve();

    expect((await Promise.all(responses)).map(names)).toEqual([['a'], ['b'], ['c']]);
    const ids = broker.requests.map((r) => r.header.correlationId);
    expect(ids).toEqual([...ids].sort((x, y) => x - y));
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('fails every waiting request and closes when a response carries the wrong correlation id', async () => {
    broker = await FakeBroker.start();
    const never = deferred<void>();
    let arrived = 0;
    broker.on(MetadataApi, async (request) => {
      if (arrived++ === 0) await never.promise;
      return echo(request);
    });
    const connection = await open();
    const version = connection.versions.highest(MetadataApi);

    const [first, second] = await Promise.all([
      connection.send(MetadataApi, version, metadataFor('a')).catch((err: unknown) => err),
      connection.send(MetadataApi, version, metadataFor('b')).catch((err: unknown) => err),
    ]);

    expect(first).toBeInstanceOf(ConnectionError);
    expect((first as Error).message).toMatch(/correlation id \d+ does not match Metadata request \d+/);
    expect(second).toBe(first);
    expect(connection.isOpen).toBe(false);
    await expect(connection.send(MetadataApi, version, metadataFor('c'))).rejects.toBeInstanceOf(ConnectionError);
    await broker.connections[0].closed;
  });

  it('times a request out, closes the connection and fails the requests queued behind it', async () => {
    broker = await FakeBroker.start();
    broker.on(MetadataApi, () => NO_REPLY);
    const connection = await open();
    const version = connection.versions.highest(MetadataApi);

    const [slow, queued] = await Promise.all([
      connection.send(MetadataApi, version, metadataFor('a'), 20).catch((err: unknown) => err),
      connection.send(MetadataApi, version, metadataFor('b')).catch((err: unknown) => err),
    ]);

    expect(slow).toBeInstanceOf(RequestTimeoutError);
    expect((slow as Error).message).toMatch(/Metadata v\d+ request \(correlation id \d+\) got no response within 20 ms/);
    expect(queued).toBeInstanceOf(ConnectionError);
    expect(queued).not.toBeInstanceOf(RequestTimeoutError);
    expect(connection.isOpen).toBe(false);
    await broker.connections[0].closed;
  });

  it('fails the requests waiting on a connection the broker drops', async () => {
    broker = await FakeBroker.start();
    broker.on(MetadataApi, (_request, received) => {
      if (broker.count(MetadataApi) === 2) received.connection.destroy();
      return NO_REPLY;
    });
    const connection = await open();
    const version = connection.versions.highest(MetadataApi);

    const results = await Promise.allSettled([
      connection.send(MetadataApi, version, metadataFor('a')),
      connection.send(MetadataApi, version, metadataFor('b')),
    ]);

    for (const result of results) {
      expect(result.status).toBe('rejected');
      expect((result as PromiseRejectedResult).reason).toBeInstanceOf(ConnectionError);
    }
    expect(connection.isOpen).toBe(false);
  });

  it('sends acks=0 produce requests without waiting for a response, and keeps matching the others', async () => {
    broker = await FakeBroker.start();
    broker.on(ProduceApi, (request) => (request.acks === 0 ? NO_REPLY : createProduceResponse()));
    broker.on(MetadataApi, echo);
    const connection = await open();
    const produce = connection.versions.highest(ProduceApi);

    await connection.sendWithoutResponse(ProduceApi, produce, createProduceRequest({ acks: 0 }));
    await connection.sendWithoutResponse(ProduceApi, produce, createProduceRequest({ acks: 0 }));
    const response = await connection.send(MetadataApi, connection.versions.highest(MetadataApi), metadataFor('after'));

    expect(names(response)).toEqual(['after']);
    expect(broker.count(ProduceApi)).toBe(2);
    expect(connection.inFlight).toBe(0);
  });

  it('on close, fails waiting requests but still delivers acks=0 sends already made', async () => {
    broker = await FakeBroker.start();
    broker.on(ProduceApi, () => NO_REPLY);
    broker.on(MetadataApi, () => NO_REPLY);
    const connection = await open();

    const sent = connection.sendWithoutResponse(ProduceApi, connection.versions.highest(ProduceApi), createProduceRequest({ acks: 0 }));
    const waiting = connection.send(MetadataApi, connection.versions.highest(MetadataApi), metadataFor('a')).catch((err: unknown) => err);
    await connection.close();

    expect(((await waiting) as Error).message).toMatch(/closed by the client/);
    await sent;
    expect((await broker.received(ProduceApi)).body.acks).toBe(0);
  });

  it('rejects a response that does not decode, and the connection stays usable', async () => {
    broker = await FakeBroker.start();
    broker.on(MetadataApi, (request, received) => {
      if (broker.count(MetadataApi) > 1) return echo(request);
      const garbage = Buffer.alloc(4 + 4 + 3);
      garbage.writeInt32BE(7, 0);
      garbage.writeInt32BE(received.header.correlationId, 4);
      received.connection.writeRaw(garbage);
      return NO_REPLY;
    });
    const connection = await open();
    const version = connection.versions.highest(MetadataApi);

    await expect(connection.send(MetadataApi, version, metadataFor('a'))).rejects.toBeInstanceOf(DecodeError);
    expect(names(await connection.send(MetadataApi, version, metadataFor('b')))).toEqual(['b']);
  });

  it('fails when the broker sends a response no request is waiting for', async () => {
    broker = await FakeBroker.start();
    const connection = await open();
    const stray = Buffer.alloc(8);
    stray.writeInt32BE(4, 0);
    stray.writeInt32BE(99, 4);

    broker.connections[0].writeRaw(stray);
    await broker.connections[0].closed;

    expect(connection.isOpen).toBe(false);
  });

  it('closes itself after connections.max.idle.ms without traffic', async () => {
    broker = await FakeBroker.start();
    const connection = await open({ maxIdleMs: 20 });

    await broker.connections[0].closed;

    expect(connection.isOpen).toBe(false);
  });

  it('fails to open when nothing listens on the port', async () => {
    broker = await FakeBroker.start();
    const vacant = createServer();
    await new Promise<void>((resolve) => vacant.listen(0, '127.0.0.1', resolve));
    const port = (vacant.address() as { port: number }).port;
    await new Promise<void>((resolve) => vacant.close(() => resolve()));

    await expect(open({ address: { host: '127.0.0.1', port } })).rejects.toThrow(`127.0.0.1:${port}: cannot connect`);
  });

  it('fails to open when ApiVersions gets no answer within request.timeout.ms', async () => {
    broker = await FakeBroker.start();
    broker.on(ApiVersionsApi, () => NO_REPLY);

    await expect(open({ requestTimeoutMs: 20 })).rejects.toBeInstanceOf(RequestTimeoutError);
    await broker.connections[0].closed;
  });
});
