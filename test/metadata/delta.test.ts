import { describe, expect, it } from 'vitest';
import { MetadataDelta, MetadataReplayError, NO_LEADER_CHANGE } from '../../src/metadata/delta.js';
import { MetadataImage } from '../../src/metadata/image.js';
import { ConfigResourceType } from '../../src/protocol/config-resource-type.js';
import { createConfigRecord } from '../../src/protocol/generated/metadata/config-record.js';
import { createFenceBrokerRecord } from '../../src/protocol/generated/metadata/fence-broker-record.js';
import { createPartitionChangeRecord } from '../../src/protocol/generated/metadata/partition-change-record.js';
import { createPartitionRecord } from '../../src/protocol/generated/metadata/partition-record.js';
import { createBrokerRegistrationChangeRecord } from '../../src/protocol/generated/metadata/broker-registration-change-record.js';
import { createRegisterBrokerRecord, createRegisterBrokerRecordBrokerEndpoint } from '../../src/protocol/generated/metadata/register-broker-record.js';
import { createRemoveTopicRecord } from '../../src/protocol/generated/metadata/remove-topic-record.js';
import { createTopicRecord } from '../../src/protocol/generated/metadata/topic-record.js';
import { createFeatureLevelRecord } from '../../src/protocol/generated/metadata/feature-level-record.js';
import { createProducerIdsRecord } from '../../src/protocol/generated/metadata/producer-ids-record.js';
import { MetadataRecordType, type MetadataRecord } from '../../src/protocol/generated/records.js';

const TOPIC_ID = 'AAAAAAAAAAAAAAAAAAAAAQ';

function replayAll(base: MetadataImage, records: MetadataRecord[]): MetadataImage {
  const delta = new MetadataDelta(base);
  records.forEach((r, i) => delta.replay(r, base.offset + 1 + i));
  return delta.apply();
}

const topicRecords: MetadataRecord[] = [
  { type: MetadataRecordType.TopicRecord, version: 0, data: createTopicRecord({ name: 'orders', topicId: TOPIC_ID }) },
  ...[0, 1].map((partitionId): MetadataRecord => ({
    type: MetadataRecordType.PartitionRecord,
    version: 1,
    data: createPartitionRecord({ partitionId, topicId: TOPIC_ID, replicas: [1], isr: [1], leader: 1, leaderEpoch: 0, partitionEpoch: 0 }),
  })),
];

