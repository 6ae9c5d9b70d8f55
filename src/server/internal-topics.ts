import { createTopics } from '../metadata/controller/create-topics.js';
import { GROUP_METADATA_TOPIC_NAME, TRANSACTION_STATE_TOPIC_NAME } from '../metadata/controller/topic-names.js';
import { createCreateTopicsRequest, createCreateTopicsRequestCreatableTopic } from '../protocol/generated/clients/create-topics-request.js';
import { ErrorCode } from '../protocol/generated/error-codes.js';
import { type BrokerServices, brokerConfig } from './broker-services.js';
import { topicCreationOptions } from './topic-creation.js';

export type InternalTopicName = typeof GROUP_METADATA_TOPIC_NAME | typeof TRANSACTION_STATE_TOPIC_NAME;

/** Whether a topic is one the coordinators create for themselves. */
export function isCoordinatorTopic(name: string): name is InternalTopicName {
  return name === GROUP_METADATA_TOPIC_NAME || name === TRANSACTION_STATE_TOPIC_NAME;
}

/** How Kafka creates its coordinators' topics (GroupCoordinator/TransactionCoordinator offsetsTopicConfigs). */
function internalTopicSpec(services: BrokerServices, name: InternalTopicName) {
  const config = brokerConfig(services);
  if (name === GROUP_METADATA_TOPIC_NAME) {
    return {
      numPartitions: config['offsets.topic.num.partitions'],
      replicationFactor: config['offsets.topic.replication.factor'],
      configs: { 'cleanup.policy': 'compact', 'compression.type': 'producer', 'segment.bytes': String(config['offsets.topic.segment.bytes']) },
    };
  }
  return {
    numPartitions: config['transaction.state.log.num.partitions'],
    replicationFactor: config['transaction.state.log.replication.factor'],
    configs: {
      'cleanup.policy': 'compact',
      'compression.type': 'uncompressed',
      'segment.bytes': String(config['transaction.state.log.segment.bytes']),
      'min.insync.replicas': String(config['transaction.state.log.min.isr']),
      'unclean.leader.election.enable': 'false',
    },
  };
}

/**
 * Creates a coordinator's internal topic if it does not exist yet (Kafka's AutoTopicCreationManager
 * does this on the first FindCoordinator). Resolves with NONE once the topic exists here, or with
 * the error the creation failed with (too few brokers for the replication factor, ...).
 */
export async function ensureInternalTopic(services: BrokerServices, name: InternalTopicName): Promise<number> {
  if (services.image().topicsByName.has(name)) return ErrorCode.NONE;
  const spec = internalTopicSpec(services, name);
  const request = createCreateTopicsRequest({
    topics: [
      createCreateTopicsRequestCreatableTopic({
        name,
        numPartitions: spec.numPartitions,
        replicationFactor: spec.replicationFactor,
        configs: Object.entries(spec.configs).map(([configName, value]) => ({ name: configName, value })),
      }),
    ],
  });
  const [result] = await services.controller.write((image) => createTopics(image, request, topicCreationOptions(services, image)));
  // Another request may have created it meanwhile.
  return result.errorCode === ErrorCode.TOPIC_ALREADY_EXISTS ? ErrorCode.NONE : result.errorCode;
}
