import { createTopics } from '../../metadata/controller/create-topics.js';
import { isInternalTopic } from '../../metadata/controller/topic-names.js';
import type { MetadataImage, TopicImage } from '../../metadata/image.js';
import { ZERO_UUID } from '../../protocol/codec-runtime.js';
import { MetadataApi } from '../../protocol/generated/apis.js';
import { createCreateTopicsRequest, createCreateTopicsRequestCreatableTopic } from '../../protocol/generated/clients/create-topics-request.js';
import type { MetadataRequest } from '../../protocol/generated/clients/metadata-request.js';
import {
  type MetadataResponseBroker,
  type MetadataResponseTopic,
  createMetadataResponse,
  createMetadataResponseBroker,
  createMetadataResponsePartition,
  createMetadataResponseTopic,
} from '../../protocol/generated/clients/metadata-response.js';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import { AUTHORIZED_OPERATIONS_OMITTED, CLUSTER_OPERATIONS, TOPIC_OPERATIONS } from '../authorized-operations.js';
import { type BrokerServices, brokerConfig } from '../broker-services.js';
import { offlineReplicas, partitionErrorCode, reachableBrokers, sortedPartitions } from '../metadata-view.js';
import { ensureInternalTopic, isCoordinatorTopic } from '../internal-topics.js';
import { topicCreationOptions } from '../topic-creation.js';
import type { ApiHandler } from './handler.js';

/** The unfenced brokers, each at its endpoint for the listener the request came in on. */
function aliveBrokers(image: MetadataImage, listenerName: string): MetadataResponseBroker[] {
  return reachableBrokers(image, listenerName).map(({ broker, endpoint }) =>
    createMetadataResponseBroker({ nodeId: broker.id, host: endpoint.host, port: endpoint.port, rack: broker.rack }),
  );
}

function describeTopic(image: MetadataImage, topic: TopicImage, includeOperations: boolean): MetadataResponseTopic {
  const partitions = sortedPartitions(topic.partitions).map((p) =>
      createMetadataResponsePartition({
        errorCode: partitionErrorCode(image, p),
        partitionIndex: p.partitionId,
        leaderId: p.leader,
        leaderEpoch: p.leaderEpoch,
        replicaNodes: [...p.replicas],
        isrNodes: [...p.isr],
        offlineReplicas: offlineReplicas(image, p),
      }),
  );
  return createMetadataResponseTopic({
    errorCode: ErrorCode.NONE,
    name: topic.name,
    topicId: topic.id,
    isInternal: isInternalTopic(topic.name),
    partitions,
    topicAuthorizedOperations: includeOperations ? TOPIC_OPERATIONS : AUTHORIZED_OPERATIONS_OMITTED,
  });
}

function missingTopic(name: string | null, topicId: string, errorCode: number): MetadataResponseTopic {
  return createMetadataResponseTopic({ errorCode, name, topicId, partitions: [] });
}

/** The topic names asked for, or null for every topic (v0's empty list, and null from v1). */
function requestedNames(request: MetadataRequest, version: number): Array<{ name: string | null; topicId: string }> | null {
  if (request.topics === null || (version === 0 && request.topics.length === 0)) return null;
  return request.topics.map((t) => ({ name: t.name, topicId: t.topicId }));
}

export function metadataHandler(services: BrokerServices): ApiHandler<3> {
  /** Creates the named topics with the broker's defaults; resolves with the image that has them. */
  const autoCreate = async (names: string[]): Promise<Map<string, number>> => {
    // The coordinators' topics are created with their own partition counts and configs, as Kafka's
    // AutoTopicCreationManager does.
    const created = new Map<string, number>();
    for (const name of names) if (isCoordinatorTopic(name)) created.set(name, await ensureInternalTopic(services, name));
    const request = createCreateTopicsRequest({
      topics: names
        .filter((name) => !isCoordinatorTopic(name))
        .map((name) => createCreateTopicsRequestCreatableTopic({ name, numPartitions: -1, replicationFactor: -1 })),
    });
    if (request.topics.length === 0) return created;
    const results = await services.controller.write((image) => createTopics(image, request, topicCreationOptions(services, image)));
    for (const r of results) created.set(r.name, r.errorCode);
    return created;
  };

  return {
    api: MetadataApi,
    minVersion: 0,
    maxVersion: 12,
    async handle(request, { apiVersion, connection }) {
      const includeOperations = apiVersion >= 8 && request.includeTopicAuthorizedOperations;
      const wanted = requestedNames(request, apiVersion);
      let image = services.image();
      const autoCreateAllowed = request.allowAutoTopicCreation && brokerConfig(services, image)['auto.create.topics.enable'];
      const creationErrors = new Map<string, number>();
      if (wanted !== null && autoCreateAllowed) {
        const missing = wanted.flatMap((t) => (t.name !== null && !image.topicsByName.has(t.name) ? [t.name] : []));
        if (missing.length > 0) {
          for (const [name, code] of await autoCreate([...new Set(missing)])) creationErrors.set(name, code);
          image = services.image();
        }
      }

      let topics: MetadataResponseTopic[];
      if (wanted === null) {
        topics = [...image.topicsByName.values()].map((t) => describeTopic(image, t, includeOperations));
      } else {
        topics = wanted.map(({ name, topicId }) => {
          const topic = name !== null ? image.topicsByName.get(name) : image.topicsById.get(topicId);
          if (topic) return describeTopic(image, topic, includeOperations);
          if (name === null) return missingTopic(null, topicId, ErrorCode.UNKNOWN_TOPIC_ID);
          const creationError = creationErrors.get(name);
          const errorCode =
            creationError === ErrorCode.INVALID_TOPIC_EXCEPTION ? ErrorCode.INVALID_TOPIC_EXCEPTION : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
          return missingTopic(name, ZERO_UUID, errorCode);
        });
      }

      return createMetadataResponse({
        brokers: aliveBrokers(image, connection.listenerName),
        clusterId: services.clusterId,
        controllerId: services.nodeId,
        topics,
        clusterAuthorizedOperations:
          apiVersion >= 8 && apiVersion <= 10 && request.includeClusterAuthorizedOperations ? CLUSTER_OPERATIONS : AUTHORIZED_OPERATIONS_OMITTED,
      });
    },
  };
}
