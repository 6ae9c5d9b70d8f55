/**
 * Kafka's ConfigResource.Type codes: the resourceType of DescribeConfigs, AlterConfigs,
 * IncrementalAlterConfigs and of ConfigRecord in the metadata log.
 */
export const ConfigResourceType = {
  UNKNOWN: 0,
  TOPIC: 2,
  BROKER: 4,
  BROKER_LOGGER: 8,
  CLIENT_METRICS: 16,
  GROUP: 32,
} as const;
