import { ErrorCode } from '../protocol/generated/error-codes.js';
import { KafkaError } from '../util/kafka-error.js';
import { BROKER_PROPERTY } from './broker-properties.js';
import { crossPropertyProblems } from './constraints.js';
import { AlterConfigOp } from './kafka-codes.js';
import { type BrokerConfigLayers, type BrokerTarget, effectiveTopicConfig, resolveBrokerConfig } from './layers.js';
import { type ConfigProblem, formatProblem, invalidValue, shown, unknownBrokerProperty, unknownTopicConfig } from './problems.js';
import type { AnyPropertyDefinition, ConfigValue } from './property.js';
import { TOPIC_PROPERTY } from './topic-properties.js';
import { checkValue, splitList } from './values.js';

/** One config of an AlterConfigs or CreateTopics request. */
export interface ConfigChange {
  readonly name: string;
  readonly value: string | null;
}

/** One config of an IncrementalAlterConfigs request; configOperation is an AlterConfigOp. */
export interface ConfigOperation {
  readonly name: string;
  readonly configOperation: number;
  readonly value: string | null;
}

/** The resource's complete set of overrides after the change, or the error to answer with. */
export type AlterResult =
  | { readonly ok: true; readonly configs: Readonly<Record<string, string>> }
  | { readonly ok: false; readonly error: KafkaError };

const OPERATION_NAMES = new Map<number, string>(Object.entries(AlterConfigOp).map(([name, code]) => [code, name]));

/** What differs between topic and broker resources. */
interface ResourceRules {
  definition(name: string): AnyPropertyDefinition | undefined;
  /** Why a config may not be set on this resource at all (unknown, unsupported, read-only). */
  nameProblem(name: string, value: string): ConfigProblem | undefined;
  /** The value in force when the resource does not override it, which APPEND and SUBTRACT start from. */
  inheritedValue(def: AnyPropertyDefinition): ConfigValue | null;
  /** Problems across configs of the resource with these overrides in place. */
  crossProblems(configs: Readonly<Record<string, string>>): ConfigProblem[];
}

/**
 * CreateTopics configs, or an AlterConfigs of a topic: the given configs become the topic's
 * complete set of overrides. Unknown and unsupported names and invalid values answer
 * INVALID_CONFIG, naming every problem; a name given twice answers INVALID_REQUEST.
 */
export function alterTopicConfigs(changes: readonly ConfigChange[], layers: BrokerConfigLayers): AlterResult {
  return replace(changes, topicRules(layers));
}

/** IncrementalAlterConfigs of a topic: SET, DELETE, APPEND and SUBTRACT applied in order to its current overrides. */
export function incrementalAlterTopicConfigs(
  current: Readonly<Record<string, string>>,
  operations: readonly ConfigOperation[],
  layers: BrokerConfigLayers,
): AlterResult {
  return apply(current, operations, topicRules(layers));
}

/** AlterConfigs of a broker resource: the given configs replace that layer's dynamic configs. */
export function alterBrokerConfigs(target: BrokerTarget, changes: readonly ConfigChange[], layers: BrokerConfigLayers): AlterResult {
  return replace(changes, brokerRules(target, layers));
}

/** IncrementalAlterConfigs of a broker resource, applied to that layer's dynamic configs. */
export function incrementalAlterBrokerConfigs(
  target: BrokerTarget,
  operations: readonly ConfigOperation[],
  layers: BrokerConfigLayers,
): AlterResult {
  return apply(target === 'broker' ? layers.broker : layers.clusterDefaults, operations, brokerRules(target, layers));
}

function topicRules(layers: BrokerConfigLayers): ResourceRules {
  const broker = resolveBrokerConfig(layers);
  const inherited = effectiveTopicConfig(broker, {}) as unknown as Readonly<Record<string, ConfigValue>>;
  return {
    definition: (name) => TOPIC_PROPERTY.get(name),
    nameProblem: (name, value) => (TOPIC_PROPERTY.has(name) ? undefined : unknownTopicConfig(name, value)),
    inheritedValue: (def) => inherited[def.name],
    crossProblems: (configs) => {
      const topic = effectiveTopicConfig(broker, configs);
      if (topic['min.compaction.lag.ms'] <= topic['max.compaction.lag.ms']) return [];
      return [
        {
          property: 'min.compaction.lag.ms',
          value: String(topic['min.compaction.lag.ms']),
          reason: `exceeds max.compaction.lag.ms (${topic['max.compaction.lag.ms']})`,
        },
      ];
    },
  };
}

