import { describe, expect, it } from 'vitest';
import { ConfigResourceType } from '../../src/protocol/config-resource-type.js';
import {
  AlterConfigsApi,
  CreatePartitionsApi,
  CreateTopicsApi,
  DeleteTopicsApi,
  DescribeClusterApi,
  DescribeConfigsApi,
  DescribeTopicPartitionsApi,
  IncrementalAlterConfigsApi,
  MetadataApi,
} from '../../src/protocol/generated/apis.js';
import { ErrorCode } from '../../src/protocol/generated/error-codes.js';
import { ZERO_UUID } from '../../src/protocol/codec-runtime.js';
import { alterConfigsHandler } from '../../src/server/handlers/33-alter-configs.js';
import { createPartitionsHandler } from '../../src/server/handlers/37-create-partitions.js';
import { createTopicsHandler } from '../../src/server/handlers/19-create-topics.js';
import { deleteTopicsHandler } from '../../src/server/handlers/20-delete-topics.js';
import { describeClusterHandler } from '../../src/server/handlers/60-describe-cluster.js';
import { describeConfigsHandler } from '../../src/server/handlers/32-describe-configs.js';
import { describeTopicPartitionsHandler } from '../../src/server/handlers/75-describe-topic-partitions.js';
import { incrementalAlterConfigsHandler } from '../../src/server/handlers/44-incremental-alter-configs.js';
import { metadataHandler } from '../../src/server/handlers/03-metadata.js';
import type { ApiHandler } from '../../src/server/handlers/handler.js';
import { TestCluster } from './support/control-plane.js';

function setup(staticProperties: Record<string, string> = {}) {
  const cluster = new TestCluster(staticProperties);
  const handlers: ApiHandler[] = [
    metadataHandler(cluster),
    createTopicsHandler(cluster),
    deleteTopicsHandler(cluster),
    createPartitionsHandler(cluster),
    describeConfigsHandler(cluster),
    alterConfigsHandler(cluster),
    incrementalAlterConfigsHandler(cluster),
    describeClusterHandler(cluster),
    describeTopicPartitionsHandler(cluster),
  ] as ApiHandler[];
  const call = <Req, Res>(api: Parameters<TestCluster['call']>[1] & { request: { create(init?: Partial<Req>): Req } }, version: number, init: Partial<Req>) =>
    cluster.call(handlers, api, version, api.request.create(init)) as Promise<Res>;
  const createTopic = (name: string, numPartitions = 3, configs: Array<{ name: string; value: string }> = []) =>
    cluster.call(handlers, CreateTopicsApi, 7, CreateTopicsApi.request.create({ topics: [{ name, numPartitions, replicationFactor: 1, assignments: [], configs }] }));
  return { cluster, handlers, call, createTopic };
}

