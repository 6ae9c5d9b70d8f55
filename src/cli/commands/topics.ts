import type { CommandModule } from 'yargs';
import { throwIfError } from '../../client/errors.js';
import type { KafkaClient } from '../../client/kafka-client.js';
import { ConfigSource } from '../../config/kafka-codes.js';
import { CreatePartitionsApi, CreateTopicsApi, DeleteTopicsApi, DescribeConfigsApi, MetadataApi } from '../../protocol/generated/apis.js';
import { createCreatePartitionsRequest, createCreatePartitionsRequestCreatePartitionsTopic } from '../../protocol/generated/clients/create-partitions-request.js';
import {
  createCreateTopicsRequest,
  createCreateTopicsRequestCreatableTopic,
  createCreateTopicsRequestCreatableTopicConfig,
} from '../../protocol/generated/clients/create-topics-request.js';
import { createDeleteTopicsRequest, createDeleteTopicsRequestDeleteTopicState } from '../../protocol/generated/clients/delete-topics-request.js';
import { createDescribeConfigsRequest, createDescribeConfigsRequestDescribeConfigsResource } from '../../protocol/generated/clients/describe-configs-request.js';
import { createMetadataRequest, createMetadataRequestTopic } from '../../protocol/generated/clients/metadata-request.js';
import type { MetadataResponseTopic } from '../../protocol/generated/clients/metadata-response.js';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import { ConfigResourceType } from '../../protocol/config-resource-type.js';
import { type ConnectionOptions, connectionOptions, withClient } from '../admin-client.js';
import {
  type CommandContext,
  type OutputFormat,
  UsageError,
  formatTable,
  outputFormat,
  outputOption,
  parseAssignment,
  printJson,
  printLine,
  runAction,
  warnLine,
} from '../command-context.js';

interface TopicsOptions extends ConnectionOptions {
  create: boolean;
  list: boolean;
  describe: boolean;
  delete: boolean;
  alter: boolean;
  topic?: string;
  partitions?: number;
  'replication-factor'?: number;
  config: string[];
  'if-not-exists': boolean;
  'if-exists': boolean;
  'exclude-internal': boolean;
  output?: string;
}

const ACTIONS = ['create', 'list', 'describe', 'delete', 'alter'] as const;
type Action = (typeof ACTIONS)[number];

/** How long the broker may take to create, delete or grow topics before it answers. */
const ADMIN_TIMEOUT_MS = 30_000;

/** A topic as --describe shows it. */
interface TopicDescription {
  name: string;
  topicId: string;
  partitionCount: number;
  replicationFactor: number;
  /** The topic's own settings, those that differ from the broker's defaults; null for a sensitive value. */
  configs: Record<string, string | null>;
  partitions: { partition: number; leader: number; replicas: number[]; isr: number[] }[];
}

/** `gregor topics` and `kafka-topics`: create, list, describe, delete and grow topics. */
export function topicsCommand(command: string, context: CommandContext): CommandModule<object, TopicsOptions> {
  return {
    command,
    describe: 'create, list, describe, delete or add partitions to topics',
    builder: (y) =>
      outputOption(
        connectionOptions(y)
          .option('create', { type: 'boolean', default: false, describe: 'create a topic' })
          .option('list', { type: 'boolean', default: false, describe: 'list the topics' })
          .option('describe', { type: 'boolean', default: false, describe: 'partitions, leaders, replicas, ISR and configs of topics' })
          .option('delete', { type: 'boolean', default: false, describe: 'delete a topic' })
          .option('alter', { type: 'boolean', default: false, describe: 'add partitions to a topic (with --partitions)' })
          .option('topic', { type: 'string', describe: 'the topic name' })
          .option('partitions', { type: 'number', describe: 'partition count (--create: default from the broker; --alter: the new, higher count)' })
          .option('replication-factor', { type: 'number', describe: 'replicas per partition (default from the broker)' })
          .option('config', { type: 'string', array: true, default: [] as string[], describe: 'a topic config name=value (repeatable)' })
          .option('if-not-exists', { type: 'boolean', default: false, describe: 'with --create: succeed when the topic exists' })
          .option('if-exists', { type: 'boolean', default: false, describe: 'with --alter, --describe or --delete: succeed when the topic does not exist' })
          .option('exclude-internal', { type: 'boolean', default: false, describe: 'leave internal topics out of --list and --describe' }),
        context,
      ),
    handler: (argv) =>
      runAction(context, () => {
        const chosen = ACTIONS.filter((a) => argv[a]);
        if (chosen.length !== 1) throw new UsageError('give exactly one of --create, --list, --describe, --delete, --alter');
        const format = outputFormat(context, argv.output);
        return withClient(argv, 'gregor-topics', warnLine(context), (client) => ACTION_RUNNERS[chosen[0]](client, argv, format));
      }),
  };
}

