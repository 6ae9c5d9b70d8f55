import type { CommandModule } from 'yargs';
import { throwIfError } from '../../client/errors.js';
import type { KafkaClient, SendOptions } from '../../client/kafka-client.js';
import { AlterConfigOp, ConfigSource } from '../../config/kafka-codes.js';
import { ConfigResourceType } from '../../protocol/config-resource-type.js';
import { DescribeConfigsApi, IncrementalAlterConfigsApi } from '../../protocol/generated/apis.js';
import { createDescribeConfigsRequest, createDescribeConfigsRequestDescribeConfigsResource } from '../../protocol/generated/clients/describe-configs-request.js';
import type { DescribeConfigsResponseDescribeConfigsResourceResult } from '../../protocol/generated/clients/describe-configs-response.js';
import {
  createIncrementalAlterConfigsRequest,
  createIncrementalAlterConfigsRequestAlterConfigsResource,
  createIncrementalAlterConfigsRequestAlterableConfig,
} from '../../protocol/generated/clients/incremental-alter-configs-request.js';
import type { ApiDefinition } from '../../protocol/message-codec.js';
import { type ConnectionOptions, connectionOptions, withClient } from '../admin-client.js';
import { type CommandContext, UsageError, formatTable, outputFormat, outputOption, parseAssignment, printJson, printLine, runAction, warnLine } from '../command-context.js';

interface ConfigsOptions extends ConnectionOptions {
  describe: boolean;
  alter: boolean;
  'entity-type'?: string;
  'entity-name'?: string;
  'entity-default': boolean;
  topic?: string;
  broker?: string;
  'broker-defaults': boolean;
  'add-config'?: string;
  'delete-config'?: string;
  all: boolean;
  output?: string;
}

/** The resource a command is about: a topic, one broker, or the cluster-wide broker default (name ''). */
interface Entity {
  readonly type: typeof ConfigResourceType.TOPIC | typeof ConfigResourceType.BROKER;
  readonly name: string;
}

const SOURCE_NAMES: Readonly<Record<number, string>> = {
  [ConfigSource.UNKNOWN]: 'UNKNOWN',
  [ConfigSource.TOPIC_CONFIG]: 'DYNAMIC_TOPIC_CONFIG',
  [ConfigSource.DYNAMIC_BROKER_CONFIG]: 'DYNAMIC_BROKER_CONFIG',
  [ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG]: 'DYNAMIC_DEFAULT_BROKER_CONFIG',
  [ConfigSource.STATIC_BROKER_CONFIG]: 'STATIC_BROKER_CONFIG',
  [ConfigSource.DEFAULT_CONFIG]: 'DEFAULT_CONFIG',
  [ConfigSource.DYNAMIC_BROKER_LOGGER_CONFIG]: 'DYNAMIC_BROKER_LOGGER_CONFIG',
  [ConfigSource.CLIENT_METRICS_CONFIG]: 'CLIENT_METRICS_CONFIG',
  [ConfigSource.GROUP_CONFIG]: 'GROUP_CONFIG',
};

