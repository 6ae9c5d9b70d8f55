import type { BrokerTarget } from '../config/layers.js';
import { invalidTopicNameMessage } from '../metadata/controller/topic-names.js';
import type { MetadataImage } from '../metadata/image.js';
import { ConfigResourceType } from '../protocol/config-resource-type.js';
import { ErrorCode } from '../protocol/generated/error-codes.js';

/** A config resource of a DescribeConfigs / AlterConfigs request, resolved for this broker. */
export type ConfigTarget =
  | { readonly kind: 'topic'; readonly name: string }
  | { readonly kind: 'broker'; readonly target: BrokerTarget }
  | { readonly kind: 'error'; readonly errorCode: number; readonly errorMessage: string };

/**
 * Kafka's routing of config resources: topics by name (which must exist), brokers by this node's
 * id or the empty name for the cluster-wide defaults. Loggers, client metrics and group configs
 * are not configs Gregor has.
 */
export function resolveConfigTarget(image: MetadataImage, nodeId: number, resourceType: number, resourceName: string): ConfigTarget {
  switch (resourceType) {
    case ConfigResourceType.TOPIC: {
      const invalid = invalidTopicNameMessage(resourceName);
      if (invalid !== null) return { kind: 'error', errorCode: ErrorCode.INVALID_TOPIC_EXCEPTION, errorMessage: invalid };
      if (!image.topicsByName.has(resourceName)) {
        return { kind: 'error', errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: `Topic '${resourceName}' does not exist.` };
      }
      return { kind: 'topic', name: resourceName };
    }
    case ConfigResourceType.BROKER:
      if (resourceName === '') return { kind: 'broker', target: 'cluster-default' };
      if (resourceName === String(nodeId)) return { kind: 'broker', target: 'broker' };
      return { kind: 'error', errorCode: ErrorCode.INVALID_REQUEST, errorMessage: `Unexpected broker id, expected ${nodeId}, but received ${resourceName}` };
    case ConfigResourceType.BROKER_LOGGER:
      return { kind: 'error', errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Gregor has no broker loggers to configure.' };
    default:
      return { kind: 'error', errorCode: ErrorCode.INVALID_REQUEST, errorMessage: `Unsupported resource type ${resourceType}.` };
  }
}