describe('MetadataDelta', () => {
  it('builds topics and partitions, indexed by id and by name', () => {
    const image = replayAll(MetadataImage.EMPTY, topicRecords);
    expect(image.offset).toBe(2);
    expect(image.topicsByName.get('orders')?.id).toBe(TOPIC_ID);
    expect([...image.topicsById.get(TOPIC_ID)!.partitions.keys()]).toEqual([0, 1]);
  });

  it('leaves the base image untouched', () => {
    const first = replayAll(MetadataImage.EMPTY, topicRecords);
    const second = replayAll(first, [
      { type: MetadataRecordType.PartitionChangeRecord, version: 0, data: createPartitionChangeRecord({ topicId: TOPIC_ID, partitionId: 0, leader: -1 }) },
    ]);
    expect(first.topicsById.get(TOPIC_ID)!.partitions.get(0)!.leader).toBe(1);
    expect(second.topicsById.get(TOPIC_ID)!.partitions.get(0)!.leader).toBe(-1);
    expect(second.topicsById.get(TOPIC_ID)!.partitions.get(1)).toBe(first.topicsById.get(TOPIC_ID)!.partitions.get(1));
    expect(MetadataImage.EMPTY.topicsById.size).toBe(0);
  });

  it('bumps the leader epoch only when the leader field is set, and the partition epoch always', () => {
    const base = replayAll(MetadataImage.EMPTY, topicRecords);
    const isrOnly = replayAll(base, [
      { type: MetadataRecordType.PartitionChangeRecord, version: 0, data: createPartitionChangeRecord({ topicId: TOPIC_ID, partitionId: 0, isr: [], leader: NO_LEADER_CHANGE }) },
    ]).topicsById.get(TOPIC_ID)!.partitions.get(0)!;
    expect(isrOnly).toMatchObject({ leader: 1, isr: [], leaderEpoch: 0, partitionEpoch: 1, replicas: [1] });
    const newLeader = replayAll(base, [
      { type: MetadataRecordType.PartitionChangeRecord, version: 0, data: createPartitionChangeRecord({ topicId: TOPIC_ID, partitionId: 0, leader: 1 }) },
    ]).topicsById.get(TOPIC_ID)!.partitions.get(0)!;
    expect(newLeader).toMatchObject({ leader: 1, leaderEpoch: 1, partitionEpoch: 1, isr: [1] });
  });

  it('sets and deletes config overrides, and drops a deleted topic with its configs', () => {
    const config = (name: string, value: string | null): MetadataRecord => ({
      type: MetadataRecordType.ConfigRecord,
      version: 0,
      data: createConfigRecord({ resourceType: ConfigResourceType.TOPIC, resourceName: 'orders', name, value }),
    });
    const withConfigs = replayAll(MetadataImage.EMPTY, [...topicRecords, config('retention.ms', '1000'), config('cleanup.policy', 'compact'), config('retention.ms', null)]);
    expect([...withConfigs.topicConfigs('orders')]).toEqual([['cleanup.policy', 'compact']]);
    const removed = replayAll(withConfigs, [{ type: MetadataRecordType.RemoveTopicRecord, version: 0, data: createRemoveTopicRecord({ topicId: TOPIC_ID }) }]);
    expect(removed.topicsByName.has('orders')).toBe(false);
    expect(removed.topicConfigs('orders').size).toBe(0);
  });

  it('registers, fences, unfences and changes brokers', () => {
    const register: MetadataRecord = {
      type: MetadataRecordType.RegisterBrokerRecord,
      version: 3,
      data: createRegisterBrokerRecord({
        brokerId: 1,
        brokerEpoch: 10,
        fenced: true,
        endPoints: [createRegisterBrokerRecordBrokerEndpoint({ name: 'PLAINTEXT', host: 'localhost', port: 9092, securityProtocol: 0 })],
      }),
    };
    const registered = replayAll(MetadataImage.EMPTY, [register]);
    expect(registered.brokers.get(1)).toMatchObject({ epoch: 10, fenced: true, endpoints: [{ host: 'localhost', port: 9092 }] });
    const unfenced = replayAll(registered, [
      { type: MetadataRecordType.BrokerRegistrationChangeRecord, version: 0, data: createBrokerRegistrationChangeRecord({ brokerId: 1, brokerEpoch: 10, fenced: -1 }) },
    ]);
    expect(unfenced.brokers.get(1)!.fenced).toBe(false);
    const fenced = replayAll(unfenced, [{ type: MetadataRecordType.FenceBrokerRecord, version: 0, data: createFenceBrokerRecord({ id: 1, epoch: 10 }) }]);
    expect(fenced.brokers.get(1)!.fenced).toBe(true);
  });

  it('tracks feature levels and the next producer id', () => {
    const image = replayAll(MetadataImage.EMPTY, [
      { type: MetadataRecordType.FeatureLevelRecord, version: 0, data: createFeatureLevelRecord({ name: 'metadata.version', featureLevel: 21 }) },
      { type: MetadataRecordType.ProducerIdsRecord, version: 0, data: createProducerIdsRecord({ brokerId: 1, nextProducerId: 1000 }) },
    ]);
    expect(image.features.get('metadata.version')).toBe(21);
    expect(image.nextProducerId).toBe(1000);
    const removed = replayAll(image, [{ type: MetadataRecordType.FeatureLevelRecord, version: 0, data: createFeatureLevelRecord({ name: 'metadata.version', featureLevel: 0 }) }]);
    expect(removed.features.has('metadata.version')).toBe(false);
  });

  it('rejects records that contradict the image', () => {
    const delta = new MetadataDelta(MetadataImage.EMPTY);
    expect(() => delta.replay(topicRecords[1], 0)).toThrow(MetadataReplayError);
    delta.replay(topicRecords[0], 0);
    expect(() => delta.replay(topicRecords[0], 1)).toThrow(/already exists/);
    expect(() => delta.replay({ type: MetadataRecordType.FenceBrokerRecord, version: 0, data: createFenceBrokerRecord({ id: 9 }) }, 2)).toThrow(/unregistered broker 9/);
  });
});