describe('Metadata', () => {
  it.each([0, 1, 4, 9, 12])('v%i describes the brokers, the cluster and every topic', async (version) => {
    const { cluster, handlers, createTopic } = setup();
    await createTopic('orders', 2);
    const response = await cluster.call(handlers, MetadataApi, version, MetadataApi.request.create({ topics: version === 0 ? [] : null }));
    expect(response.brokers).toEqual([expect.objectContaining({ nodeId: 1, host: 'localhost', port: 9093 })]);
    expect(response.topics.map((t) => [t.name, t.errorCode, t.partitions.length])).toEqual([['orders', ErrorCode.NONE, 2]]);
    expect(response.topics[0].partitions[0]).toMatchObject({ leaderId: 1, replicaNodes: [1], isrNodes: [1] });
    if (version >= 1) expect(response.controllerId).toBe(1);
    if (version >= 2) expect(response.clusterId).toBe(cluster.clusterId);
    if (version >= 10) expect(response.topics[0].topicId).toBe(cluster.image().topicsByName.get('orders')!.id);
  });

  it('creates a missing topic with the broker defaults when allowed, and not otherwise', async () => {
    const { cluster, handlers } = setup({ 'num.partitions': '4' });
    const created = await cluster.call(handlers, MetadataApi, 12, MetadataApi.request.create({ topics: [{ name: 'auto', topicId: ZERO_UUID }], allowAutoTopicCreation: true }));
    expect(created.topics[0]).toMatchObject({ name: 'auto', errorCode: ErrorCode.NONE });
    expect(created.topics[0].partitions).toHaveLength(4);
    const refused = await cluster.call(handlers, MetadataApi, 12, MetadataApi.request.create({ topics: [{ name: 'manual', topicId: ZERO_UUID }], allowAutoTopicCreation: false }));
    expect(refused.topics[0].errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    expect(cluster.image().topicsByName.has('manual')).toBe(false);
  });

  it('honours auto.create.topics.enable=false, and reports illegal names and unknown ids', async () => {
    const { cluster, handlers } = setup({ 'auto.create.topics.enable': 'false' });
    const response = await cluster.call(
      handlers,
      MetadataApi,
      12,
      MetadataApi.request.create({ topics: [{ name: 'nope', topicId: ZERO_UUID }, { name: null, topicId: 'AAAAAAAAAAAAAAAAAAAAAg' }], allowAutoTopicCreation: true }),
    );
    expect(response.topics.map((t) => t.errorCode)).toEqual([ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, ErrorCode.UNKNOWN_TOPIC_ID]);
    const invalid = await setup().cluster.call(setup().handlers, MetadataApi, 4, MetadataApi.request.create({ topics: [{ name: 'bad name!', topicId: ZERO_UUID }], allowAutoTopicCreation: true }));
    expect(invalid.topics[0].errorCode).toBe(ErrorCode.INVALID_TOPIC_EXCEPTION);
  });
});

describe('CreateTopics, DeleteTopics, CreatePartitions', () => {
  it.each([0, 1, 4, 5, 7])('CreateTopics v%i creates a topic and answers with the fields of its version', async (version) => {
    const { cluster, handlers } = setup();
    const response = await cluster.call(
      handlers,
      CreateTopicsApi,
      version,
      CreateTopicsApi.request.create({ topics: [{ name: 'events', numPartitions: 2, replicationFactor: 1, assignments: [], configs: [{ name: 'retention.ms', value: '1000' }] }] }),
    );
    expect(response.topics[0]).toMatchObject({ name: 'events', errorCode: ErrorCode.NONE });
    if (version >= 5) expect(response.topics[0]).toMatchObject({ numPartitions: 2, replicationFactor: 1 });
    if (version >= 5) expect(response.topics[0].configs!.find((c) => c.name === 'retention.ms')?.value).toBe('1000');
    if (version >= 7) expect(response.topics[0].topicId).toBe(cluster.image().topicsByName.get('events')!.id);
    expect([...cluster.image().topicConfigs('events')]).toEqual([['retention.ms', '1000']]);
  });

  it('answers errors per topic and writes nothing for validateOnly', async () => {
    const { cluster, handlers, createTopic } = setup();
    await createTopic('taken');
    const response = await cluster.call(
      handlers,
      CreateTopicsApi,
      4,
      CreateTopicsApi.request.create({
        topics: [
          { name: 'taken', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] },
          { name: 'bad/name', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] },
          { name: 'too-replicated', numPartitions: 1, replicationFactor: 3, assignments: [], configs: [] },
          { name: 'no-partitions', numPartitions: 0, replicationFactor: 1, assignments: [], configs: [] },
          { name: 'bad-config', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [{ name: 'retention.ms', value: 'soon' }] },
        ],
      }),
    );
    expect(response.topics.map((t) => t.errorCode)).toEqual([
      ErrorCode.TOPIC_ALREADY_EXISTS,
      ErrorCode.INVALID_TOPIC_EXCEPTION,
      ErrorCode.INVALID_REPLICATION_FACTOR,
      ErrorCode.INVALID_PARTITIONS,
      ErrorCode.INVALID_CONFIG,
    ]);
    const dry = await cluster.call(handlers, CreateTopicsApi, 4, CreateTopicsApi.request.create({ topics: [{ name: 'dry', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }], validateOnly: true }));
    expect(dry.topics[0].errorCode).toBe(ErrorCode.NONE);
    expect(cluster.image().topicsByName.has('dry')).toBe(false);
  });

  it('deletes topics by name (v0-5) and by id (v6)', async () => {
    const { cluster, handlers, createTopic } = setup();
    await createTopic('a');
    await createTopic('b');
    const byName = await cluster.call(handlers, DeleteTopicsApi, 1, DeleteTopicsApi.request.create({ topicNames: ['a', 'missing'] }));
    expect(byName.responses.map((r) => [r.name, r.errorCode])).toEqual([
      ['a', ErrorCode.NONE],
      ['missing', ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
    ]);
    const id = cluster.image().topicsByName.get('b')!.id;
    const byId = await cluster.call(handlers, DeleteTopicsApi, 6, DeleteTopicsApi.request.create({ topics: [{ name: null, topicId: id }] }));
    expect(byId.responses[0]).toMatchObject({ name: 'b', topicId: id, errorCode: ErrorCode.NONE });
    expect(cluster.image().topicsByName.size).toBe(0);
  });

  it('honours delete.topic.enable=false with TOPIC_DELETION_DISABLED', async () => {
    const { cluster, handlers, createTopic } = setup({ 'delete.topic.enable': 'false' });
    await createTopic('kept');
    const response = await cluster.call(handlers, DeleteTopicsApi, 4, DeleteTopicsApi.request.create({ topicNames: ['kept'] }));
    expect(response.responses[0].errorCode).toBe(ErrorCode.TOPIC_DELETION_DISABLED);
  });

  it('adds partitions, and refuses to shrink', async () => {
    const { cluster, handlers, createTopic } = setup();
    await createTopic('grow', 2);
    const grown = await cluster.call(handlers, CreatePartitionsApi, 3, CreatePartitionsApi.request.create({ topics: [{ name: 'grow', count: 5, assignments: null }], timeoutMs: 1000 }));
    expect(grown.results[0].errorCode).toBe(ErrorCode.NONE);
    expect(cluster.image().topicsByName.get('grow')!.partitions.size).toBe(5);
    const shrunk = await cluster.call(handlers, CreatePartitionsApi, 0, CreatePartitionsApi.request.create({ topics: [{ name: 'grow', count: 1, assignments: null }], timeoutMs: 1000 }));
    expect(shrunk.results[0].errorCode).toBe(ErrorCode.INVALID_PARTITIONS);
  });
});