/** `gregor configs` and `kafka-configs`: describe and change topic and broker configs. */
export function configsCommand(command: string, context: CommandContext): CommandModule<object, ConfigsOptions> {
  return {
    command,
    describe: 'describe or change the configs of a topic, a broker or the cluster-wide broker default',
    builder: (y) =>
      outputOption(
        connectionOptions(y)
          .option('describe', { type: 'boolean', default: false, describe: 'show the configs set on the entity (with --all: every config)' })
          .option('alter', { type: 'boolean', default: false, describe: 'change configs: --add-config and/or --delete-config' })
          .option('entity-type', { choices: ['topics', 'brokers'], describe: 'what the entity is' })
          .option('entity-name', { type: 'string', describe: 'the topic name or broker id' })
          .option('entity-default', { type: 'boolean', default: false, describe: 'the cluster-wide default of all brokers (with --entity-type brokers)' })
          .option('topic', { type: 'string', describe: 'shortcut for --entity-type topics --entity-name <topic>' })
          .option('broker', { type: 'string', describe: 'shortcut for --entity-type brokers --entity-name <id>' })
          .option('broker-defaults', { type: 'boolean', default: false, describe: 'shortcut for --entity-type brokers --entity-default' })
          .option('add-config', { type: 'string', describe: "configs to set: 'k1=v1,k2=[v1,v2]'" })
          .option('delete-config', { type: 'string', describe: "configs to remove (back to their defaults): 'k1,k2'" })
          .option('all', { type: 'boolean', default: false, describe: 'with --describe: every config, defaults included' }),
        context,
      ),
    handler: (argv) =>
      runAction(context, async () => {
        if (argv.describe === argv.alter) throw new UsageError('give exactly one of --describe, --alter');
        const entity = entityOf(argv);
        const format = outputFormat(context, argv.output);
        await withClient(argv, 'gregor-configs', warnLine(context), async (client) => {
          if (argv.alter) {
            await alterConfigs(client, entity, argv);
            const message = `Completed updating ${entity.name === '' ? 'default config for brokers in the cluster' : `config for ${entityLabel(entity)}`}.`;
            if (format === 'json') printJson({ entity: entityLabel(entity), updated: true });
            else printLine(message);
            return;
          }
          const configs = await describeConfigs(client, entity, argv.all);
          if (format === 'json') {
            printJson(configs.map((c) => ({ name: c.name, value: c.isSensitive ? null : c.value, source: SOURCE_NAMES[c.configSource] ?? 'UNKNOWN', sensitive: c.isSensitive, readOnly: c.readOnly })));
          } else if (format === 'table') {
            const rows = configs.map((c) => [c.name, valueText(c), SOURCE_NAMES[c.configSource] ?? 'UNKNOWN']);
            for (const line of formatTable(['NAME', 'VALUE', 'SOURCE'], rows)) printLine(line);
          } else {
            const kind = argv.all ? 'All configs' : entity.name === '' ? 'Default configs' : 'Dynamic configs';
            printLine(`${kind} for ${entity.name === '' ? 'brokers in the cluster' : entityLabel(entity)} are:`);
            for (const c of configs) printLine(`  ${c.name}=${valueText(c)} sensitive=${c.isSensitive} synonyms={${synonymsText(c)}}`);
          }
        });
      }),
  };
}

function entityOf(argv: ConfigsOptions): Entity {
  const chosen: Entity[] = [];
  if (argv.topic !== undefined) chosen.push({ type: ConfigResourceType.TOPIC, name: argv.topic });
  if (argv.broker !== undefined) chosen.push({ type: ConfigResourceType.BROKER, name: argv.broker });
  if (argv['broker-defaults']) chosen.push({ type: ConfigResourceType.BROKER, name: '' });
  if (argv['entity-type'] !== undefined) {
    const type = argv['entity-type'] === 'topics' ? ConfigResourceType.TOPIC : ConfigResourceType.BROKER;
    if (argv['entity-default']) {
      if (type !== ConfigResourceType.BROKER) throw new UsageError('--entity-default is for --entity-type brokers');
      chosen.push({ type, name: '' });
    } else if (argv['entity-name'] !== undefined && argv['entity-name'] !== '') chosen.push({ type, name: argv['entity-name'] });
    else throw new UsageError('--entity-type needs --entity-name or --entity-default');
  } else if (argv['entity-name'] !== undefined || argv['entity-default']) throw new UsageError('--entity-name and --entity-default need --entity-type');
  if (chosen.length !== 1) throw new UsageError('name one entity: --entity-type with --entity-name or --entity-default, or --topic, --broker or --broker-defaults');
  const entity = chosen[0];
  if (entity.type === ConfigResourceType.BROKER && entity.name !== '' && !/^\d+$/.test(entity.name)) throw new UsageError(`a broker is named by its node id, got '${entity.name}'`);
  return entity;
}

