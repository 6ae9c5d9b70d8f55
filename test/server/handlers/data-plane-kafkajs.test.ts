/**
 * kafkajs, a client we did not write, against the data-plane handlers on a real listener: its
 * producer (Metadata, Produce), its admin offsets (ListOffsets) and the fetch its consumer sends
 * (kafkajs's Broker.fetch, which the consumer uses once it has an assignment; the group
 * coordinator it needs first does not exist yet).
 */
import { CompressionTypes, Kafka, logLevel } from 'kafkajs';
import { afterEach, describe, expect, it } from 'vitest';
import { Listener } from '../../../src/network/listener.js';
import {
  createRegisterBrokerRecord,
  createRegisterBrokerRecordBrokerEndpoint,
} from '../../../src/protocol/generated/metadata/register-broker-record.js';
import { MetadataRecordType } from '../../../src/protocol/generated/records.js';
import { timerScheduler } from '../../../src/replication/scheduler.js';
import type { BrokerServices } from '../../../src/server/broker-services.js';
import { metadataHandler } from '../../../src/server/handlers/03-metadata.js';
import { apiVersionsHandler } from '../../../src/server/handlers/18-api-versions.js';
import { HandlerRegistry } from '../../../src/server/handlers/registry.js';
import { createRequestDispatcher } from '../../../src/server/request-dispatcher.js';
import { SILENT_LOGGER } from '../../../src/util/logger.js';
import { SeededRandom } from '../../../src/util/random.js';
import { DataPlane, NODE_ID } from '../../replication/support.js';
import { dataPlaneHandlers } from './data-plane.js';
import { connectKafkajsBroker } from '../../e2e/support/kafkajs-fetch.js';

/* eslint-disable @typescript-eslint/no-explicit-any -- kafkajs internals are untyped CommonJS */

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanup.reverse()) await step();
  cleanup = [];
});

/** A broker on 127.0.0.1 serving ApiVersions, Metadata and the data plane over `plane`. */
async function serve(plane: DataPlane): Promise<number> {
  const services: BrokerServices = {
    nodeId: NODE_ID,
    clusterId: 'test-cluster-id-000000',
    clock: plane.clock,
    random: new SeededRandom(8),
    image: () => plane.image,
    controller: {
      write: async (decide) => {
        const { response, records } = decide(plane.image);
        await plane.apply(records);
        return response;
      },
    },
    staticProperties: {},
  };
  const features = { supported: [], finalized: () => ({ levels: new Map<string, number>(), epoch: -1 }) };
  const registry: HandlerRegistry = new HandlerRegistry([
    apiVersionsHandler(() => registry.ranges(), features),
    metadataHandler(services),
    ...dataPlaneHandlers(plane.replicas),
  ]);
  const limits = { maxRequestBytes: 100 << 20, maxIdleMs: 600_000, maxInFlightRequests: 100, maxQueuedResponseBytes: 16 << 20 };
  const listener = new Listener(
    { listenerName: 'PLAINTEXT', securityProtocol: 'PLAINTEXT', host: '127.0.0.1', port: 0 },
    createRequestDispatcher(registry),
    limits,
    SILENT_LOGGER,
  );
  const { port } = await listener.start();
  cleanup.push(() => listener.close());
  const broker = plane.image.brokers.get(NODE_ID)!;
  await plane.apply([
    {
      type: MetadataRecordType.RegisterBrokerRecord,
      version: 3,
      data: createRegisterBrokerRecord({
        brokerId: NODE_ID,
        incarnationId: broker.incarnationId,
        brokerEpoch: broker.epoch,
        endPoints: [createRegisterBrokerRecordBrokerEndpoint({ name: 'PLAINTEXT', host: '127.0.0.1', port })],
        fenced: false,
        logDirs: [...broker.logDirs],
      }),
    },
  ]);
  return port;
}

/** kafkajs's Broker, the object its consumer fetches through. */
async function kafkajsBroker(port: number): Promise<any> {
  const broker = await connectKafkajsBroker(port, NODE_ID, 'gregor-e2e');
  cleanup.push(() => broker.disconnect());
  return broker;
}

describe('kafkajs against the data plane', () => {
  it('produces, lists offsets and fetches, including a long poll woken by a produce', async () => {
    const plane = await DataPlane.start({ params: { scheduler: timerScheduler } });
    await plane.createTopic('e2e', { partitions: 2 });
    const port = await serve(plane);

    const kafka = new Kafka({ clientId: 'gregor-e2e', brokers: [`127.0.0.1:${port}`], logLevel: logLevel.NOTHING });
    const producer = kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    cleanup.push(() => producer.disconnect());
    const sent = await producer.send({
      topic: 'e2e',
      acks: -1,
      messages: [
        { partition: 0, key: 'k1', value: 'first' },
        { partition: 0, key: 'k2', value: 'second' },
        { partition: 1, key: 'k3', value: 'third' },
      ],
    });
    expect(sent.map((r) => [r.partition, r.errorCode, r.baseOffset]).sort()).toEqual([
      [0, 0, '0'],
      [1, 0, '0'],
    ]);
    await producer.send({ topic: 'e2e', compression: CompressionTypes.GZIP, messages: [{ partition: 0, value: 'zipped' }] });

    const admin = kafka.admin();
    await admin.connect();
    cleanup.push(() => admin.disconnect());
    const offsets = await admin.fetchTopicOffsets('e2e');
    expect(offsets.map((o) => [o.partition, o.low, o.high]).sort()).toEqual([
      [0, '0', '3'],
      [1, '0', '1'],
    ]);

    const broker = await kafkajsBroker(port);
    const fetchFrom = (offset: number, maxWaitTime = 100) =>
      broker.fetch({
        replicaId: -1,
        isolationLevel: 1,
        maxWaitTime,
        minBytes: 1,
        maxBytes: 1 << 20,
        topics: [{ topic: 'e2e', partitions: [{ partition: 0, fetchOffset: String(offset), maxBytes: 1 << 20 }] }],
      });
    const fetched = await fetchFrom(0);
    const partition = fetched.responses[0].partitions[0];
    expect(partition).toMatchObject({ partition: 0, errorCode: 0, highWatermark: '3' });
    expect(partition.messages.map((m: any) => [m.offset, m.key?.toString() ?? null, m.value.toString()])).toEqual([
      ['0', 'k1', 'first'],
      ['1', 'k2', 'second'],
      ['2', null, 'zipped'],
    ]);

    const longPoll = fetchFrom(3, 10_000);
    while (plane.replicas.delayedCount === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    await producer.send({ topic: 'e2e', messages: [{ partition: 0, value: 'woken' }] });
    const woken = (await longPoll).responses[0].partitions[0];
    expect(woken.messages.map((m: any) => [m.offset, m.value.toString()])).toEqual([['3', 'woken']]);
  });
});
