import type { Validator } from './validators.js';

/** Kafka's ConfigDef types; they decide how a value is parsed and which configType DescribeConfigs reports. */
export type ConfigType = 'boolean' | 'string' | 'int' | 'short' | 'long' | 'double' | 'list' | 'class' | 'password';

export type Importance = 'high' | 'medium' | 'low';

/**
 * Kafka's update modes for broker properties. Gregor has no per-broker-only dynamic properties:
 * the ones Kafka has (listeners, SSL key stores) are read-only here.
 */
export type UpdateMode = 'read-only' | 'cluster-wide';

/** A parsed value: int, short, long and double are numbers; list is a string array. */
export type ConfigValue = boolean | number | string | readonly string[];

/** A property consulted when the one before it in a synonym chain is not set, in a unit of its own. */
export interface Fallback {
  readonly name: string;
  /** The unit of a time property that stands in for a millisecond one. */
  readonly unit?: 'minutes' | 'hours';
}

export interface PropertyDefinition {
  readonly name: string;
  readonly type: ConfigType;
  /** Kafka 3.9's default unless the doc says Gregor differs; null means none. */
  readonly default: ConfigValue | null;
  readonly validator?: Validator<ConfigValue>;
  readonly importance: Importance;
  /** One sentence on what the property does. */
  readonly doc: string;
  /** Where and why Gregor departs from Kafka, when it does. */
  readonly note?: string;
}

export interface BrokerPropertyDefinition extends PropertyDefinition {
  readonly group: string;
  readonly updateMode: UpdateMode;
  /** Consulted in order when this property is not set, as Kafka does for its time-unit and alias synonyms. */
  readonly fallbacks?: readonly Fallback[];
}

export interface TopicPropertyDefinition extends PropertyDefinition {
  /** The broker property that supplies the value when a topic does not override it. */
  readonly brokerSynonym?: string;
}

export type AnyPropertyDefinition = BrokerPropertyDefinition | TopicPropertyDefinition;

type BaseValue<T extends ConfigType> = T extends 'boolean'
  ? boolean
  : T extends 'int' | 'short' | 'long' | 'double'
    ? number
    : T extends 'list'
      ? readonly string[]
      : string;

/**
 * The TypeScript type of a definition's value: narrowed by its validator (enums become unions),
 * nullable when it has no default and nothing to fall back to.
 */
export type ValueOf<D extends PropertyDefinition> =
  | (D extends { readonly validator: Validator<infer V> } ? V : BaseValue<D['type']>)
  | (D['default'] extends null ? (D extends { readonly fallbacks: readonly Fallback[] } ? never : null) : never);

/** An object with one typed, read-only field per definition, named by its property. */
export type ConfigOf<Defs extends PropertyDefinition> = { readonly [D in Defs as D['name']]: ValueOf<D> };
