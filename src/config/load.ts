import { BROKER_PROPERTY, type BrokerConfig } from './broker-properties.js';
import { crossPropertyProblems } from './constraints.js';
import { propertiesFromEnvironment } from './environment.js';
import { resolveBrokerConfig, staticLayers } from './layers.js';
import { parseProperties } from './properties-file.js';
import { type ConfigProblem, invalidValue, shown, unknownBrokerProperty } from './problems.js';
import { checkValue } from './values.js';

/** Where static broker configuration comes from, lowest precedence first. */
export interface ConfigSources {
  /** A server.properties file: its path, for messages, and its text. */
  readonly file?: { readonly path: string; readonly text: string };
  /** Usually process.env; KAFKA_* variables become properties. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** The values of --override flags, each name=value. */
  readonly overrides?: readonly string[];
}

export type BrokerConfigResult =
  | {
      readonly ok: true;
      readonly config: BrokerConfig;
      /** The merged text of every property set, for the static layer of BrokerConfigLayers. */
      readonly staticProperties: Readonly<Record<string, string>>;
    }
  | { readonly ok: false; readonly problems: readonly ConfigProblem[] };

interface SourcedValue {
  readonly name: string;
  readonly value: string;
  readonly origin: string;
}

/**
 * Builds the static broker configuration: defaults, then the file, then the environment, then
 * --override flags, a later source replacing an earlier one property by property. Every problem
 * is reported at once: unknown names, names Kafka has but Gregor does not implement, values that
 * do not parse or validate, and combinations that cannot work.
 */
export function parseBrokerConfig(sources: ConfigSources): BrokerConfigResult {
  const problems: ConfigProblem[] = [];
  const merged = new Map<string, SourcedValue>();
  const set = (entry: SourcedValue) => merged.set(entry.name, entry);

  if (sources.file !== undefined) {
    const { path, text } = sources.file;
    for (const entry of parseProperties(text)) {
      const origin = `${path}:${entry.line}`;
      if (entry.problem !== undefined) problems.push({ property: entry.key, value: entry.value, reason: entry.problem, origin });
      else set({ name: entry.key, value: entry.value, origin });
    }
  }
  for (const { name, value, variable } of propertiesFromEnvironment(sources.env ?? {})) set({ name, value, origin: `env ${variable}` });
  for (const override of sources.overrides ?? []) {
    const at = override.indexOf('=');
    if (at <= 0) problems.push({ property: override, value: '', reason: 'an --override takes name=value', origin: '--override' });
    else set({ name: override.slice(0, at).trim(), value: override.slice(at + 1), origin: '--override' });
  }

  for (const { name, value, origin } of merged.values()) {
    const def = BROKER_PROPERTY.get(name);
    if (def === undefined) {
      problems.push({ ...unknownBrokerProperty(name, value), origin });
      continue;
    }
    const checked = checkValue(def, value);
    if ('reason' in checked) problems.push({ ...invalidValue(def, value, checked.reason), origin });
  }
  if (problems.length > 0) return { ok: false, problems };

  const staticProperties = Object.freeze(Object.fromEntries([...merged.values()].map((entry) => [entry.name, entry.value])));
  const config = resolveBrokerConfig(staticLayers(staticProperties));
  const crossProblems = crossPropertyProblems(config, (name) => merged.has(name));
  if (crossProblems.length > 0) {
    return {
      ok: false,
      problems: crossProblems.map((problem) => {
        const source = merged.get(problem.property);
        const def = BROKER_PROPERTY.get(problem.property);
        return source === undefined || def === undefined ? problem : { ...problem, value: shown(def, source.value), origin: source.origin };
      }),
    };
  }
  return { ok: true, config, staticProperties };
}
