import { readFile } from 'node:fs/promises';
import { type BrokerConfigResult, parseBrokerConfig } from './load.js';

export interface BrokerConfigInputs {
  /** A server.properties file; without one, only the environment and overrides apply. */
  readonly path?: string;
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly overrides?: readonly string[];
}

/** Reads the server.properties file, if one is named, and parses the broker configuration. Throws when the file cannot be read. */
export async function loadBrokerConfig(inputs: BrokerConfigInputs): Promise<BrokerConfigResult> {
  const { path, env, overrides } = inputs;
  if (path === undefined) return parseBrokerConfig({ env, overrides });
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new Error(`cannot read config file ${path}: ${(err as Error).message}`, { cause: err });
  }
  return parseBrokerConfig({ file: { path, text }, env, overrides });
}
