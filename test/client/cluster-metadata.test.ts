import { describe, expect, it } from 'vitest';
import { ClusterMetadata } from '../../src/client/cluster-metadata.js';
import {
  createMetadataResponse,
  createMetadataResponseBroker,
  createMetadataResponsePartition,
  createMetadataResponseTopic,
} from '../../src/protocol/generated/clients/metadata-response.js';
import { ErrorCode } from '../../src/protocol/generated/error-codes.js';

const metadata = ClusterMetadata.fromResponse(
  createMetadataResponse({
    clusterId: 'c1',
    controllerId: 1,
    brokers: [1, 2].map((nodeId) => createMetadataResponseBroker({ nodeId, host: `kafka-${nodeId}`, port: 9092 })),
    topics: [
      createMetadataResponseTopic({
        name: 'orders',
        partitions: [
          createMetadataResponsePartition({ partitionIndex: 0, leaderId: 2, replicaNodes: [2, 1], isrNodes: [2] }),
          createMetadataResponsePartition({ partitionIndex: 1, leaderId: -1, errorCode: ErrorCode.LEADER_NOT_AVAILABLE }),
          createMetadataResponsePartition({ partitionIndex: 2, leaderId: 7 }),
        ],
      }),
      createMetadataResponseTopic({ name: 'secret', errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED }),
    ],
  }),
  1_000,
);

describe('ClusterMetadata', () => {
  it('keeps brokers, controller, cluster id and partitions', () => {
    expect(metadata.clusterId).toBe('c1');
    expect(metadata.controllerId).toBe(1);
    expect(metadata.brokers.get(2)).toEqual({ nodeId: 2, host: 'kafka-2', port: 9092, rack: null });
    expect(metadata.topic('orders').partitions.get(0)).toMatchObject({ leaderId: 2, replicas: [2, 1], isr: [2] });
    expect(metadata.leaderId('orders', 0)).toBe(2);
  });

  it('says why there is no leader to send to', () => {
    expect(() => metadata.leaderId('orders', 1)).toThrow('leader of orders-1: LEADER_NOT_AVAILABLE');
    expect(() => metadata.leaderId('orders', 2)).toThrow('leader of orders-2: LEADER_NOT_AVAILABLE');
    expect(() => metadata.leaderId('orders', 3)).toThrow('leader of orders-3: UNKNOWN_TOPIC_OR_PARTITION');
    expect(() => metadata.leaderId('missing', 0)).toThrow('metadata for topic missing: UNKNOWN_TOPIC_OR_PARTITION');
    expect(() => metadata.leaderId('secret', 0)).toThrow('metadata for topic secret: TOPIC_AUTHORIZATION_FAILED');
  });
});