function brokerRules(target: BrokerTarget, layers: BrokerConfigLayers): ResourceRules {
  const below: BrokerConfigLayers = { ...layers, broker: {}, clusterDefaults: target === 'broker' ? layers.clusterDefaults : {} };
  const inherited = resolveBrokerConfig(below) as unknown as Readonly<Record<string, ConfigValue | null>>;
  return {
    definition: (name) => BROKER_PROPERTY.get(name),
    nameProblem: (name, value) => {
      const def = BROKER_PROPERTY.get(name);
      if (def === undefined) return unknownBrokerProperty(name, value);
      if (def.updateMode !== 'read-only') return undefined;
      return { property: name, value: shown(def, value), reason: 'read-only: set it in server.properties and restart' };
    },
    inheritedValue: (def) => inherited[def.name],
    crossProblems: (configs) => {
      const altered = target === 'broker' ? { ...layers, broker: configs } : { ...layers, clusterDefaults: configs };
      const isSet = (name: string) => [altered.static, altered.clusterDefaults, altered.broker].some((layer) => Object.hasOwn(layer, name));
      return crossPropertyProblems(resolveBrokerConfig(altered), isSet);
    },
  };
}

function replace(changes: readonly ConfigChange[], rules: ResourceRules): AlterResult {
  const duplicate = duplicateName(changes);
  if (duplicate !== undefined) return invalidRequest(`config ${duplicate} appears more than once`);
  const problems: ConfigProblem[] = [];
  const configs: Record<string, string> = {};
  for (const { name, value } of changes) {
    const problem = value === null ? missingValue(name) : rules.nameProblem(name, value);
    if (problem !== undefined) problems.push(problem);
    else configs[name] = value as string;
  }
  return validated(configs, problems, rules);
}

function apply(current: Readonly<Record<string, string>>, operations: readonly ConfigOperation[], rules: ResourceRules): AlterResult {
  const duplicate = duplicateName(operations);
  if (duplicate !== undefined) return invalidRequest(`config ${duplicate} appears more than once`);
  const unknown = operations.find((op) => !OPERATION_NAMES.has(op.configOperation));
  if (unknown !== undefined) {
    const expected = [...OPERATION_NAMES].map(([code, name]) => `${code} ${name}`).join(', ');
    return invalidRequest(`${unknown.name}: unknown operation ${unknown.configOperation} (expected one of ${expected})`);
  }
  const configs: Record<string, string> = { ...current };
  const problems = operations.flatMap((op) => applyOperation(configs, current, op, rules) ?? []);
  return validated(configs, problems, rules);
}

/** Applies one operation to `configs`, or tells why it cannot be applied. */
function applyOperation(
  configs: Record<string, string>,
  current: Readonly<Record<string, string>>,
  { name, configOperation, value }: ConfigOperation,
  rules: ResourceRules,
): ConfigProblem | undefined {
  if (configOperation === AlterConfigOp.DELETE) {
    delete configs[name];
    // A stored config Gregor no longer knows may still be deleted.
    return Object.hasOwn(current, name) ? undefined : rules.nameProblem(name, value ?? '');
  }
  if (value === null) return missingValue(name);
  const nameProblem = rules.nameProblem(name, value);
  if (nameProblem !== undefined) return nameProblem;
  if (configOperation === AlterConfigOp.SET) {
    configs[name] = value;
    return undefined;
  }
  const def = rules.definition(name)!;
  if (def.type !== 'list') {
    const reason = `${OPERATION_NAMES.get(configOperation)} applies to list configs only, and ${name} is of type ${def.type}`;
    return { property: name, value, reason };
  }
  const items = Object.hasOwn(configs, name) ? splitList(configs[name]) : ((rules.inheritedValue(def) as readonly string[] | null) ?? []);
  const operands = splitList(value);
  const result =
    configOperation === AlterConfigOp.APPEND
      ? [...items, ...operands.filter((item, i) => !items.includes(item) && operands.indexOf(item) === i)]
      : items.filter((item) => !operands.includes(item));
  configs[name] = result.join(',');
  return undefined;
}

/** Checks every value of the new overrides, then the combinations, and turns problems into INVALID_CONFIG. */
function validated(configs: Record<string, string>, problems: ConfigProblem[], rules: ResourceRules): AlterResult {
  for (const [name, text] of Object.entries(configs)) {
    const def = rules.definition(name);
    if (def === undefined) continue;
    const checked = checkValue(def, text);
    if ('reason' in checked) problems.push(invalidValue(def, text, checked.reason));
  }
  if (problems.length === 0) problems.push(...rules.crossProblems(configs));
  if (problems.length === 0) return { ok: true, configs: Object.freeze(configs) };
  return { ok: false, error: new KafkaError('INVALID_CONFIG', ErrorCode.INVALID_CONFIG, problems.map(formatProblem).join('; ')) };
}

function missingValue(name: string): ConfigProblem {
  return { property: name, value: 'null', reason: 'a value is required' };
}

function duplicateName(changes: readonly { readonly name: string }[]): string | undefined {
  const names = changes.map((c) => c.name);
  return names.find((name, i) => names.indexOf(name) !== i);
}

function invalidRequest(message: string): AlterResult {
  return { ok: false, error: new KafkaError('INVALID_REQUEST', ErrorCode.INVALID_REQUEST, message) };
}
