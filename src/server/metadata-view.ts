import type { BrokerEndpoint, BrokerImage, MetadataImage, PartitionImage } from '../metadata/image.js';
import { ErrorCode } from '../protocol/generated/error-codes.js';

export function isAliveBroker(image: MetadataImage, brokerId: number): boolean {
  const broker = image.brokers.get(brokerId);
  return broker !== undefined && !broker.fenced;
}

/** The unfenced brokers that have an endpoint for `listenerName`, by id: clients reach them there. */
export function reachableBrokers(image: MetadataImage, listenerName: string): Array<{ broker: BrokerImage; endpoint: BrokerEndpoint }> {
  const out: Array<{ broker: BrokerImage; endpoint: BrokerEndpoint }> = [];
  for (const broker of image.brokers.values()) {
    const endpoint = broker.endpoints.find((e) => e.name === listenerName);
    if (!broker.fenced && endpoint) out.push({ broker, endpoint });
  }
  return out.sort((a, b) => a.broker.id - b.broker.id);
}

/** A partition's error in metadata answers: LEADER_NOT_AVAILABLE while it has no live leader. */
export function partitionErrorCode(image: MetadataImage, partition: PartitionImage): number {
  return partition.leader >= 0 && isAliveBroker(image, partition.leader) ? ErrorCode.NONE : ErrorCode.LEADER_NOT_AVAILABLE;
}

export function offlineReplicas(image: MetadataImage, partition: PartitionImage): number[] {
  return partition.replicas.filter((r) => !isAliveBroker(image, r));
}

export function sortedPartitions(partitions: ReadonlyMap<number, PartitionImage>): PartitionImage[] {
  return [...partitions.values()].sort((a, b) => a.partitionId - b.partitionId);
}
