import type { MetadataResponse } from '../protocol/generated/clients/metadata-response.js';
import { ErrorCode } from '../protocol/generated/error-codes.js';
import { KafkaProtocolError } from './errors.js';

export interface BrokerNode {
  readonly nodeId: number;
  readonly host: string;
  readonly port: number;
  readonly rack: string | null;
}

export interface PartitionMetadata {
  readonly partition: number;
  readonly errorCode: number;
  /** -1 while the partition has no leader. */
  readonly leaderId: number;
  readonly leaderEpoch: number;
  readonly replicas: readonly number[];
  readonly isr: readonly number[];
  readonly offlineReplicas: readonly number[];
}

export interface TopicMetadata {
  readonly name: string;
  readonly topicId: string;
  readonly errorCode: number;
  readonly isInternal: boolean;
  /** By partition index. */
  readonly partitions: ReadonlyMap<number, PartitionMetadata>;
}

/** One Metadata response, as the client routes by it: brokers, controller, topics and leaders. */
export class ClusterMetadata {
  private constructor(
    readonly clusterId: string | null,
    /** -1 when the broker named none. */
    readonly controllerId: number,
    readonly brokers: ReadonlyMap<number, BrokerNode>,
    readonly topics: ReadonlyMap<string, TopicMetadata>,
    /** Clock time of the refresh, for metadata.max.age.ms. */
    readonly fetchedAt: number,
  ) {}

  static fromResponse(response: MetadataResponse, fetchedAt: number): ClusterMetadata {
    const brokers = new Map(response.brokers.map((b) => [b.nodeId, { nodeId: b.nodeId, host: b.host, port: b.port, rack: b.rack }]));
    const topics = new Map<string, TopicMetadata>();
    for (const t of response.topics) {
      if (t.name === null) continue;
      const partitions = new Map(
        t.partitions.map((p) => [
          p.partitionIndex,
          {
            partition: p.partitionIndex,
            errorCode: p.errorCode,
            leaderId: p.leaderId,
            leaderEpoch: p.leaderEpoch,
            replicas: p.replicaNodes,
            isr: p.isrNodes,
            offlineReplicas: p.offlineReplicas,
          },
        ]),
      );
      topics.set(t.name, { name: t.name, topicId: t.topicId, errorCode: t.errorCode, isInternal: t.isInternal, partitions });
    }
    return new ClusterMetadata(response.clusterId, response.controllerId, brokers, topics, fetchedAt);
  }

  /**
   * The topic, or a KafkaProtocolError: the topic's own error from the broker, or
   * UNKNOWN_TOPIC_OR_PARTITION when the response did not mention it.
   */
  topic(name: string): TopicMetadata {
    const topic = this.topics.get(name);
    if (!topic) throw new KafkaProtocolError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `metadata for topic ${name}`);
    if (topic.errorCode !== ErrorCode.NONE) throw new KafkaProtocolError(topic.errorCode, `metadata for topic ${name}`);
    return topic;
  }

  /**
   * The node id of the partition's leader, or a KafkaProtocolError saying why there is none to
   * send to (the partition's error, else LEADER_NOT_AVAILABLE); all of these are retriable.
   */
  leaderId(topic: string, partition: number): number {
    const context = `leader of ${topic}-${partition}`;
    const p = this.topic(topic).partitions.get(partition);
    if (!p) throw new KafkaProtocolError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, context);
    if (p.leaderId >= 0 && this.brokers.has(p.leaderId)) return p.leaderId;
    throw new KafkaProtocolError(p.errorCode !== ErrorCode.NONE ? p.errorCode : ErrorCode.LEADER_NOT_AVAILABLE, context);
  }
}