function requireTopic(argv: TopicsOptions, action: Action): string {
  if (argv.topic === undefined || argv.topic === '') throw new UsageError(`--${action} needs --topic`);
  return argv.topic;
}

function requireCount(value: number | undefined, flag: string, min: number): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isSafeInteger(value) || value < min) throw new UsageError(`${flag} must be an integer >= ${min}`);
  return value;
}

const ACTION_RUNNERS: Readonly<Record<Action, (client: KafkaClient, argv: TopicsOptions, format: OutputFormat) => Promise<void>>> = {
  create: createTopic,
  list: listTopics,
  describe: describeTopics,
  delete: deleteTopic,
  alter: alterTopic,
};

async function createTopic(client: KafkaClient, argv: TopicsOptions, format: OutputFormat): Promise<void> {
  const name = requireTopic(argv, 'create');
  const partitions = requireCount(argv.partitions, '--partitions', 1) ?? -1;
  const replicationFactor = requireCount(argv['replication-factor'], '--replication-factor', 1) ?? -1;
  const configs = argv.config.map((c) => {
    const [configName, value] = parseAssignment(c, '--config');
    return createCreateTopicsRequestCreatableTopicConfig({ name: configName, value });
  });
  const topic = createCreateTopicsRequestCreatableTopic({ name, numPartitions: partitions, replicationFactor, configs });
  const response = await client.sendToController(CreateTopicsApi, createCreateTopicsRequest({ topics: [topic], timeoutMs: ADMIN_TIMEOUT_MS }), {
    versions: { min: 4, max: CreateTopicsApi.maxVersion },
    timeoutMs: client.config.requestTimeoutMs + ADMIN_TIMEOUT_MS,
  });
  const result = response.topics[0];
  const existed = result.errorCode === ErrorCode.TOPIC_ALREADY_EXISTS && argv['if-not-exists'];
  if (!existed) throwIfError(result.errorCode, `creating topic ${name}`, result.errorMessage);
  if (format === 'json') printJson({ topic: name, created: !existed });
  else if (!existed) printLine(`Created topic ${name}.`);
}

/** Metadata for the named topics, or for all of them. */
async function fetchTopics(client: KafkaClient, names: readonly string[] | null): Promise<MetadataResponseTopic[]> {
  const response = await client.sendToAny(
    MetadataApi,
    createMetadataRequest({ topics: names === null ? null : names.map((name) => createMetadataRequestTopic({ name })), allowAutoTopicCreation: false }),
    { versions: { min: 1, max: MetadataApi.maxVersion } },
  );
  return response.topics;
}

async function listTopics(client: KafkaClient, argv: TopicsOptions, format: OutputFormat): Promise<void> {
  const names = (await fetchTopics(client, null))
    .filter((t) => !(argv['exclude-internal'] && t.isInternal))
    .map((t) => t.name ?? '')
    .sort();
  if (format === 'json') printJson(names);
  else for (const name of names) printLine(name);
}

async function describeTopics(client: KafkaClient, argv: TopicsOptions, format: OutputFormat): Promise<void> {
  const topics = await fetchTopics(client, argv.topic === undefined ? null : [argv.topic]);
  const found = topics.filter((t) => t.errorCode !== ErrorCode.UNKNOWN_TOPIC_OR_PARTITION && !(argv['exclude-internal'] && t.isInternal));
  if (argv.topic !== undefined && found.length === 0) {
    if (argv['if-exists']) return;
    throw new Error(`Topic '${argv.topic}' does not exist as expected`);
  }
  for (const t of found) throwIfError(t.errorCode, `describing topic ${t.name ?? ''}`);
  found.sort((a, b) => (a.name ?? '').localeCompare(b.name ?? ''));
  const descriptions = await Promise.all(found.map((t) => describeTopic(client, t)));
  printDescriptions(descriptions, format);
}

async function describeTopic(client: KafkaClient, topic: MetadataResponseTopic): Promise<TopicDescription> {
  const name = topic.name ?? '';
  const response = await client.sendToAny(
    DescribeConfigsApi,
    createDescribeConfigsRequest({ resources: [createDescribeConfigsRequestDescribeConfigsResource({ resourceType: ConfigResourceType.TOPIC, resourceName: name, configurationKeys: null })] }),
    { versions: { min: 1, max: DescribeConfigsApi.maxVersion } },
  );
  const result = response.results[0];
  throwIfError(result.errorCode, `describing the configs of topic ${name}`, result.errorMessage);
  const configs: Record<string, string | null> = {};
  for (const c of result.configs) if (c.configSource === ConfigSource.TOPIC_CONFIG) configs[c.name] = c.isSensitive ? null : c.value;
  const partitions = [...topic.partitions]
    .sort((a, b) => a.partitionIndex - b.partitionIndex)
    .map((p) => ({ partition: p.partitionIndex, leader: p.leaderId, replicas: p.replicaNodes, isr: p.isrNodes }));
  return { name, topicId: topic.topicId, partitionCount: partitions.length, replicationFactor: partitions[0]?.replicas.length ?? 0, configs, partitions };
}

