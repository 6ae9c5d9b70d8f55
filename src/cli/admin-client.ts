import { readFileSync } from 'node:fs';
import type { Argv } from 'yargs';
import type { KafkaClientConfig } from '../client/client-config.js';
import { KafkaClient } from '../client/kafka-client.js';
import { parseProperties } from '../config/properties-file.js';

/** The options every command that talks to a cluster takes, with Kafka's tools' names. */
export interface ConnectionOptions {
  'bootstrap-server'?: string;
  'command-config'?: string;
}

export function connectionOptions<T>(y: Argv<T>): Argv<T & ConnectionOptions> {
  return y
    .option('bootstrap-server', { type: 'string', describe: 'host:port[,host:port] of the brokers (default localhost:9092)' })
    .option('command-config', { type: 'string', describe: 'a .properties file of client settings (bootstrap.servers, client.id, request.timeout.ms, ...)' }) as Argv<
    T & ConnectionOptions
  >;
}

type NumericSetting = 'requestTimeoutMs' | 'retries' | 'retryBackoffMs' | 'retryBackoffMaxMs' | 'metadataMaxAgeMs' | 'connectionsMaxIdleMs' | 'socketConnectionSetupTimeoutMs';

/** Kafka's client property names that take a number, and the KafkaClientConfig field of each. */
export const NUMERIC_PROPERTIES: Readonly<Record<string, NumericSetting>> = {
  'request.timeout.ms': 'requestTimeoutMs',
  retries: 'retries',
  'retry.backoff.ms': 'retryBackoffMs',
  'retry.backoff.max.ms': 'retryBackoffMaxMs',
  'metadata.max.age.ms': 'metadataMaxAgeMs',
  'connections.max.idle.ms': 'connectionsMaxIdleMs',
  'socket.connection.setup.timeout.ms': 'socketConnectionSetupTimeoutMs',
};

/**
 * The client settings from --command-config and --bootstrap-server (which wins over the file's
 * bootstrap.servers, as in Kafka's tools). Properties the client does not use are reported on
 * `warn` and skipped, as Kafka's tools log unused configs.
 */
export function clientConfig(options: ConnectionOptions, clientId: string, warn: (line: string) => void): KafkaClientConfig {
  const settings: { -readonly [K in keyof KafkaClientConfig]: KafkaClientConfig[K] } = { bootstrapServers: 'localhost:9092', clientId };
  const file = options['command-config'];
  if (file !== undefined) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw new Error(`cannot read --command-config ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    for (const entry of parseProperties(text)) {
      if (entry.problem) throw new Error(`${file}:${entry.line}: ${entry.problem}`);
      const field = NUMERIC_PROPERTIES[entry.key];
      if (field !== undefined) {
        const value = Number(entry.value);
        if (entry.value.trim() === '' || !Number.isFinite(value)) throw new Error(`${file}:${entry.line}: ${entry.key} must be a number, got '${entry.value}'`);
        settings[field] = value;
      } else if (entry.key === 'bootstrap.servers') settings.bootstrapServers = entry.value;
      else if (entry.key === 'client.id') settings.clientId = entry.value;
      else warn(`${file}:${entry.line}: ${entry.key} is not a client setting Gregor uses; ignored`);
    }
  }
  if (options['bootstrap-server'] !== undefined) settings.bootstrapServers = options['bootstrap-server'];
  return settings;
}

/** Runs `body` with a client of the cluster, closing it afterwards. */
export async function withClient<T>(options: ConnectionOptions, clientId: string, warn: (line: string) => void, body: (client: KafkaClient) => Promise<T>): Promise<T> {
  const client = new KafkaClient({ ...clientConfig(options, clientId, warn), clientSoftware: { name: 'gregor-cli', version: '1' } });
  try {
    return await body(client);
  } finally {
    await client.close();
  }
}
