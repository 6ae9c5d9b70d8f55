import { formatProblem } from '../config/problems.js';
import { loadBrokerConfig } from '../config/load-file.js';
import type { BrokerConfig } from '../config/broker-properties.js';

/** Where a broker's configuration comes from, in increasing precedence after the defaults. */
export interface ConfigSources {
  /** A server.properties file. */
  readonly configFile?: string;
  /** KAFKA_* variables (the command line passes the process environment; embedders usually none). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** name=value overrides, as `--override` gives them. */
  readonly overrides?: readonly string[];
  /** Properties set by an embedding program, applied last. */
  readonly properties?: Readonly<Record<string, string>>;
}

/** Invalid configuration: every problem, one line each. */
export class ConfigurationError extends Error {
  override readonly name = 'ConfigurationError';
}

export interface LoadedConfig {
  readonly config: BrokerConfig;
  readonly staticProperties: Readonly<Record<string, string>>;
}

export async function loadConfig(sources: ConfigSources): Promise<LoadedConfig> {
  const overrides = [...(sources.overrides ?? []), ...Object.entries(sources.properties ?? {}).map(([k, v]) => `${k}=${v}`)];
  const result = await loadBrokerConfig({ path: sources.configFile, env: sources.env ?? {}, overrides });
  if (!result.ok) throw new ConfigurationError(result.problems.map(formatProblem).join('\n'));
  return { config: result.config, staticProperties: result.staticProperties };
}
