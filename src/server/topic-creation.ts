import { alterTopicConfigs } from '../config/alter.js';
import { describeTopicConfigs } from '../config/describe.js';
import type { CreateTopicsOptions } from '../metadata/controller/create-topics.js';
import type { MetadataImage } from '../metadata/image.js';
import { createCreateTopicsResponseCreatableTopicConfigs } from '../protocol/generated/clients/create-topics-response.js';
import { type BrokerServices, brokerConfig, configLayers } from './broker-services.js';

/** How this broker creates topics: its defaults, config validation and the configs CreateTopics v5+ reports. */
export function topicCreationOptions(services: BrokerServices, image: MetadataImage): CreateTopicsOptions {
  const layers = configLayers(services, image);
  const config = brokerConfig(services, image);
  return {
    random: services.random,
    defaultNumPartitions: config['num.partitions'],
    defaultReplicationFactor: config['default.replication.factor'],
    validateTopicConfigs: (_name, configs) => alterTopicConfigs(configs, layers),
    describeTopicConfigs: (overrides) =>
      describeTopicConfigs(layers, overrides, { keys: null, includeSynonyms: false, includeDocumentation: false }).map((e) =>
        createCreateTopicsResponseCreatableTopicConfigs({
          name: e.name,
          value: e.value,
          readOnly: e.readOnly,
          configSource: e.configSource,
          isSensitive: e.isSensitive,
        }),
      ),
  };
}
