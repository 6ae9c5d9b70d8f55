import { describe, expect, it } from 'vitest';
import { ZERO_UUID } from '../../../src/protocol/codec-runtime.js';
import {
  type CreateTopicsRequestCreatableTopic,
  createCreateTopicsRequest,
  createCreateTopicsRequestCreatableReplicaAssignment,
  createCreateTopicsRequestCreatableTopic,
  createCreateTopicsRequestCreatableTopicConfig,
} from '../../../src/protocol/generated/clients/create-topics-request.js';
import { ErrorCode } from '../../../src/protocol/generated/error-codes.js';
import { MetadataRecordType } from '../../../src/protocol/generated/records.js';
import { KafkaError } from '../../../src/util/kafka-error.js';
import { SeededRandom } from '../../../src/util/random.js';
import type { MetadataImage } from '../../../src/metadata/image.js';
import { createTopics } from '../../../src/metadata/controller/create-topics.js';
import { DirectoryId, METADATA_TOPIC_ID } from '../../../src/metadata/controller/uuid.js';
import { clusterOf, logDir, partition, replay, topicOptions, typesOf, withTopic } from './support.js';

function topic(name: string, numPartitions = -1, replicationFactor = -1, init: Partial<CreateTopicsRequestCreatableTopic> = {}) {
  return createCreateTopicsRequestCreatableTopic({ name, numPartitions, replicationFactor, ...init });
}

function create(image: MetadataImage, topics: CreateTopicsRequestCreatableTopic[], options = topicOptions(), validateOnly = false) {
  return createTopics(image, createCreateTopicsRequest({ topics, validateOnly }), options);
}

function assignment(partitionIndex: number, brokerIds: number[]) {
  return createCreateTopicsRequestCreatableReplicaAssignment({ partitionIndex, brokerIds });
}

function errorOf(image: MetadataImage, t: CreateTopicsRequestCreatableTopic, options = topicOptions()) {
  const { response, records } = create(image, [t], options);
  expect(records).toEqual([]);
  return { code: response[0].errorCode, message: response[0].errorMessage };
}

