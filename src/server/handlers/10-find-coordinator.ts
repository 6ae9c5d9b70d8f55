import { coordinatorPartitionFor } from '../../util/coordinator-partition.js';
import { GROUP_METADATA_TOPIC_NAME, TRANSACTION_STATE_TOPIC_NAME } from '../../metadata/controller/topic-names.js';
import { FindCoordinatorApi } from '../../protocol/generated/apis.js';
import { createFindCoordinatorResponse, type FindCoordinatorResponseCoordinator } from '../../protocol/generated/clients/find-coordinator-response.js';
import { ERRORS, ErrorCode } from '../../protocol/generated/error-codes.js';
import type { ReplicaManager } from '../../replication/replica-manager.js';
import type { BrokerServices } from '../broker-services.js';
import { ensureInternalTopic, type InternalTopicName } from '../internal-topics.js';
import type { ApiHandler } from './handler.js';

/** FindCoordinator key types: consumer groups, transactional ids, share groups (v6). */
const KEY_TYPE_TOPICS: Readonly<Record<number, InternalTopicName>> = { 0: GROUP_METADATA_TOPIC_NAME, 1: TRANSACTION_STATE_TOPIC_NAME };
const SHARE_KEY_TYPE = 2;
/** Batched keys (KIP-699) start at v4. */
const FIRST_BATCHED_VERSION = 4;

type Coordinator = Omit<FindCoordinatorResponseCoordinator, 'key'>;

/**
 * FindCoordinator v0-6: the broker leading the partition of the coordinator's internal topic that
 * the key hashes to, creating the topic on first use as Kafka does. v4+ answers a batch of keys.
 */
export function findCoordinatorHandler(services: BrokerServices, replicas: ReplicaManager): ApiHandler<10> {
  const failed = (errorCode: number, errorMessage: string | null = ERRORS.get(errorCode)?.message ?? null): Coordinator => ({
    nodeId: -1,
    host: '',
    port: -1,
    errorCode,
    errorMessage,
  });

  const find = async (key: string, keyType: number, listenerName: string): Promise<Coordinator> => {
    if (keyType === SHARE_KEY_TYPE) return failed(ErrorCode.INVALID_REQUEST, 'Share groups are not supported by this broker.');
    const topic = KEY_TYPE_TOPICS[keyType];
    if (topic === undefined) return failed(ErrorCode.INVALID_REQUEST, `Unknown coordinator key type ${keyType}.`);
    const created = await ensureInternalTopic(services, topic);
    if (created !== ErrorCode.NONE) return failed(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    const partitionCount = services.image().topicsByName.get(topic)?.partitions.size ?? 0;
    if (partitionCount === 0) return failed(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    const { node } = replicas.currentLeader({ topic, partition: coordinatorPartitionFor(key, partitionCount) }, listenerName);
    if (node === null) return failed(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    return { nodeId: node.nodeId, host: node.host, port: node.port, errorCode: ErrorCode.NONE, errorMessage: null };
  };

  return {
    api: FindCoordinatorApi,
    minVersion: 0,
    maxVersion: 6,
    async handle(request, { apiVersion, connection }) {
      if (apiVersion >= FIRST_BATCHED_VERSION) {
        const coordinators = [];
        for (const key of request.coordinatorKeys) {
          coordinators.push({ key, ...(await find(key, request.keyType, connection.listenerName)) });
        }
        return createFindCoordinatorResponse({ coordinators });
      }
      const found = await find(request.key, request.keyType, connection.listenerName);
      return createFindCoordinatorResponse({ ...found, errorMessage: found.errorCode === ErrorCode.NONE ? null : found.errorMessage });
    },
  };
}
