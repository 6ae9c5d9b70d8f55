import { createServer } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ClientClosedError, KafkaProtocolError, throwIfError } from '../../src/client/errors.js';
import { KafkaClient, type KafkaClientDeps } from '../../src/client/kafka-client.js';
import type { KafkaClientConfig } from '../../src/client/client-config.js';
import { ApiKey, CreateTopicsApi, FindCoordinatorApi, HeartbeatApi, ListOffsetsApi } from '../../src/protocol/generated/apis.js';
import { createCreateTopicsRequest } from '../../src/protocol/generated/clients/create-topics-request.js';
import { type CreateTopicsResponse, createCreateTopicsResponse, createCreateTopicsResponseCreatableTopicResult } from '../../src/protocol/generated/clients/create-topics-response.js';
import { createHeartbeatRequest } from '../../src/protocol/generated/clients/heartbeat-request.js';
import { type HeartbeatResponse, createHeartbeatResponse } from '../../src/protocol/generated/clients/heartbeat-response.js';
import { type ListOffsetsRequest, createListOffsetsRequest } from '../../src/protocol/generated/clients/list-offsets-request.js';
import { type ListOffsetsResponse, createListOffsetsResponse } from '../../src/protocol/generated/clients/list-offsets-response.js';
import { ErrorCode } from '../../src/protocol/generated/error-codes.js';
import { ManualClock } from '../../src/util/clock.js';
import { SeededRandom } from '../../src/util/random.js';
import { deferred } from './support/deferred.js';
import { ALL_API_RANGES, NO_REPLY } from './support/fake-broker.js';
import { FakeCluster } from './support/fake-cluster.js';

let cluster: FakeCluster;
const clients: KafkaClient[] = [];
/** Backoffs the client asked to sleep; `onSleep` runs at each, to change the cluster between attempts. */
let delays: number[];
let onSleep: () => void;

beforeEach(async () => {
  cluster = await FakeCluster.start(3);
  delays = [];
  onSleep = () => {};
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await cluster.stop();
});

function client(config: Partial<KafkaClientConfig> = {}, deps: KafkaClientDeps = {}): KafkaClient {
  const sleep = async (ms: number): Promise<void> => {
    delays.push(ms);
    onSleep();
  };
  const created = new KafkaClient({ bootstrapServers: cluster.bootstrapServers, clientId: 'test', ...config }, { sleep, random: new SeededRandom(7), ...deps });
  clients.push(created);
  return created;
}

function listOffsets(topic: string, partition: number): ListOffsetsRequest {
  return createListOffsetsRequest({ topics: [{ name: topic, partitions: [{ partitionIndex: partition, currentLeaderEpoch: -1, timestamp: -1, maxNumOffsets: 1 }] }] });
}

/** Every broker answers ListOffsets with offset = 100 x its node id, or the error `errorFor` returns. */
function answerListOffsets(errorFor: (nodeId: number) => number = () => ErrorCode.NONE): void {
  cluster.brokers.forEach((broker, i) =>
    broker.on(ListOffsetsApi, (request) =>
      createListOffsetsResponse({
        topics: request.topics.map((t) => ({
          name: t.name,
          partitions: t.partitions.map((p) => ({
            partitionIndex: p.partitionIndex,
            errorCode: errorFor(i + 1),
            oldStyleOffsets: [],
            timestamp: -1,
            offset: (i + 1) * 100,
            leaderEpoch: 0,
          })),
        })),
      }),
    ),
  );
}

const checkListOffsets = (response: ListOffsetsResponse): void => {
  const p = response.topics[0].partitions[0];
  throwIfError(p.errorCode, `ListOffsets for ${response.topics[0].name}-${p.partitionIndex}`);
};

function offsetOf(response: ListOffsetsResponse): number {
  return response.topics[0].partitions[0].offset;
}