describe('createTopics', () => {
  it('creates a topic with the broker defaults and answers with its id, partitions, replication and configs', () => {
    const image = clusterOf(1);
    const { response, records } = create(image, [topic('orders')], topicOptions({ defaultNumPartitions: 2 }));
    expect(typesOf(records)).toEqual(['TopicRecord', 'PartitionRecord', 'PartitionRecord']);
    const [result] = response;
    expect(result).toMatchObject({ name: 'orders', errorCode: 0, errorMessage: null, numPartitions: 2, replicationFactor: 1, configs: [] });
    const after = replay(image, records);
    expect(after.topicsByName.get('orders')!.id).toBe(result.topicId);
    expect(partition(after, 'orders', 1)).toMatchObject({
      replicas: [1], isr: [1], leader: 1, leaderEpoch: 0, partitionEpoch: 0, directories: [logDir(1)], leaderRecoveryState: 0,
    });
    expect(records.find((r) => r.type === MetadataRecordType.PartitionRecord)!.version).toBe(1);
  });

  it('draws Kafka-style random topic ids from the injected random source', () => {
    const image = clusterOf(1);
    const ids = (seed: number) => create(image, [topic('a'), topic('b')], topicOptions({ random: new SeededRandom(seed) })).response.map((r) => r.topicId);
    expect(ids(3)).toEqual(ids(3));
    expect(ids(3)).not.toEqual(ids(4));
    for (const id of [...ids(3), ...ids(4)]) {
      expect(id).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/);
      expect([ZERO_UUID, METADATA_TOPIC_ID]).not.toContain(id);
      const bytes = Buffer.from(id, 'base64url');
      expect(bytes[6] >> 4).toBe(4);
      expect(bytes[8] >> 6).toBe(2);
    }
  });

  it('uses an explicit partition count and replication factor, spreading leaders over the brokers', () => {
    const image = clusterOf(1, 2, 3);
    const { response, records } = create(image, [topic('orders', 6, 2)]);
    expect(response[0]).toMatchObject({ errorCode: 0, numPartitions: 6, replicationFactor: 2 });
    const after = replay(image, records);
    const partitions = [...after.topicsByName.get('orders')!.partitions.values()];
    for (const p of partitions) {
      expect(new Set(p.replicas).size).toBe(2);
      expect(p.isr).toEqual(p.replicas);
      expect(p.leader).toBe(p.replicas[0]);
    }
    const leaders = partitions.map((p) => p.leader);
    expect([1, 2, 3].map((id) => leaders.filter((l) => l === id).length)).toEqual([2, 2, 2]);
  });

  it('writes the config overrides between the TopicRecord and the PartitionRecords, and returns the described configs', () => {
    const image = clusterOf(1);
    const configs = [
      createCreateTopicsRequestCreatableTopicConfig({ name: 'retention.ms', value: '1000' }),
      createCreateTopicsRequestCreatableTopicConfig({ name: 'cleanup.policy', value: 'compact' }),
    ];
    const { response, records } = create(image, [topic('orders', 1, 1, { configs })]);
    expect(typesOf(records)).toEqual(['TopicRecord', 'ConfigRecord', 'ConfigRecord', 'PartitionRecord']);
    expect(response[0].configs!.map((c) => [c.name, c.value])).toEqual([['cleanup.policy', 'compact'], ['retention.ms', '1000']]);
    expect(Object.fromEntries(replay(image, records).topicConfigs('orders'))).toEqual({ 'retention.ms': '1000', 'cleanup.policy': 'compact' });
  });

  it('answers the config port error, and refuses null config values before asking the port', () => {
    const image = clusterOf(1);
    const refusing = topicOptions({
      validateTopicConfigs: () => ({ ok: false, error: new KafkaError('INVALID_CONFIG', ErrorCode.INVALID_CONFIG, 'retention.ms=x: not a long') }),
    });
    const config = (name: string, value: string | null) => createCreateTopicsRequestCreatableTopicConfig({ name, value });
    expect(errorOf(image, topic('t', 1, 1, { configs: [config('retention.ms', 'x')] }), refusing)).toEqual({
      code: ErrorCode.INVALID_CONFIG,
      message: 'retention.ms=x: not a long',
    });
    expect(errorOf(image, topic('t', 1, 1, { configs: [config('a', null), config('b', '1'), config('c', null)] }), refusing)).toEqual({
      code: ErrorCode.INVALID_CONFIG,
      message: 'Null value not supported for topic configs: a,c',
    });
  });

  it('refuses illegal topic names with Kafka messages', () => {
    const image = clusterOf(1);
    const invalid = (name: string) => errorOf(image, topic(name, 1, 1));
    expect(invalid('')).toEqual({ code: ErrorCode.INVALID_TOPIC_EXCEPTION, message: 'Topic name is invalid: the empty string is not allowed' });
    expect(invalid('.').message).toBe("Topic name is invalid: '.' is not allowed");
    expect(invalid('..').message).toBe("Topic name is invalid: '..' is not allowed");
    expect(invalid('x'.repeat(250)).message).toBe(`Topic name is invalid: the length of '${'x'.repeat(250)}' is longer than the max allowed length 249`);
    expect(invalid('a b').message).toBe("Topic name is invalid: 'a b' contains one or more characters other than ASCII alphanumerics, '.', '_' and '-'");
    expect(invalid('é').code).toBe(ErrorCode.INVALID_TOPIC_EXCEPTION);
    expect(create(image, [topic('x'.repeat(249), 1, 1)]).response[0].errorCode).toBe(0);
  });

  it('refuses an existing topic, and one colliding with another on "." and "_"', () => {
    const image = withTopic(clusterOf(1), 'web.clicks', 1, 1);
    expect(errorOf(image, topic('web.clicks'))).toEqual({ code: ErrorCode.TOPIC_ALREADY_EXISTS, message: "Topic 'web.clicks' already exists." });
    expect(errorOf(image, topic('web_clicks'))).toEqual({
      code: ErrorCode.INVALID_TOPIC_EXCEPTION,
      message: "Topic 'web_clicks' collides with existing topic: web.clicks",
    });
  });

  it('refuses a name colliding with a topic created earlier in the same request', () => {
    const { response, records } = create(clusterOf(1), [topic('a.b'), topic('a_b')]);
    expect(response.map((r) => r.errorCode)).toEqual([0, ErrorCode.INVALID_TOPIC_EXCEPTION]);
    expect(response[1].errorMessage).toBe("Topic 'a_b' collides with existing topic: a.b");
    expect(typesOf(records)).toEqual(['TopicRecord', 'PartitionRecord']);
  });

  it('answers a name given twice once, with INVALID_REQUEST, and creates the others', () => {
    const { response, records } = create(clusterOf(1), [topic('dup'), topic('other'), topic('dup', 3, 1)]);
    expect(response.map((r) => [r.name, r.errorCode, r.errorMessage])).toEqual([
      ['dup', ErrorCode.INVALID_REQUEST, 'Duplicate topic name.'],
      ['other', 0, null],
    ]);
    expect(typesOf(records)).toEqual(['TopicRecord', 'PartitionRecord']);
  });

  it('refuses __cluster_metadata but creates the other internal topics', () => {
    const image = clusterOf(1);
    expect(errorOf(image, topic('__cluster_metadata'))).toEqual({
      code: ErrorCode.INVALID_REQUEST,
      message: 'Creation of internal topic __cluster_metadata is prohibited.',
    });
    const { response } = create(image, [topic('__consumer_offsets', 50, 1), topic('__transaction_state', 50, 1)]);
    expect(response.map((r) => r.errorCode)).toEqual([0, 0]);
  });

  it('refuses non-positive partition counts and replication factors other than -1', () => {
    const image = clusterOf(1);
    const badFactor = { code: ErrorCode.INVALID_REPLICATION_FACTOR, message: 'Replication factor must be larger than 0, or -1 to use the default value.' };
    const badCount = { code: ErrorCode.INVALID_PARTITIONS, message: 'Number of partitions was set to an invalid non-positive value.' };
    expect(errorOf(image, topic('t', 1, 0))).toEqual(badFactor);
    expect(errorOf(image, topic('t', 1, -2))).toEqual(badFactor);
    expect(errorOf(image, topic('t', 0, 1))).toEqual(badCount);
    expect(errorOf(image, topic('t', -5, 1))).toEqual(badCount);
    expect(errorOf(image, topic('t', 0, 0))).toEqual(badFactor);
  });

  it('refuses a replication factor the registered brokers cannot meet', () => {
    expect(errorOf(clusterOf(1), topic('t', 1, 3))).toEqual({
      code: ErrorCode.INVALID_REPLICATION_FACTOR,
      message: 'Unable to replicate the partition 3 time(s): The target replication factor of 3 cannot be reached because only 1 broker(s) are registered.',
    });
    expect(errorOf(clusterOf(1), topic('t'), topicOptions({ defaultReplicationFactor: 2 })).message).toBe(
      'Unable to replicate the partition 2 time(s): The target replication factor of 2 cannot be reached because only 1 broker(s) are registered.',
    );
    const allFenced = { code: ErrorCode.INVALID_REPLICATION_FACTOR, message: 'Unable to replicate the partition 1 time(s): All brokers are currently fenced.' };
    expect(errorOf(clusterOf({ id: 1, fenced: true }), topic('t'))).toEqual(allFenced);
    expect(errorOf(clusterOf(), topic('t'))).toEqual(allFenced);
  });

  it('places followers on fenced brokers when there are too few unfenced ones, and keeps them out of the ISR', () => {
    const image = clusterOf(1, 2, { id: 3, fenced: true });
    const after = replay(image, create(image, [topic('t', 4, 3)]).records);
    for (const p of after.topicsByName.get('t')!.partitions.values()) {
      expect([...p.replicas].sort()).toEqual([1, 2, 3]);
      expect(p.replicas[2]).toBe(3);
      expect(p.isr).toEqual(p.replicas.slice(0, 2));
      expect(p.leader).not.toBe(3);
    }
  });

  it('never places replicas on a broker in controlled shutdown', () => {
    const image = clusterOf(1, 2, { id: 3, inControlledShutdown: true });
    expect(errorOf(image, topic('t', 1, 3)).message).toBe(
      'Unable to replicate the partition 3 time(s): The target replication factor of 3 cannot be reached because only 2 broker(s) are registered.',
    );
    const after = replay(image, create(image, [topic('t', 8, 2)]).records);
    for (const p of after.topicsByName.get('t')!.partitions.values()) expect(p.replicas).not.toContain(3);
  });

  it('starts replicas in the broker\'s only directory, UNASSIGNED with several, MIGRATING with none', () => {
    const image = clusterOf({ id: 1, logDirs: [logDir(1), logDir(1, 1)] }, { id: 2, logDirs: [] }, 3);
    const { records } = create(image, [topic('t', -1, -1, { assignments: [assignment(0, [1, 2, 3])] })]);
    expect(partition(replay(image, records), 't', 0).directories).toEqual([DirectoryId.UNASSIGNED, DirectoryId.MIGRATING, logDir(3)]);
  });

  describe('with a manual assignment', () => {
    const image = clusterOf(1, 2, 3, { id: 4, fenced: true });
    const manual = (...assignments: [number, number[]][]) => topic('t', -1, -1, { assignments: assignments.map(([p, ids]) => assignment(p, ids)) });
    const invalidAssignment = (message: string) => ({ code: ErrorCode.INVALID_REPLICA_ASSIGNMENT, message });

    it('keeps the replica order, leads with the first active replica and leaves fenced ones out of the ISR', () => {
      const { response, records } = create(image, [manual([1, [4, 3]], [0, [2, 1]])]);
      expect(response[0]).toMatchObject({ errorCode: 0, numPartitions: 2, replicationFactor: 2 });
      const after = replay(image, records);
      expect(partition(after, 't', 0)).toMatchObject({ replicas: [2, 1], isr: [2, 1], leader: 2 });
      expect(partition(after, 't', 1)).toMatchObject({ replicas: [4, 3], isr: [3], leader: 3 });
    });

    it('refuses a partition count or replication factor given with it', () => {
      expect(errorOf(image, { ...manual([0, [1]]), replicationFactor: 1 })).toEqual({
        code: ErrorCode.INVALID_REQUEST,
        message: 'A manual partition assignment was specified, but replication factor was not set to -1.',
      });
      expect(errorOf(image, { ...manual([0, [1]]), numPartitions: 1 })).toEqual({
        code: ErrorCode.INVALID_REQUEST,
        message: 'A manual partition assignment was specified, but numPartitions was not set to -1.',
      });
    });

    it('refuses invalid assignments with Kafka messages', () => {
      expect(errorOf(image, manual([0, [1]], [0, [2]]))).toEqual(invalidAssignment('Found multiple manual partition assignments for partition 0'));
      expect(errorOf(image, manual([0, []]))).toEqual(invalidAssignment('The manual partition assignment includes an empty replica list.'));
      expect(errorOf(image, manual([0, [1, 9]]))).toEqual(
        invalidAssignment('The manual partition assignment includes broker 9, but no such broker is registered.'),
      );
      expect(errorOf(image, manual([0, [2, 1, 2]]))).toEqual(invalidAssignment('The manual partition assignment includes the broker 2 more than once.'));
      expect(errorOf(image, manual([0, [1, 2]], [1, [3]]))).toEqual(
        invalidAssignment(
          'The manual partition assignment includes a partition with 1 replica(s), but this is not consistent with previous partitions, which have 2 replica(s).',
        ),
      );
      expect(errorOf(image, manual([0, [1]], [2, [2]]))).toEqual(invalidAssignment('partitions should be a consecutive 0-based integer sequence'));
      expect(errorOf(image, manual([0, [4]]))).toEqual(
        invalidAssignment('All brokers specified in the manual partition assignment for partition 0 are fenced or in controlled shutdown.'),
      );
    });
  });

  it('answers validateOnly as it would create, with the zero topic id and no records', () => {
    const image = clusterOf(1);
    const { response, records } = create(image, [topic('t', 3, 1), topic('t.x', 1, 7)], topicOptions(), true);
    expect(records).toEqual([]);
    expect(response.map((r) => [r.errorCode, r.topicId, r.numPartitions])).toEqual([
      [0, ZERO_UUID, 3],
      [ErrorCode.INVALID_REPLICATION_FACTOR, ZERO_UUID, -1],
    ]);
  });

  it('fails the whole request when it would write more than 10000 records', () => {
    const image = clusterOf(1);
    const policy = { errorCode: ErrorCode.POLICY_VIOLATION, errorMessage: 'Unable to perform excessively large batch operation.' };
    const huge = create(image, [topic('a', 1, 1), topic('b', 2_000_000_000, 1), topic('c'), topic('c')]);
    expect(huge.records).toEqual([]);
    expect(huge.response.map((r) => ({ name: r.name, errorCode: r.errorCode, errorMessage: r.errorMessage }))).toEqual([
      { name: 'a', ...policy },
      { name: 'b', ...policy },
      { name: 'c', ...policy },
    ]);
    expect(create(image, [topic('a', 5000, 1), topic('b', 4998, 1)]).records).toHaveLength(10_000);
    expect(create(image, [topic('a', 5000, 1), topic('b', 4999, 1)]).response[0]).toMatchObject(policy);
    expect(errorOf(image, topic('c', 2_000_000_000, 5)).code).toBe(ErrorCode.INVALID_REPLICATION_FACTOR);
  });
});