function entityLabel(entity: Entity): string {
  if (entity.name === '') return 'default broker';
  return `${entity.type === ConfigResourceType.TOPIC ? 'topic' : 'broker'} ${entity.name}`;
}

function valueText(c: DescribeConfigsResponseDescribeConfigsResourceResult): string {
  return c.isSensitive ? '[hidden]' : (c.value ?? 'null');
}

function synonymsText(c: DescribeConfigsResponseDescribeConfigsResourceResult): string {
  return c.synonyms.map((s) => `${SOURCE_NAMES[s.source] ?? 'UNKNOWN'}:${s.name}=${c.isSensitive ? '[hidden]' : (s.value ?? 'null')}`).join(', ');
}

/** A broker's own configs are answered by that broker; topics and the default by any. */
function send<Req, Res>(client: KafkaClient, entity: Entity, api: ApiDefinition<Req, Res>, request: Req, options: SendOptions<Res>): Promise<Res> {
  if (entity.type === ConfigResourceType.BROKER && entity.name !== '') return client.sendToBroker(Number(entity.name), api, request, options);
  return client.sendToAny(api, request, options);
}

/** The configs set on the entity itself, or (with `all`) every config. */
async function describeConfigs(client: KafkaClient, entity: Entity, all: boolean): Promise<DescribeConfigsResponseDescribeConfigsResourceResult[]> {
  const resource = createDescribeConfigsRequestDescribeConfigsResource({ resourceType: entity.type, resourceName: entity.name, configurationKeys: null });
  const response = await send(client, entity, DescribeConfigsApi, createDescribeConfigsRequest({ resources: [resource], includeSynonyms: true }), {
    versions: { min: 1, max: DescribeConfigsApi.maxVersion },
  });
  const result = response.results[0];
  throwIfError(result.errorCode, `describing the configs of ${entityLabel(entity)}`, result.errorMessage);
  const own = entity.type === ConfigResourceType.TOPIC ? ConfigSource.TOPIC_CONFIG : entity.name === '' ? ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG : ConfigSource.DYNAMIC_BROKER_CONFIG;
  return result.configs.filter((c) => all || c.configSource === own).sort((a, b) => a.name.localeCompare(b.name));
}

/** Splits Kafka's --add-config list at commas outside square brackets: `a=1,b=[x,y]`. */
function splitConfigList(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const c of text) {
    if (c === '[') depth++;
    else if (c === ']') depth = Math.max(0, depth - 1);
    if (c === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else current += c;
  }
  parts.push(current);
  return parts.map((p) => p.trim()).filter((p) => p !== '');
}

async function alterConfigs(client: KafkaClient, entity: Entity, argv: ConfigsOptions): Promise<void> {
  const set = splitConfigList(argv['add-config'] ?? '').map((entry) => {
    const [name, value] = parseAssignment(entry, '--add-config');
    const listValue = /^\[(.*)\]$/.exec(value);
    return createIncrementalAlterConfigsRequestAlterableConfig({ name, value: listValue ? listValue[1] : value, configOperation: AlterConfigOp.SET });
  });
  const removed = splitConfigList(argv['delete-config'] ?? '').map((name) =>
    createIncrementalAlterConfigsRequestAlterableConfig({ name, value: null, configOperation: AlterConfigOp.DELETE }),
  );
  if (set.length + removed.length === 0) throw new UsageError('--alter needs --add-config or --delete-config');
  const resource = createIncrementalAlterConfigsRequestAlterConfigsResource({ resourceType: entity.type, resourceName: entity.name, configs: [...set, ...removed] });
  const response = await send(client, entity, IncrementalAlterConfigsApi, createIncrementalAlterConfigsRequest({ resources: [resource] }), {});
  const result = response.responses[0];
  throwIfError(result.errorCode, `altering the configs of ${entityLabel(entity)}`, result.errorMessage);
}