describe('KafkaClient metadata', () => {
  it('bootstraps past a server that does not answer and caches what the cluster reports', async () => {
    const vacant = createServer();
    await new Promise<void>((resolve) => vacant.listen(0, '127.0.0.1', resolve));
    const deadPort = (vacant.address() as { port: number }).port;
    await new Promise<void>((resolve) => vacant.close(() => resolve()));
    cluster.controllerId = 2;

    const metadata = await client({ bootstrapServers: `127.0.0.1:${deadPort},${cluster.bootstrapServers}` }).metadata();

    expect(metadata.clusterId).toBe('fake-cluster');
    expect(metadata.controllerId).toBe(2);
    expect([...metadata.brokers.values()].map((b) => [b.nodeId, b.port])).toEqual(cluster.brokers.map((b, i) => [i + 1, b.port]));
    expect(delays).toHaveLength(1);
  });

  it('sends no topics until asked, and keeps asking for topics once asked about them', async () => {
    cluster.topics.set('orders', { leaders: [1, 2] });
    const kafka = client();

    await kafka.metadata();
    const orders = (await kafka.metadata(['orders'])).topic('orders');
    await kafka.refreshMetadata();

    const asked = cluster.brokers.flatMap((b) => b.requests.filter((r) => r.api.key === ApiKey.Metadata)).map((r) => r.body);
    expect(asked.map((body) => (body as { topics: { name: string }[] }).topics.map((t) => t.name))).toEqual([[], ['orders'], ['orders']]);
    expect(asked.every((body) => (body as { allowAutoTopicCreation: boolean }).allowAutoTopicCreation === false)).toBe(true);
    expect([...orders.partitions.values()].map((p) => p.leaderId)).toEqual([1, 2]);
  });

  it('serves metadata from its cache until metadata.max.age.ms has passed', async () => {
    const clock = new ManualClock(1_000);
    const kafka = client({ metadataMaxAgeMs: 5_000 }, { clock });

    await kafka.metadata();
    clock.advance(4_999);
    await kafka.metadata();
    expect(cluster.metadataRequests()).toBe(1);

    clock.advance(1);
    await kafka.metadata();
    expect(cluster.metadataRequests()).toBe(2);
  });

  it('shares one Metadata request among concurrent callers', async () => {
    cluster.topics.set('orders', { leaders: [1] });
    const kafka = client();

    await Promise.all([kafka.metadata(['orders']), kafka.metadata(['orders']), kafka.metadata()]);

    expect(cluster.metadataRequests()).toBe(1);
  });
});

describe('KafkaClient.sendToLeader', () => {
  it("sends to the partition's leader", async () => {
    cluster.topics.set('orders', { leaders: [2, 3] });
    answerListOffsets();
    const kafka = client();

    expect(offsetOf(await kafka.sendToLeader('orders', 1, ListOffsetsApi, listOffsets('orders', 1), { check: checkListOffsets }))).toBe(300);
    expect(offsetOf(await kafka.sendToLeader('orders', 0, ListOffsetsApi, listOffsets('orders', 0), { check: checkListOffsets }))).toBe(200);
  });

  it('refreshes metadata and follows the leader after NOT_LEADER_OR_FOLLOWER', async () => {
    cluster.topics.set('orders', { leaders: [1] });
    answerListOffsets((nodeId) => {
      if (nodeId !== 1) return ErrorCode.NONE;
      cluster.topics.set('orders', { leaders: [2] });
      return ErrorCode.NOT_LEADER_OR_FOLLOWER;
    });
    const kafka = client();

    const response = await kafka.sendToLeader('orders', 0, ListOffsetsApi, listOffsets('orders', 0), { check: checkListOffsets });

    expect(offsetOf(response)).toBe(200);
    expect(cluster.metadataRequests()).toBe(2);
    expect(delays).toHaveLength(1);
  });

  it('waits for a topic being created: unknown, then leaderless, then led', async () => {
    answerListOffsets();
    const steps = [() => cluster.topics.set('fresh', { leaders: [-1] }), () => cluster.topics.set('fresh', { leaders: [3] })];
    onSleep = () => steps.shift()?.();
    const kafka = client();

    const response = await kafka.sendToLeader('fresh', 0, ListOffsetsApi, listOffsets('fresh', 0), { check: checkListOffsets });

    expect(offsetOf(response)).toBe(300);
    expect(cluster.metadataRequests()).toBe(3);
  });

  it('throws the last error once retries are used up, having backed off exponentially', async () => {
    cluster.topics.set('orders', { leaders: [1] });
    answerListOffsets(() => ErrorCode.NOT_LEADER_OR_FOLLOWER);
    const kafka = client({ retries: 3, retryBackoffMs: 100, retryBackoffMaxMs: 300 });

    const error = await kafka.sendToLeader('orders', 0, ListOffsetsApi, listOffsets('orders', 0), { check: checkListOffsets }).catch((err: unknown) => err);

    expect(error).toBeInstanceOf(KafkaProtocolError);
    expect(error).toMatchObject({ errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER, retriable: true });
    expect(cluster.broker(1).count(ListOffsetsApi)).toBe(4);
    expect(delays).toHaveLength(3);
    expect(delays[0]).toBeGreaterThanOrEqual(80);
    expect(delays[0]).toBeLessThanOrEqual(120);
    expect(delays[1]).toBeGreaterThanOrEqual(160);
    expect(delays[2]).toBeLessThanOrEqual(300);
  });

  it('does not retry an error that is not retriable', async () => {
    cluster.topics.set('orders', { leaders: [1] });
    answerListOffsets(() => ErrorCode.TOPIC_AUTHORIZATION_FAILED);
    const kafka = client();

    await expect(kafka.sendToLeader('orders', 0, ListOffsetsApi, listOffsets('orders', 0), { check: checkListOffsets })).rejects.toThrow(
      'ListOffsets for orders-0: TOPIC_AUTHORIZATION_FAILED',
    );
    expect(cluster.broker(1).count(ListOffsetsApi)).toBe(1);
    expect(delays).toHaveLength(0);
  });

  it('builds the request for the version it sends when given a function', async () => {
    cluster.topics.set('orders', { leaders: [1] });
    answerListOffsets();
    const kafka = client();
    const built: number[] = [];

    await kafka.sendToLeader('orders', 0, ListOffsetsApi, (version) => (built.push(version), listOffsets('orders', 0)), { versions: { min: 1, max: 5 } });

    expect(built).toEqual([5]);
    expect((await cluster.broker(1).received(ListOffsetsApi)).version).toBe(5);
  });
});

