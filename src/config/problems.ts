import { BROKER_PROPERTY } from './broker-properties.js';
import type { AnyPropertyDefinition } from './property.js';
import { TOPIC_PROPERTIES, TOPIC_PROPERTY } from './topic-properties.js';
import { isUnsupportedBrokerProperty, isUnsupportedTopicProperty } from './unsupported-properties.js';
import { expectedOf } from './values.js';

/** Something wrong with one property; formatProblem turns it into the line a user sees. */
export interface ConfigProblem {
  readonly property: string;
  /** The value as given; passwords show as [hidden]. */
  readonly value: string;
  /** Why it is refused and, where it helps, what is allowed. */
  readonly reason: string;
  /** Where the value came from: "config/server.properties:12", "env KAFKA_NUM_PARTITIONS", "--override". */
  readonly origin?: string;
}

/** `num.partitions=abc: not an int (expected an int >= 1) [config/server.properties:12]` */
export function formatProblem(problem: ConfigProblem): string {
  const origin = problem.origin === undefined ? '' : ` [${problem.origin}]`;
  return `${problem.property}=${problem.value}: ${problem.reason}${origin}`;
}

export function invalidValue(def: AnyPropertyDefinition, text: string, reason: string): ConfigProblem {
  return { property: def.name, value: shown(def, text), reason: `${reason} (expected ${expectedOf(def)})` };
}

/** The value as a problem line may show it. */
export function shown(def: AnyPropertyDefinition, text: string): string {
  return def.type === 'password' ? '[hidden]' : text;
}

const TOPIC_CONFIG_OF_BROKER_PROPERTY = new Map<string, string>(
  TOPIC_PROPERTIES.flatMap((def) => ('brokerSynonym' in def ? [[def.brokerSynonym, def.name]] : [])),
);

/** A broker property name that Gregor does not implement, told apart from Kafka's and from topic configs. */
export function unknownBrokerProperty(name: string, value: string): ConfigProblem {
  if (isUnsupportedBrokerProperty(name)) return { property: name, value, reason: 'not supported by Gregor' };
  const brokerSynonym = TOPIC_PROPERTY.get(name)?.brokerSynonym;
  if (brokerSynonym !== undefined) {
    return { property: name, value, reason: `a topic config, not a broker property; the broker-wide default is ${brokerSynonym}` };
  }
  return { property: name, value, reason: `unknown property${suggestion(name, BROKER_PROPERTY.keys())}` };
}

/** A topic config name that Gregor does not implement, told apart from Kafka's and from broker properties. */
export function unknownTopicConfig(name: string, value: string): ConfigProblem {
  if (isUnsupportedTopicProperty(name)) return { property: name, value, reason: 'not supported by Gregor' };
  const topicName = TOPIC_CONFIG_OF_BROKER_PROPERTY.get(name);
  if (topicName !== undefined) {
    return { property: name, value, reason: `a broker property, not a topic config; the topic config is ${topicName}` };
  }
  return { property: name, value, reason: `unknown topic config${suggestion(name, TOPIC_PROPERTY.keys())}` };
}

/** ", did you mean X?" for the closest known name within a couple of typos. */
function suggestion(name: string, known: Iterable<string>): string {
  let best: string | undefined;
  let bestDistance = Math.min(3, Math.floor(name.length / 4)) + 1;
  for (const candidate of known) {
    const distance = editDistance(name, candidate);
    if (distance < bestDistance) [best, bestDistance] = [candidate, distance];
  }
  return best === undefined ? '' : ` (did you mean ${best}?)`;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}