describe('configs', () => {
  const topicResource = (name: string, keys: string[] | null = null) => ({ resourceType: ConfigResourceType.TOPIC, resourceName: name, configurationKeys: keys });

  it.each([0, 1, 3, 4])('DescribeConfigs v%i describes topic overrides and broker values', async (version) => {
    const { cluster, handlers, createTopic } = setup({ 'log.retention.hours': '24' });
    await createTopic('described', 1, [{ name: 'cleanup.policy', value: 'compact' }]);
    const response = await cluster.call(
      handlers,
      DescribeConfigsApi,
      version,
      DescribeConfigsApi.request.create({
        resources: [topicResource('described', ['cleanup.policy', 'retention.ms']), { resourceType: ConfigResourceType.BROKER, resourceName: '1', configurationKeys: ['log.retention.hours'] }],
        includeSynonyms: version >= 1,
        includeDocumentation: version >= 3,
      }),
    );
    const [topic, broker] = response.results;
    expect(topic.errorCode).toBe(ErrorCode.NONE);
    expect(Object.fromEntries(topic.configs.map((c) => [c.name, c.value]))).toEqual({ 'cleanup.policy': 'compact', 'retention.ms': '86400000' });
    expect(broker.configs.map((c) => [c.name, c.value])).toEqual([['log.retention.hours', '24']]);
    // Kafka's synonym order: the static log.retention.hours=24, then the default it would fall back to.
    if (version >= 1) expect(topic.configs.find((c) => c.name === 'retention.ms')!.synonyms.map((s) => [s.name, s.value])).toEqual([['log.retention.hours', '24'], ['log.retention.hours', '168']]);
    if (version >= 3) expect(topic.configs[0].documentation).toBeTruthy();
  });

  it('reports unknown topics and brokers other than this one', async () => {
    const { cluster, handlers } = setup();
    const response = await cluster.call(
      handlers,
      DescribeConfigsApi,
      4,
      DescribeConfigsApi.request.create({ resources: [topicResource('ghost'), { resourceType: ConfigResourceType.BROKER, resourceName: '7', configurationKeys: null }] }),
    );
    expect(response.results.map((r) => r.errorCode)).toEqual([ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, ErrorCode.INVALID_REQUEST]);
  });

  it('AlterConfigs replaces a topic\'s overrides; validateOnly and bad values change nothing', async () => {
    const { cluster, handlers, createTopic } = setup();
    await createTopic('altered', 1, [{ name: 'cleanup.policy', value: 'compact' }]);
    const alter = (configs: Array<{ name: string; value: string | null }>, validateOnly = false) =>
      cluster.call(handlers, AlterConfigsApi, 2, AlterConfigsApi.request.create({ resources: [{ resourceType: ConfigResourceType.TOPIC, resourceName: 'altered', configs }], validateOnly }));
    expect((await alter([{ name: 'retention.ms', value: '5000' }], true)).responses[0].errorCode).toBe(ErrorCode.NONE);
    expect([...cluster.image().topicConfigs('altered')]).toEqual([['cleanup.policy', 'compact']]);
    expect((await alter([{ name: 'retention.ms', value: 'x' }])).responses[0].errorCode).toBe(ErrorCode.INVALID_CONFIG);
    expect((await alter([{ name: 'retention.ms', value: '5000' }])).responses[0].errorCode).toBe(ErrorCode.NONE);
    expect([...cluster.image().topicConfigs('altered')]).toEqual([['retention.ms', '5000']]);
  });

  it('IncrementalAlterConfigs appends to lists and sets dynamic broker defaults', async () => {
    const { cluster, handlers, createTopic } = setup();
    await createTopic('inc', 1, [{ name: 'cleanup.policy', value: 'compact' }]);
    const response = await cluster.call(
      handlers,
      IncrementalAlterConfigsApi,
      1,
      IncrementalAlterConfigsApi.request.create({
        resources: [
          { resourceType: ConfigResourceType.TOPIC, resourceName: 'inc', configs: [{ name: 'cleanup.policy', configOperation: 2, value: 'delete' }] },
          { resourceType: ConfigResourceType.BROKER, resourceName: '', configs: [{ name: 'log.retention.ms', configOperation: 0, value: '60000' }] },
        ],
      }),
    );
    expect(response.responses.map((r) => r.errorCode)).toEqual([ErrorCode.NONE, ErrorCode.NONE]);
    expect(cluster.image().topicConfigs('inc').get('cleanup.policy')).toBe('compact,delete');
    expect(cluster.image().brokerConfigs('').get('log.retention.ms')).toBe('60000');
  });
});