function configsText(configs: Record<string, string | null>): string {
  return Object.entries(configs)
    .map(([k, v]) => `${k}=${v ?? '[hidden]'}`)
    .join(',');
}

function leaderText(leader: number): string {
  return leader < 0 ? 'none' : String(leader);
}

function printDescriptions(descriptions: readonly TopicDescription[], format: OutputFormat): void {
  if (format === 'json') {
    printJson(descriptions);
    return;
  }
  if (format === 'kafka') {
    for (const d of descriptions) {
      printLine(`Topic: ${d.name}\tTopicId: ${d.topicId}\tPartitionCount: ${d.partitionCount}\tReplicationFactor: ${d.replicationFactor}\tConfigs: ${configsText(d.configs)}`);
      for (const p of d.partitions) {
        printLine(`\tTopic: ${d.name}\tPartition: ${p.partition}\tLeader: ${leaderText(p.leader)}\tReplicas: ${p.replicas.join(',')}\tIsr: ${p.isr.join(',')}`);
      }
    }
    return;
  }
  const topicRows = descriptions.map((d) => [d.name, d.topicId, String(d.partitionCount), String(d.replicationFactor), configsText(d.configs)]);
  for (const line of formatTable(['TOPIC', 'TOPIC ID', 'PARTITIONS', 'REPLICATION FACTOR', 'CONFIGS'], topicRows)) printLine(line);
  printLine('');
  const partitionRows = descriptions.flatMap((d) => d.partitions.map((p) => [d.name, String(p.partition), leaderText(p.leader), p.replicas.join(','), p.isr.join(',')]));
  for (const line of formatTable(['TOPIC', 'PARTITION', 'LEADER', 'REPLICAS', 'ISR'], partitionRows)) printLine(line);
}

async function deleteTopic(client: KafkaClient, argv: TopicsOptions, format: OutputFormat): Promise<void> {
  const name = requireTopic(argv, 'delete');
  const response = await client.sendToController(
    DeleteTopicsApi,
    (version) =>
      version >= 6
        ? createDeleteTopicsRequest({ topics: [createDeleteTopicsRequestDeleteTopicState({ name })], timeoutMs: ADMIN_TIMEOUT_MS })
        : createDeleteTopicsRequest({ topicNames: [name], timeoutMs: ADMIN_TIMEOUT_MS }),
    { timeoutMs: client.config.requestTimeoutMs + ADMIN_TIMEOUT_MS },
  );
  const result = response.responses[0];
  const absent = result.errorCode === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
  if (absent && !argv['if-exists']) throw new Error(`Topic '${name}' does not exist as expected`);
  if (!absent) throwIfError(result.errorCode, `deleting topic ${name}`, result.errorMessage);
  if (format === 'json') printJson({ topic: name, deleted: !absent });
  else if (format === 'table' && !absent) printLine(`Deleted topic ${name}.`);
}

async function alterTopic(client: KafkaClient, argv: TopicsOptions, format: OutputFormat): Promise<void> {
  const name = requireTopic(argv, 'alter');
  const count = requireCount(argv.partitions, '--partitions', 1);
  if (count === undefined) throw new UsageError('--alter needs --partitions, the new partition count');
  const topic = createCreatePartitionsRequestCreatePartitionsTopic({ name, count, assignments: null });
  const response = await client.sendToController(CreatePartitionsApi, createCreatePartitionsRequest({ topics: [topic], timeoutMs: ADMIN_TIMEOUT_MS }), {
    timeoutMs: client.config.requestTimeoutMs + ADMIN_TIMEOUT_MS,
  });
  const result = response.results[0];
  const absent = result.errorCode === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
  if (absent && !argv['if-exists']) throw new Error(`Topic '${name}' does not exist as expected`);
  if (!absent) throwIfError(result.errorCode, `adding partitions to topic ${name}`, result.errorMessage);
  if (format === 'json') printJson({ topic: name, partitions: count, altered: !absent });
  else if (!absent) printLine(format === 'kafka' ? 'Adding partitions succeeded!' : `Topic ${name} now has ${count} partitions.`);
}
