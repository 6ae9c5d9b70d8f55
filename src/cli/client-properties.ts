import { readFileSync } from 'node:fs';
import type { KafkaClientConfig } from '../client/client-config.js';
import { KafkaClient } from '../client/kafka-client.js';
import { parseProperties } from '../config/properties-file.js';
import { type ConnectionOptions, NUMERIC_PROPERTIES, clientConfig } from './admin-client.js';
import { UsageError, parseAssignment } from './command-context.js';

/**
 * Client properties of the producer and consumer commands: Kafka's tools take them from
 * `--producer.config` / `--consumer.config` files and `--producer-property` / `--consumer-property`
 * / `--producer-props` flags, on top of `--command-config`.
 */
export type Properties = Map<string, string>;

/** A .properties file as a map; the flag names the option in errors. */
export function readPropertiesFile(file: string, flag: string): Properties {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`cannot read ${flag} ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const properties: Properties = new Map();
  for (const entry of parseProperties(text)) {
    if (entry.problem) throw new Error(`${file}:${entry.line}: ${entry.problem}`);
    properties.set(entry.key, entry.value);
  }
  return properties;
}

/** `k=v` flags, later ones winning. */
export function parsePropertyFlags(values: readonly string[] | undefined, flag: string): Properties {
  const properties: Properties = new Map();
  for (const value of values ?? []) {
    const [k, v] = parseAssignment(value, flag);
    properties.set(k, v);
  }
  return properties;
}

/** A property's value as an integer, or a usage error naming it. */
export function intProperty(properties: Properties, name: string, fallback: number, min = 0): number {
  const text = properties.get(name);
  if (text === undefined) return fallback;
  const value = Number(text);
  if (text.trim() === '' || !Number.isSafeInteger(value) || value < min) throw new UsageError(`${name} must be an integer >= ${min}, got '${text}'`);
  return value;
}

/**
 * The client configuration: --command-config and --bootstrap-server as every command takes them,
 * then the tool's own properties (client settings among them override). Properties the tool
 * neither uses nor knows are reported on `warn`, as Kafka logs unused configs.
 */
export function toolClientConfig(
  options: ConnectionOptions,
  clientId: string,
  properties: Properties,
  toolProperties: ReadonlySet<string>,
  warn: (line: string) => void,
  allowAutoCreateTopics: boolean,
): KafkaClientConfig {
  const settings: { -readonly [K in keyof KafkaClientConfig]: KafkaClientConfig[K] } = { ...clientConfig(options, clientId, warn), allowAutoCreateTopics };
  for (const [key, value] of properties) {
    const field = NUMERIC_PROPERTIES[key];
    if (field !== undefined) settings[field] = intProperty(properties, key, 0);
    else if (key === 'bootstrap.servers') {
      if (options['bootstrap-server'] === undefined) settings.bootstrapServers = value;
    } else if (key === 'client.id') settings.clientId = value;
    else if (key === 'allow.auto.create.topics') settings.allowAutoCreateTopics = value === 'true';
    else if (!toolProperties.has(key)) warn(`${key} is not a setting Gregor uses; ignored`);
  }
  return settings;
}

export function newClient(config: KafkaClientConfig): KafkaClient {
  return new KafkaClient({ ...config, clientSoftware: { name: 'gregor-cli', version: '1' } });
}

/** A missing topic, said the way the command line says it. */
export function unknownTopicMessage(topic: string): string {
  return `Topic '${topic}' does not exist`;
}
