import type { BrokerConfig } from '../config/broker-properties.js';
import { type BrokerConfigLayers, resolveBrokerConfig } from '../config/layers.js';
import type { ControllerResult } from '../metadata/controller/records.js';
import type { MetadataImage } from '../metadata/image.js';
import type { Clock } from '../util/clock.js';
import type { Random } from '../util/random.js';

/** Runs a controller decision on the latest metadata and resolves with its answer once its records are committed. */
export interface ControllerWriter {
  write<T>(decide: (image: MetadataImage) => ControllerResult<T>): Promise<T>;
}

/** What the control-plane handlers share: who this broker is, the metadata it sees, and the controller. */
export interface BrokerServices {
  readonly nodeId: number;
  readonly clusterId: string;
  readonly clock: Clock;
  readonly random: Random;
  /** The latest committed metadata image. */
  image(): MetadataImage;
  readonly controller: ControllerWriter;
  /** server.properties, environment and overrides, before the dynamic layers. */
  readonly staticProperties: Readonly<Record<string, string>>;
}

/** The broker's configuration layers: static properties, then dynamic configs from the metadata log. */
export function configLayers(services: BrokerServices, image: MetadataImage = services.image()): BrokerConfigLayers {
  return {
    static: services.staticProperties,
    clusterDefaults: Object.fromEntries(image.brokerConfigs('')),
    broker: Object.fromEntries(image.brokerConfigs(services.nodeId)),
  };
}

export function brokerConfig(services: BrokerServices, image: MetadataImage = services.image()): BrokerConfig {
  return resolveBrokerConfig(configLayers(services, image));
}