describe('KafkaClient.sendToBroker', () => {
  it('sends to a broker by node id, reconnecting after the broker dropped the connection', async () => {
    answerListOffsets();
    const kafka = client();

    expect(offsetOf(await kafka.sendToBroker(2, ListOffsetsApi, listOffsets('t', 0)))).toBe(200);
    const first = cluster.broker(2).connections[0];
    first.destroy();
    await first.closed;
    expect(offsetOf(await kafka.sendToBroker(2, ListOffsetsApi, listOffsets('t', 0)))).toBe(200);

    expect(cluster.broker(2).connections).toHaveLength(2);
  });

  it('fails with BROKER_NOT_AVAILABLE for a node id the cluster does not have', async () => {
    const kafka = client({ retries: 1 });

    await expect(kafka.sendToBroker(9, ListOffsetsApi, listOffsets('t', 0))).rejects.toMatchObject({ errorCode: ErrorCode.BROKER_NOT_AVAILABLE });
  });
});

describe('KafkaClient.sendToController', () => {
  const checkCreateTopics = (response: CreateTopicsResponse): void => {
    for (const t of response.topics) throwIfError(t.errorCode, `CreateTopics ${t.name}`, t.errorMessage);
  };

  it('follows the controller after NOT_CONTROLLER', async () => {
    cluster.controllerId = 2;
    cluster.broker(2).on(CreateTopicsApi, (request) => {
      cluster.controllerId = 3;
      return createCreateTopicsResponse({ topics: request.topics.map((t) => createCreateTopicsResponseCreatableTopicResult({ name: t.name, errorCode: ErrorCode.NOT_CONTROLLER })) });
    });
    cluster.broker(3).on(CreateTopicsApi, (request) =>
      createCreateTopicsResponse({ topics: request.topics.map((t) => createCreateTopicsResponseCreatableTopicResult({ name: t.name, numPartitions: 6 })) }),
    );
    const kafka = client();

    const response = await kafka.sendToController(CreateTopicsApi, createCreateTopicsRequest({ topics: [{ name: 'orders', numPartitions: 6, replicationFactor: 1, assignments: [], configs: [] }] }), {
      check: checkCreateTopics,
    });

    expect(response.topics.map((t) => [t.name, t.errorCode, t.numPartitions])).toEqual([['orders', 0, 6]]);
    expect(cluster.broker(2).count(CreateTopicsApi)).toBe(1);
    expect(cluster.metadataRequests()).toBe(2);
  });
});

