import { FindCoordinatorApi, MetadataApi } from '../../../src/protocol/generated/apis.js';
import { createFindCoordinatorResponse, createFindCoordinatorResponseCoordinator } from '../../../src/protocol/generated/clients/find-coordinator-response.js';
import {
  type MetadataResponse,
  createMetadataResponse,
  createMetadataResponseBroker,
  createMetadataResponsePartition,
  createMetadataResponseTopic,
} from '../../../src/protocol/generated/clients/metadata-response.js';
import { ErrorCode } from '../../../src/protocol/generated/error-codes.js';
import { FakeBroker } from './fake-broker.js';

export interface TopicLayout {
  /** A topic-level error to report instead of partitions. */
  readonly errorCode?: number;
  /** Leader node id by partition index; -1 for none. */
  readonly leaders: readonly number[];
}

/**
 * Several fake brokers (node ids 1..n) that answer Metadata and FindCoordinator from one shared,
 * mutable layout: tests move leaders, the controller or coordinators by changing it.
 */
export class FakeCluster {
  readonly clusterId = 'fake-cluster';
  controllerId = 1;
  readonly topics = new Map<string, TopicLayout>();
  /** Coordinator node id by coordinator key; a missing key gets COORDINATOR_NOT_AVAILABLE. */
  readonly coordinators = new Map<string, number>();

  private constructor(readonly brokers: readonly FakeBroker[]) {
    for (const broker of brokers) {
      broker.on(MetadataApi, (request) => this.metadata(request.topics?.map((t) => t.name!) ?? null));
      broker.on(FindCoordinatorApi, (request, { version }) => {
        if (version < 4) return createFindCoordinatorResponse(this.coordinatorOf(request.key));
        return createFindCoordinatorResponse({
          coordinators: request.coordinatorKeys.map((key) => createFindCoordinatorResponseCoordinator({ key, ...this.coordinatorOf(key) })),
        });
      });
    }
  }

  static async start(size: number): Promise<FakeCluster> {
    const brokers = await Promise.all(Array.from({ length: size }, () => FakeBroker.start()));
    return new FakeCluster(brokers);
  }

  /** The broker with this node id (1-based). */
  broker(nodeId: number): FakeBroker {
    return this.brokers[nodeId - 1];
  }

  get bootstrapServers(): string {
    return this.brokers.map((b) => b.address).join(',');
  }

  /** Metadata requests answered by all brokers together. */
  metadataRequests(): number {
    return this.brokers.reduce((n, b) => n + b.count(MetadataApi), 0);
  }

  async stop(): Promise<void> {
    await Promise.all(this.brokers.map((b) => b.stop()));
  }

  metadata(topics: readonly string[] | null): MetadataResponse {
    const names = topics ?? [...this.topics.keys()];
    return createMetadataResponse({
      clusterId: this.clusterId,
      controllerId: this.controllerId,
      brokers: this.brokers.map((b, i) => createMetadataResponseBroker({ nodeId: i + 1, host: b.host, port: b.port })),
      topics: names.map((name) => {
        const layout = this.topics.get(name);
        if (!layout) return createMetadataResponseTopic({ name, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION });
        if (layout.errorCode) return createMetadataResponseTopic({ name, errorCode: layout.errorCode });
        return createMetadataResponseTopic({
          name,
          partitions: layout.leaders.map((leaderId, partitionIndex) =>
            createMetadataResponsePartition({
              partitionIndex,
              leaderId,
              errorCode: leaderId < 0 ? ErrorCode.LEADER_NOT_AVAILABLE : ErrorCode.NONE,
              replicaNodes: leaderId < 0 ? [] : [leaderId],
              isrNodes: leaderId < 0 ? [] : [leaderId],
            }),
          ),
        });
      }),
    });
  }

  private coordinatorOf(key: string): { nodeId: number; host: string; port: number; errorCode: number } {
    const nodeId = this.coordinators.get(key);
    if (nodeId === undefined) return { nodeId: -1, host: '', port: -1, errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE };
    const broker = this.broker(nodeId);
    return { nodeId, host: broker.host, port: broker.port, errorCode: ErrorCode.NONE };
  }
}
