import type { AlterResult } from '../config/alter.js';
import type { BrokerConfigLayers } from '../config/layers.js';
import type { ApiError } from '../metadata/controller/api-error.js';
import { changeConfigs } from '../metadata/controller/config-changes.js';
import type { MetadataImage } from '../metadata/image.js';
import { ConfigResourceType } from '../protocol/config-resource-type.js';
import { type BrokerServices, configLayers } from './broker-services.js';
import { resolveConfigTarget } from './config-resources.js';

/** How a request changes one resource's overrides, given the broker's layers and its current overrides. */
export interface ConfigAlteration {
  topic(layers: BrokerConfigLayers, current: Readonly<Record<string, string>>): AlterResult;
  broker(target: 'broker' | 'cluster-default', layers: BrokerConfigLayers, current: Readonly<Record<string, string>>): AlterResult;
}

/**
 * Validates one resource's change and, unless validateOnly, commits it through the controller.
 * The shared path of AlterConfigs and IncrementalAlterConfigs.
 */
export async function alterResourceConfigs(
  services: BrokerServices,
  resourceType: number,
  resourceName: string,
  alteration: ConfigAlteration,
  validateOnly: boolean,
): Promise<ApiError> {
  const target = resolveConfigTarget(services.image(), services.nodeId, resourceType, resourceName);
  if (target.kind === 'error') return { errorCode: target.errorCode, errorMessage: target.errorMessage };
  const decide = (image: MetadataImage) =>
    changeConfigs(image, { type: resourceType === ConfigResourceType.TOPIC ? ConfigResourceType.TOPIC : ConfigResourceType.BROKER, name: resourceName }, (current) => {
      const layers = configLayers(services, image);
      return target.kind === 'topic' ? alteration.topic(layers, current) : alteration.broker(target.target, layers, current);
    });
  return validateOnly ? decide(services.image()).response : services.controller.write(decide);
}

/** One resource of an AlterConfigs or IncrementalAlterConfigs request. */
export interface AlteredResource<Change> {
  readonly resourceType: number;
  readonly resourceName: string;
  readonly configs: Change;
}

/** Alters each resource in turn; one result per resource, in request order. */
export async function alterResources<Change>(
  services: BrokerServices,
  resources: readonly AlteredResource<Change>[],
  alterationOf: (configs: Change) => ConfigAlteration,
  validateOnly: boolean,
): Promise<Array<ApiError & { resourceType: number; resourceName: string }>> {
  const results = [];
  for (const { resourceType, resourceName, configs } of resources) {
    const result = await alterResourceConfigs(services, resourceType, resourceName, alterationOf(configs), validateOnly);
    results.push({ ...result, resourceType, resourceName });
  }
  return results;
}