describe('KafkaClient coordinators', () => {
  const heartbeat = createHeartbeatRequest({ groupId: 'payments', generationId: 1, memberId: 'm-1' });
  const checkHeartbeat = (response: HeartbeatResponse): void => throwIfError(response.errorCode, 'Heartbeat');

  function answerHeartbeats(errorFor: (nodeId: number) => number = () => ErrorCode.NONE): void {
    cluster.brokers.forEach((broker, i) => broker.on(HeartbeatApi, () => createHeartbeatResponse({ errorCode: errorFor(i + 1) })));
  }

  it('finds the group coordinator with batched FindCoordinator v4+ and remembers it', async () => {
    cluster.coordinators.set('payments', 2);
    answerHeartbeats();
    const kafka = client();

    await kafka.sendToGroupCoordinator('payments', HeartbeatApi, heartbeat, { check: checkHeartbeat });
    await kafka.sendToGroupCoordinator('payments', HeartbeatApi, heartbeat, { check: checkHeartbeat });

    const lookups = cluster.brokers.flatMap((b) => b.requests.filter((r) => r.api.key === ApiKey.FindCoordinator));
    expect(lookups).toHaveLength(1);
    expect(lookups[0].version).toBeGreaterThanOrEqual(4);
    expect(lookups[0].body).toMatchObject({ keyType: 0, coordinatorKeys: ['payments'] });
    expect(cluster.broker(2).count(HeartbeatApi)).toBe(2);
  });

  it('uses the single-key FindCoordinator of brokers older than v4', async () => {
    for (const broker of cluster.brokers) broker.apiRanges = ALL_API_RANGES.map((r) => (r.apiKey === ApiKey.FindCoordinator ? { ...r, maxVersion: 3 } : r));
    cluster.coordinators.set('payments', 3);
    answerHeartbeats();
    const kafka = client();

    await kafka.sendToGroupCoordinator('payments', HeartbeatApi, heartbeat, { check: checkHeartbeat });

    const lookup = cluster.brokers.flatMap((b) => b.requests.filter((r) => r.api.key === ApiKey.FindCoordinator))[0];
    expect(lookup.version).toBe(3);
    expect(lookup.body).toMatchObject({ key: 'payments', keyType: 0 });
    expect(cluster.broker(3).count(HeartbeatApi)).toBe(1);
  });

  it('looks the coordinator up again after NOT_COORDINATOR', async () => {
    cluster.coordinators.set('payments', 2);
    answerHeartbeats((nodeId) => {
      if (nodeId !== 2) return ErrorCode.NONE;
      cluster.coordinators.set('payments', 3);
      return ErrorCode.NOT_COORDINATOR;
    });
    const kafka = client();

    await kafka.sendToGroupCoordinator('payments', HeartbeatApi, heartbeat, { check: checkHeartbeat });

    expect(cluster.brokers.reduce((n, b) => n + b.count(FindCoordinatorApi), 0)).toBe(2);
    expect(cluster.broker(3).count(HeartbeatApi)).toBe(1);
  });

  it('retries while no coordinator is available yet', async () => {
    onSleep = () => cluster.coordinators.set('payments', 1);
    answerHeartbeats();
    const kafka = client();

    await kafka.sendToGroupCoordinator('payments', HeartbeatApi, heartbeat, { check: checkHeartbeat });

    expect(delays).toHaveLength(1);
    expect(cluster.broker(1).count(HeartbeatApi)).toBe(1);
  });

  it('finds transaction coordinators with key type 1', async () => {
    cluster.coordinators.set('tx-1', 3);
    answerHeartbeats();
    const kafka = client();

    await kafka.sendToTransactionCoordinator('tx-1', HeartbeatApi, heartbeat);

    const lookup = cluster.brokers.flatMap((b) => b.requests.filter((r) => r.api.key === ApiKey.FindCoordinator))[0];
    expect(lookup.body).toMatchObject({ keyType: 1, coordinatorKeys: ['tx-1'] });
    expect(cluster.broker(3).count(HeartbeatApi)).toBe(1);
  });
});

describe('KafkaClient.close', () => {
  it('fails requests in flight, without retrying them, and refuses new ones', async () => {
    const arrived = deferred<void>();
    cluster.brokers.forEach((broker) =>
      broker.on(ListOffsetsApi, () => {
        arrived.resolve();
        return NO_REPLY;
      }),
    );
    const kafka = client();
    const inFlight = kafka.sendToAny(ListOffsetsApi, listOffsets('t', 0)).catch((err: unknown) => err);
    await arrived.promise;

    await kafka.close();

    expect(await inFlight).toBeInstanceOf(ClientClosedError);
    await expect(kafka.metadata()).rejects.toBeInstanceOf(ClientClosedError);
  });
});
