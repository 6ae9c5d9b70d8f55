import { describe, expect, it } from 'vitest';
import {
  createCreatePartitionsRequest,
  createCreatePartitionsRequestCreatePartitionsAssignment,
  createCreatePartitionsRequestCreatePartitionsTopic,
} from '../../../src/protocol/generated/clients/create-partitions-request.js';
import { ErrorCode } from '../../../src/protocol/generated/error-codes.js';
import { createUnregisterBrokerRecord } from '../../../src/protocol/generated/metadata/unregister-broker-record.js';
import { MetadataRecordType } from '../../../src/protocol/generated/records.js';
import { SeededRandom } from '../../../src/util/random.js';
import { createPartitions } from '../../../src/metadata/controller/create-partitions.js';
import type { MetadataImage } from '../../../src/metadata/image.js';
import { clusterOf, fence, partition, replay, typesOf, withTopic } from './support.js';

const image = withTopic(clusterOf(1, 2, 3), 'orders', 2, 2);

function grow(base: MetadataImage, topics: [name: string, count: number, assignments?: number[][]][], validateOnly = false) {
  const request = createCreatePartitionsRequest({
    validateOnly,
    topics: topics.map(([name, count, assignments]) =>
      createCreatePartitionsRequestCreatePartitionsTopic({
        name,
        count,
        assignments: assignments?.map((brokerIds) => createCreatePartitionsRequestCreatePartitionsAssignment({ brokerIds })) ?? null,
      }),
    ),
  });
  return createPartitions(base, request, new SeededRandom(5));
}

function errorOf(base: MetadataImage, name: string, count: number, assignments?: number[][]) {
  const { response, records } = grow(base, [[name, count, assignments]]);
  expect(records).toEqual([]);
  return { code: response[0].errorCode, message: response[0].errorMessage };
}

describe('createPartitions', () => {
  it('adds partitions with the replication factor of the existing ones', () => {
    const { response, records } = grow(image, [['orders', 5]]);
    expect(response).toMatchObject([{ name: 'orders', errorCode: 0, errorMessage: null }]);
    expect(typesOf(records)).toEqual(['PartitionRecord', 'PartitionRecord', 'PartitionRecord']);
    const after = replay(image, records);
    expect([...after.topicsByName.get('orders')!.partitions.keys()]).toEqual([0, 1, 2, 3, 4]);
    for (const id of [2, 3, 4]) {
      const p = partition(after, 'orders', id);
      expect(new Set(p.replicas).size).toBe(2);
      expect(p).toMatchObject({ isr: p.replicas, leader: p.replicas[0], leaderEpoch: 0, partitionEpoch: 0 });
    }
  });

  it('only ever grows the partition count', () => {
    expect(errorOf(image, 'orders', 2)).toEqual({ code: ErrorCode.INVALID_PARTITIONS, message: 'Topic already has 2 partition(s).' });
    expect(errorOf(image, 'orders', 1)).toEqual({
      code: ErrorCode.INVALID_PARTITIONS,
      message: 'The topic orders currently has 2 partition(s); 1 would not be an increase.',
    });
  });

  it('answers an unknown topic with UNKNOWN_TOPIC_OR_PARTITION and no message', () => {
    expect(errorOf(image, 'nope', 3)).toEqual({ code: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, message: null });
  });

  it('places new partitions as assigned, checking the assignment', () => {
    const { records } = grow(image, [['orders', 4, [[3, 1], [2, 3]]]]);
    const after = replay(image, records);
    expect(partition(after, 'orders', 2)).toMatchObject({ replicas: [3, 1], isr: [3, 1], leader: 3 });
    expect(partition(after, 'orders', 3)).toMatchObject({ replicas: [2, 3], leader: 2 });

    const invalid = (message: string) => ({ code: ErrorCode.INVALID_REPLICA_ASSIGNMENT, message });
    expect(errorOf(image, 'orders', 4, [[1, 2]])).toEqual(invalid('Attempted to add 2 additional partition(s), but only 1 assignment(s) were specified.'));
    expect(errorOf(image, 'orders', 3, [[1]])).toEqual(
      invalid('The manual partition assignment includes a partition with 1 replica(s), but this is not consistent with previous partitions, which have 2 replica(s).'),
    );
    expect(errorOf(image, 'orders', 3, [[1, 7]])).toEqual(invalid('The manual partition assignment includes broker 7, but no such broker is registered.'));
    const fenced = fence(fence(image, 2), 3);
    expect(errorOf(fenced, 'orders', 4, [[1, 2], [2, 3]])).toEqual(
      invalid('All brokers specified in the manual partition assignment for partition 3 are fenced or in controlled shutdown.'),
    );
  });

  it('answers a replication factor the brokers can no longer meet with the placer\'s reason', () => {
    expect(errorOf(fence(fence(fence(image, 1), 2), 3), 'orders', 3)).toEqual({
      code: ErrorCode.INVALID_REPLICATION_FACTOR,
      message: 'All brokers are currently fenced.',
    });
    const wide = withTopic(image, 'wide', 1, 3);
    const unregister = createUnregisterBrokerRecord({ brokerId: 3, brokerEpoch: wide.brokers.get(3)!.epoch });
    const shrunk = replay(wide, [{ type: MetadataRecordType.UnregisterBrokerRecord, version: 0, data: unregister }]);
    expect(errorOf(shrunk, 'wide', 2)).toEqual({
      code: ErrorCode.INVALID_REPLICATION_FACTOR,
      message: 'The target replication factor of 3 cannot be reached because only 2 broker(s) are registered.',
    });
  });

  it('answers validateOnly without records, and a name given twice with INVALID_REQUEST', () => {
    const checked = grow(image, [['orders', 3]], true);
    expect(checked).toEqual({ response: [expect.objectContaining({ name: 'orders', errorCode: 0 })], records: [] });
    const { response, records } = grow(image, [['orders', 3], ['orders', 4]]);
    expect(records).toEqual([]);
    expect(response.map((r) => [r.name, r.errorCode, r.errorMessage])).toEqual([['orders', ErrorCode.INVALID_REQUEST, 'Duplicate topic name.']]);
  });

  it('fails the whole request when it would write more than 10000 records', () => {
    const two = withTopic(image, 'payments', 1, 1);
    const { response, records } = grow(two, [['payments', 2], ['orders', 2_000_000_000]]);
    expect(records).toEqual([]);
    expect(response.map((r) => [r.name, r.errorCode, r.errorMessage])).toEqual([
      ['payments', ErrorCode.POLICY_VIOLATION, 'Unable to perform excessively large batch operation.'],
      ['orders', ErrorCode.POLICY_VIOLATION, 'Unable to perform excessively large batch operation.'],
    ]);
  });
});