describe('DescribeCluster and DescribeTopicPartitions', () => {
  it.each([0, 1])('DescribeCluster v%i lists the live brokers', async (version) => {
    const { cluster, handlers } = setup();
    const response = await cluster.call(handlers, DescribeClusterApi, version, DescribeClusterApi.request.create({ includeClusterAuthorizedOperations: true }));
    expect(response).toMatchObject({ errorCode: ErrorCode.NONE, clusterId: cluster.clusterId, controllerId: 1 });
    expect(response.brokers.map((b) => b.brokerId)).toEqual([1]);
    expect(response.clusterAuthorizedOperations).toBeGreaterThan(0);
  });

  it('refuses controller endpoints from a broker', async () => {
    const { cluster, handlers } = setup();
    const response = await cluster.call(handlers, DescribeClusterApi, 1, DescribeClusterApi.request.create({ endpointType: 2 }));
    expect(response.errorCode).toBe(ErrorCode.UNSUPPORTED_ENDPOINT_TYPE);
  });

  it('pages through partitions with a cursor', async () => {
    const { cluster, handlers, createTopic } = setup();
    await createTopic('a', 3);
    await createTopic('b', 2);
    const page = (cursor: { topicName: string; partitionIndex: number } | null) =>
      cluster.call(handlers, DescribeTopicPartitionsApi, 0, DescribeTopicPartitionsApi.request.create({ topics: [], responsePartitionLimit: 2, cursor }));
    const first = await page(null);
    expect(first.topics.map((t) => [t.name, t.partitions.map((p) => p.partitionIndex)])).toEqual([['a', [0, 1]]]);
    expect(first.nextCursor).toMatchObject({ topicName: 'a', partitionIndex: 2 });
    const second = await page(first.nextCursor);
    expect(second.topics.map((t) => [t.name, t.partitions.map((p) => p.partitionIndex)])).toEqual([['a', [2]], ['b', [0]]]);
    const third = await page(second.nextCursor);
    expect(third.topics.map((t) => [t.name, t.partitions.map((p) => p.partitionIndex)])).toEqual([['b', [1]]]);
    expect(third.nextCursor).toBeNull();
  });
});
