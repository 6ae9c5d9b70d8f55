import { BROKER_PROPERTIES, BROKER_PROPERTY, type BrokerConfig } from './broker-properties.js';
import type { BrokerPropertyDefinition, ConfigValue, Fallback } from './property.js';
import { TOPIC_PROPERTIES, type TopicConfig } from './topic-properties.js';
import { checkValue, formatValue } from './values.js';

/**
 * A broker's configuration as Kafka layers it. Each layer maps property names to their text:
 * `static` is server.properties, the environment and --override merged; the dynamic layers
 * come from the metadata log's ConfigRecords (broker resource "" for clusterDefaults, this
 * broker's id for broker).
 */
export interface BrokerConfigLayers {
  readonly static: Readonly<Record<string, string>>;
  readonly clusterDefaults: Readonly<Record<string, string>>;
  readonly broker: Readonly<Record<string, string>>;
}

/**
 * Which broker configuration a DescribeConfigs or AlterConfigs of a broker resource addresses:
 * a broker id names that broker's own (DYNAMIC_BROKER_CONFIG), the empty name the cluster-wide
 * dynamic defaults (DYNAMIC_DEFAULT_BROKER_CONFIG).
 */
export type BrokerTarget = 'broker' | 'cluster-default';

/** Where a broker value comes from, most specific first; each maps to one of Kafka's config sources. */
export type BrokerLayer = 'broker' | 'cluster-default' | 'static' | 'default';

/** One value set for a property of a synonym chain, in one layer. */
export interface SynonymValue {
  readonly name: string;
  readonly text: string;
  readonly layer: BrokerLayer;
}

const MS_PER_UNIT = { minutes: 60_000, hours: 3_600_000 } as const;

/** Layers with nothing set dynamically, as at startup. */
export function staticLayers(staticProperties: Readonly<Record<string, string>>): BrokerConfigLayers {
  return { static: staticProperties, clusterDefaults: {}, broker: {} };
}

/** The properties that supply a broker property's value: itself, then its fallbacks. */
export function valueChain(def: BrokerPropertyDefinition): readonly Fallback[] {
  return [{ name: def.name }, ...(def.fallbacks ?? [])];
}

/**
 * Every value set in the chain, layer by layer from the most specific, and within a layer in
 * chain order; that is Kafka's order of synonyms, and the first that parses is the one in force.
 * Kafka's defaults come last, for the chain members that have one.
 */
export function synonymValues(chain: readonly Fallback[], layers: BrokerConfigLayers): SynonymValue[] {
  const found: SynonymValue[] = [];
  const sets: [BrokerLayer, Readonly<Record<string, string>>][] = [
    ['broker', layers.broker],
    ['cluster-default', layers.clusterDefaults],
    ['static', layers.static],
  ];
  for (const [layer, values] of sets) {
    for (const { name } of chain) {
      if (Object.hasOwn(values, name)) found.push({ name, text: values[name], layer });
    }
  }
  for (const { name } of chain) {
    const def = BROKER_PROPERTY.get(name);
    const text = def === undefined ? null : formatValue(def.type, def.default);
    if (text !== null) found.push({ name, text, layer: 'default' });
  }
  return found;
}

/**
 * Every broker property's effective value. Within a synonym chain the most specific layer wins,
 * as in Kafka, where a dynamic log.retention.hours outranks a static log.retention.ms. A stored
 * dynamic value that no longer parses is passed over; values are validated when they are set.
 */
export function resolveBrokerConfig(layers: BrokerConfigLayers): BrokerConfig {
  const config: Record<string, ConfigValue | null> = {};
  for (const def of BROKER_PROPERTIES) config[def.name] = resolveChain(valueChain(def), layers);
  return Object.freeze(config) as BrokerConfig;
}

/**
 * A topic's effective configuration: its own overrides (DYNAMIC_TOPIC_CONFIG) over the broker's
 * value of each synonym. The result is also the LogConfig storage takes.
 */
export function effectiveTopicConfig(broker: BrokerConfig, overrides: Readonly<Record<string, string>>): TopicConfig {
  const brokerValues = broker as unknown as Readonly<Record<string, ConfigValue | null>>;
  const config: Record<string, ConfigValue | null> = {};
  for (const def of TOPIC_PROPERTIES) {
    const override = Object.hasOwn(overrides, def.name) ? checkValue(def, overrides[def.name]) : undefined;
    if (override !== undefined && 'value' in override) config[def.name] = frozen(override.value);
    else if ('brokerSynonym' in def) config[def.name] = brokerValues[def.brokerSynonym];
    else config[def.name] = frozen(def.default);
  }
  return Object.freeze(config) as TopicConfig;
}

function resolveChain(chain: readonly Fallback[], layers: BrokerConfigLayers): ConfigValue | null {
  const units = new Map(chain.map((link) => [link.name, link.unit]));
  for (const found of synonymValues(chain, layers)) {
    const def = BROKER_PROPERTY.get(found.name);
    if (def === undefined) continue;
    const checked = checkValue(def, found.text);
    if (!('value' in checked)) continue;
    const unit = units.get(found.name);
    return unit === undefined ? frozen(checked.value) : inMilliseconds(checked.value as number, unit);
  }
  return null;
}

/** Kafka reads any negative retention in minutes or hours as "unlimited", which is -1 in milliseconds. */
function inMilliseconds(value: number, unit: keyof typeof MS_PER_UNIT): number {
  return value < 0 ? -1 : value * MS_PER_UNIT[unit];
}

function frozen<V extends ConfigValue | null>(value: V): V {
  return (Array.isArray(value) ? Object.freeze([...value]) : value) as V;
}
