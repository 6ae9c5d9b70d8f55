import {
  createDescribeConfigsResponseDescribeConfigsResourceResult,
  createDescribeConfigsResponseDescribeConfigsSynonym,
  type DescribeConfigsResponseDescribeConfigsResourceResult,
  type DescribeConfigsResponseDescribeConfigsSynonym,
} from '../protocol/generated/clients/describe-configs-response.js';
import { BROKER_PROPERTIES, BROKER_PROPERTY } from './broker-properties.js';
import { CONFIG_TYPE_CODES, ConfigSource } from './kafka-codes.js';
import {
  type BrokerConfigLayers,
  type BrokerLayer,
  type BrokerTarget,
  effectiveTopicConfig,
  resolveBrokerConfig,
  type SynonymValue,
  synonymValues,
  valueChain,
} from './layers.js';
import type { AnyPropertyDefinition, ConfigValue, Fallback } from './property.js';
import { TOPIC_PROPERTIES } from './topic-properties.js';
import { checkValue, formatValue } from './values.js';

export type ConfigEntry = DescribeConfigsResponseDescribeConfigsResourceResult;
type ConfigSynonym = DescribeConfigsResponseDescribeConfigsSynonym;

export interface DescribeOptions {
  /** The config names asked for, or null for all of them; names Gregor does not have are left out, as Kafka does. */
  readonly keys: readonly string[] | null;
  readonly includeSynonyms: boolean;
  readonly includeDocumentation: boolean;
}

const SOURCE_OF_LAYER: Readonly<Record<BrokerLayer, number>> = {
  broker: ConfigSource.DYNAMIC_BROKER_CONFIG,
  'cluster-default': ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG,
  static: ConfigSource.STATIC_BROKER_CONFIG,
  default: ConfigSource.DEFAULT_CONFIG,
};

/** For a property that only stands in for another (log.retention.hours), the chain it belongs to. */
const CHAIN_OF_FALLBACK = new Map<string, readonly Fallback[]>(
  BROKER_PROPERTIES.flatMap((def) => ('fallbacks' in def ? def.fallbacks.map((f) => [f.name, valueChain(def)] as const) : [])),
);

/**
 * The entries of a broker resource. For this broker: every property with its effective value.
 * For the cluster-wide defaults: only the properties set there, as Kafka answers. Synonyms list
 * the values set for the property and its stand-ins, most specific source first.
 */
export function describeBrokerConfigs(layers: BrokerConfigLayers, target: BrokerTarget, options: DescribeOptions): ConfigEntry[] {
  const config = resolveBrokerConfig(layers) as unknown as Readonly<Record<string, ConfigValue | null>>;
  const defs =
    target === 'broker' ? BROKER_PROPERTIES : BROKER_PROPERTIES.filter((def) => Object.hasOwn(layers.clusterDefaults, def.name));
  return sortedAndFiltered(defs, options.keys).map((def) => {
    let synonyms = synonymValues(describedChain(def.name), layers);
    if (!('fallbacks' in def)) synonyms = fromFirst(synonyms, def.name);
    if (target === 'cluster-default') synonyms = synonyms.filter((s) => s.layer === 'cluster-default');
    const value = target === 'broker' ? formatValue(def.type, config[def.name]) : layers.clusterDefaults[def.name];
    const listed = synonyms.map((s) => synonym(def, s.name, s.text, SOURCE_OF_LAYER[s.layer]));
    return entry(def, value, def.updateMode === 'read-only', listed, options);
  });
}

/** The entries of a topic: its overrides (TOPIC_CONFIG) first, then the broker synonyms it inherits from. */
export function describeTopicConfigs(
  layers: BrokerConfigLayers,
  overrides: Readonly<Record<string, string>>,
  options: DescribeOptions,
): ConfigEntry[] {
  const config = effectiveTopicConfig(resolveBrokerConfig(layers), overrides) as unknown as Readonly<Record<string, ConfigValue>>;
  return sortedAndFiltered(TOPIC_PROPERTIES, options.keys).map((def) => {
    const value = formatValue(def.type, config[def.name]);
    const synonyms: ConfigSynonym[] = [];
    const override = Object.hasOwn(overrides, def.name) ? checkValue(def, overrides[def.name]) : undefined;
    if (override !== undefined && 'value' in override) synonyms.push(synonym(def, def.name, value, ConfigSource.TOPIC_CONFIG));
    if ('brokerSynonym' in def) {
      for (const s of synonymValues(valueChain(BROKER_PROPERTY.get(def.brokerSynonym)!), layers)) {
        synonyms.push(synonym(def, s.name, s.text, SOURCE_OF_LAYER[s.layer]));
      }
    }
    return entry(def, value, false, synonyms, options);
  });
}

/** Kafka's synonyms of a broker property: its own chain, or the chain it stands in for. */
function describedChain(name: string): readonly Fallback[] {
  const def = BROKER_PROPERTY.get(name)!;
  return def.fallbacks !== undefined ? valueChain(def) : (CHAIN_OF_FALLBACK.get(name) ?? [{ name }]);
}

/** Kafka drops the synonyms ahead of the property's own first value (dropWhile). */
function fromFirst(synonyms: SynonymValue[], name: string): SynonymValue[] {
  const first = synonyms.findIndex((s) => s.name === name);
  return first < 0 ? [] : synonyms.slice(first);
}

function sortedAndFiltered<D extends AnyPropertyDefinition>(defs: readonly D[], keys: readonly string[] | null): D[] {
  return defs.filter((def) => keys === null || keys.includes(def.name)).sort((a, b) => (a.name < b.name ? -1 : 1));
}

function entry(
  def: AnyPropertyDefinition,
  value: string | null,
  readOnly: boolean,
  synonyms: ConfigSynonym[],
  options: DescribeOptions,
): ConfigEntry {
  const source = synonyms[0]?.source ?? ConfigSource.DEFAULT_CONFIG;
  return createDescribeConfigsResponseDescribeConfigsResourceResult({
    name: def.name,
    value: isSensitive(def) ? null : value,
    readOnly,
    isDefault: source === ConfigSource.DEFAULT_CONFIG,
    configSource: source,
    isSensitive: isSensitive(def),
    synonyms: options.includeSynonyms ? synonyms : [],
    configType: CONFIG_TYPE_CODES[def.type],
    documentation: options.includeDocumentation ? documentationOf(def) : null,
  });
}

function synonym(def: AnyPropertyDefinition, name: string, value: string | null, source: number): ConfigSynonym {
  return createDescribeConfigsResponseDescribeConfigsSynonym({ name, value: isSensitive(def) ? null : value, source });
}

function isSensitive(def: AnyPropertyDefinition): boolean {
  return def.type === 'password';
}

/** The doc sentence, followed by how Gregor differs from Kafka where it does. */
function documentationOf(def: AnyPropertyDefinition): string {
  return def.note === undefined ? def.doc : `${def.doc} ${def.note}`;
}
