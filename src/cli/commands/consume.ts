import { once } from 'node:events';
import type { CommandModule } from 'yargs';
import { KafkaProtocolError } from '../../client/errors.js';
import type { ConsumedRecord } from '../../client/fetched-records.js';
import { EARLIEST_TIMESTAMP, Fetcher, IsolationLevel, LATEST_TIMESTAMP, type OffsetReset } from '../../client/fetcher.js';
import { GroupMember, RebalanceNeededError } from '../../client/group-member.js';
import type { KafkaClient } from '../../client/kafka-client.js';
import { timerScheduler } from '../../client/scheduler.js';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import { type ConnectionOptions, connectionOptions } from '../admin-client.js';
import { type Properties, intProperty, newClient, parsePropertyFlags, readPropertiesFile, toolClientConfig, unknownTopicMessage } from '../client-properties.js';
import { type CommandContext, UsageError, runAction, warnLine } from '../command-context.js';
import { FORMATTER_PROPERTIES, MessageFormatter, recordJson } from '../message-formatter.js';

interface ConsumeOptions extends ConnectionOptions {
  topic?: string;
  partition?: number;
  offset?: string;
  'from-beginning': boolean;
  group?: string;
  'max-messages'?: number;
  'timeout-ms'?: number;
  'isolation-level': string;
  property?: string[];
  'consumer-property'?: string[];
  'consumer.config'?: string;
  formatter?: string;
  output?: string;
}

/** The consumer properties the console consumer and the consumer perf test use. */
export const CONSUMER_PROPERTIES: ReadonlySet<string> = new Set([
  'group.id',
  'auto.offset.reset',
  'isolation.level',
  'fetch.max.wait.ms',
  'fetch.min.bytes',
  'fetch.max.bytes',
  'max.partition.fetch.bytes',
  'session.timeout.ms',
  'heartbeat.interval.ms',
  'max.poll.interval.ms',
  'auto.commit.interval.ms',
  'enable.auto.commit',
]);

/** Kafka's default formatter, under its old and new class names. */
const DEFAULT_FORMATTERS = new Set(['kafka.tools.DefaultMessageFormatter', 'org.apache.kafka.tools.consumer.DefaultMessageFormatter']);

const ISOLATION_LEVELS: Readonly<Record<string, IsolationLevel>> = { read_uncommitted: IsolationLevel.ReadUncommitted, read_committed: IsolationLevel.ReadCommitted };

/** `gregor consume` and `kafka-console-consumer`: print records of a topic. */
export function consumeCommand(command: string, context: CommandContext): CommandModule<object, ConsumeOptions> {
  return {
    command,
    describe: "print a topic's records (Kafka's console consumer)",
    builder: (y) => {
      const built = connectionOptions(y)
        .parserConfiguration({ 'dot-notation': false })
        .option('topic', { type: 'string', describe: 'the topic to consume' })
        .option('partition', { type: 'number', describe: 'consume only this partition (without a group: every partition)' })
        .option('offset', { type: 'string', describe: "with --partition: 'earliest', 'latest' (the default) or an offset" })
        .option('from-beginning', { type: 'boolean', default: false, describe: 'start at the earliest offset when there is no committed offset' })
        .option('group', { type: 'string', describe: 'join this consumer group; offsets of printed records are committed' })
        .option('max-messages', { type: 'number', describe: 'exit after printing this many records' })
        .option('timeout-ms', { type: 'number', describe: 'exit when no record arrived for this long' })
        .option('isolation-level', { choices: ['read_uncommitted', 'read_committed'], default: 'read_uncommitted', describe: 'read_committed skips aborted transactions and stops at the last stable offset' })
        .option('property', { type: 'string', array: true, describe: 'a formatter property name=value: print.key, print.value, print.timestamp, print.partition, print.offset, print.headers, key.separator, line.separator, headers.separator, null.literal' })
        .option('consumer-property', { type: 'string', array: true, describe: 'a consumer property name=value (group.id, auto.offset.reset, fetch.max.wait.ms, ...)' })
        .option('consumer.config', { type: 'string', describe: 'a .properties file of consumer properties' })
        .option('formatter', { type: 'string', describe: 'only Kafka\'s DefaultMessageFormatter is available' });
      if (context.kafkaDialect) return built as typeof built & { output?: string };
      return built.option('output', { choices: ['text', 'json'], default: 'text', describe: "text: Kafka's console consumer lines; json: one JSON object per record" });
    },
    handler: (argv) => runAction(context, () => consume(argv, context)),
  };
}

/** Where a partition starts: an offset, a ListOffsets timestamp, or null for the group's committed offset / auto.offset.reset. */
type StartOffset = { offset: number } | { timestamp: number } | null;

function parseStartOffset(argv: ConsumeOptions): StartOffset {
  if (argv.offset === undefined) return null;
  if (argv.partition === undefined) throw new UsageError('The partition is required when offset is specified.');
  if (argv['from-beginning']) throw new UsageError('Options from-beginning and offset cannot be specified together.');
  if (argv.offset === 'earliest') return { timestamp: EARLIEST_TIMESTAMP };
  if (argv.offset === 'latest') return { timestamp: LATEST_TIMESTAMP };
  if (/^\d+$/.test(argv.offset) && Number.isSafeInteger(Number(argv.offset))) return { offset: Number(argv.offset) };
  throw new UsageError(`The provided offset value '${argv.offset}' is incorrect. Valid values are 'earliest', 'latest', or a non-negative long.`);
}

function positiveInt(value: number | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isSafeInteger(value) || value < 1) throw new UsageError(`${flag} must be an integer >= 1`);
  return value;
}

/** Writes to stdout, waiting while the pipe is full; resolves false once stdout is gone (EPIPE). */
class Output {
  closed = false;

  constructor() {
    process.stdout.on('error', () => {
      this.closed = true;
    });
  }

  async write(chunk: string | Buffer): Promise<void> {
    if (this.closed) return;
    if (!process.stdout.write(chunk)) await Promise.race([once(process.stdout, 'drain'), once(process.stdout, 'error')]).catch(() => {});
  }
}

async function consume(argv: ConsumeOptions, context: CommandContext): Promise<void> {
  const warn = warnLine(context);
  const topic = argv.topic;
  if (topic === undefined || topic === '') throw new UsageError('--topic is required');
  if (argv.partition !== undefined && (!Number.isSafeInteger(argv.partition) || argv.partition < 0)) throw new UsageError('--partition must be a partition id >= 0');
  const start = parseStartOffset(argv);
  const maxMessages = positiveInt(argv['max-messages'], '--max-messages');
  const timeoutMs = positiveInt(argv['timeout-ms'], '--timeout-ms');
  if (argv.formatter !== undefined && !DEFAULT_FORMATTERS.has(argv.formatter)) throw new UsageError(`--formatter ${argv.formatter} is not available: only kafka.tools.DefaultMessageFormatter`);
  const formatterProperties = parsePropertyFlags(argv.property, '--property');
  for (const name of formatterProperties.keys()) if (!FORMATTER_PROPERTIES.has(name)) warn(`--property ${name} is not a formatter property; ignored`);
  const formatter = new MessageFormatter(formatterProperties);
  const json = !context.kafkaDialect && argv.output === 'json';

  const properties: Properties = argv['consumer.config'] === undefined ? new Map() : readPropertiesFile(argv['consumer.config'], '--consumer.config');
  for (const [k, v] of parsePropertyFlags(argv['consumer-property'], '--consumer-property')) properties.set(k, v);
  const groupId = argv.group ?? properties.get('group.id');
  const isolation = ISOLATION_LEVELS[properties.get('isolation.level') ?? argv['isolation-level']];
  if (isolation === undefined) throw new UsageError(`isolation.level must be read_uncommitted or read_committed, got '${properties.get('isolation.level')}'`);
  const reset = argv['from-beginning'] ? 'earliest' : (properties.get('auto.offset.reset') ?? 'latest');
  if (reset !== 'earliest' && reset !== 'latest' && reset !== 'none') throw new UsageError(`auto.offset.reset must be earliest, latest or none, got '${reset}'`);

  const client = newClient(toolClientConfig(argv, 'console-consumer', properties, CONSUMER_PROPERTIES, warn, false));
  const session: Session = {
    client,
    topic,
    partition: argv.partition,
    start,
    groupId,
    properties,
    maxMessages,
    timeoutMs,
    isolation,
    reset,
    print: json ? (r) => `${recordJson(r)}\n` : (r) => formatter.format(r),
    count: 0,
    stopping: false,
  };
  const stop = (): void => {
    session.stopping = true;
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  try {
    await run(session);
    // Kafka's last line; after a failure the error is the one line instead.
    process.stderr.write(`Processed a total of ${session.count} messages\n`);
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    try {
      await client.close();
    } catch {
      // Closing never hides the error that ended the command.
    }
  }
}

interface Session {
  readonly client: KafkaClient;
  readonly topic: string;
  readonly partition: number | undefined;
  readonly start: StartOffset;
  readonly groupId: string | undefined;
  readonly properties: Properties;
  readonly maxMessages: number | undefined;
  readonly timeoutMs: number | undefined;
  readonly isolation: IsolationLevel;
  readonly reset: OffsetReset;
  readonly print: (record: ConsumedRecord) => string | Buffer;
  count: number;
  stopping: boolean;
}

/** The partition count of an existing topic; one clear line when it does not exist. */
async function partitionCount(client: KafkaClient, topic: string): Promise<number> {
  for (let attempt = 0; ; attempt++) {
    const metadata = attempt === 0 ? await client.metadata([topic]) : await client.refreshMetadata();
    const t = metadata.topics.get(topic);
    if (t === undefined || t.errorCode === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) throw new Error(unknownTopicMessage(topic));
    if (t.errorCode === ErrorCode.NONE) return t.partitions.size;
    if (attempt >= 5) throw new KafkaProtocolError(t.errorCode, `metadata for topic ${topic}`);
    await new Promise((resolve) => setTimeout(resolve, 100 * 2 ** attempt));
  }
}

async function run(s: Session): Promise<void> {
  const { client, topic } = s;
  const partitions = await partitionCount(client, topic);
  if (s.partition !== undefined && s.partition >= partitions) throw new Error(`Topic '${topic}' has no partition ${s.partition} (it has ${partitions})`);
  const fetcher = new Fetcher(client, {
    isolationLevel: s.isolation,
    offsetReset: s.reset,
    maxWaitMs: intProperty(s.properties, 'fetch.max.wait.ms', 500),
    minBytes: intProperty(s.properties, 'fetch.min.bytes', 1),
    maxBytes: intProperty(s.properties, 'fetch.max.bytes', 52_428_800, 1),
    partitionMaxBytes: intProperty(s.properties, 'max.partition.fetch.bytes', 1_048_576, 1),
  });
  const member =
    s.groupId === undefined
      ? null
      : new GroupMember(
          {
            groupId: s.groupId,
            topics: [topic],
            sessionTimeoutMs: intProperty(s.properties, 'session.timeout.ms', 45_000, 1),
            heartbeatIntervalMs: intProperty(s.properties, 'heartbeat.interval.ms', 3_000, 1),
            rebalanceTimeoutMs: intProperty(s.properties, 'max.poll.interval.ms', 300_000, 1),
            requestTimeoutMs: client.config.requestTimeoutMs,
          },
          {
            send: (api, request, options) => client.sendToGroupCoordinator(s.groupId!, api, request, options),
            partitionCounts: async (topics) => {
              const metadata = await client.metadata(topics);
              return new Map(topics.flatMap((t) => (metadata.topics.get(t)?.errorCode === ErrorCode.NONE ? [[t, metadata.topics.get(t)!.partitions.size] as const] : [])));
            },
            scheduler: timerScheduler,
          },
        );
  // With --partition the partition is assigned (the group, if any, only keeps offsets);
  // without it a group member gets its partitions from the group, and no group means all of them.
  const subscribed = member !== null && s.partition === undefined;
  const autoCommit = member !== null && s.properties.get('enable.auto.commit') !== 'false';
  const commitIntervalMs = intProperty(s.properties, 'auto.commit.interval.ms', 5_000);
  /** The next offset of each partition after the records printed, not yet committed. */
  const printed = new Map<string, { topic: string; partition: number; offset: number }>();
  const commit = async (): Promise<void> => {
    if (!member || printed.size === 0) return;
    const offsets = [...printed.values()];
    printed.clear();
    try {
      await member.commit(offsets, subscribed);
    } catch (err) {
      // The partitions went elsewhere: their new owner starts from the last commit.
      if (!(err instanceof RebalanceNeededError)) throw err;
    }
  };
  const assign = async (ids: readonly number[]): Promise<void> => {
    const committed = member === null || ids.length === 0 ? null : (await member.committed(new Map([[topic, ids]]))).get(topic);
    const positions = await Promise.all(
      ids.map(async (partition) => {
        let offset: number | null = committed?.get(partition) ?? null;
        if (s.start !== null) offset = 'offset' in s.start ? s.start.offset : await fetcher.listOffset(topic, partition, s.start.timestamp);
        return { topic, partition, offset };
      }),
    );
    fetcher.assign(positions);
  };
  const out = new Output();
  try {
    if (!subscribed) await assign(s.partition !== undefined ? [s.partition] : Array.from({ length: partitions }, (_, i) => i));
    let idleSince = Date.now();
    let lastCommit = Date.now();
    while (!s.stopping && !out.closed) {
      if (subscribed && member.rejoinNeeded) {
        await commit();
        const assignment = await member.join();
        await assign(assignment.partitions.get(topic) ?? []);
        idleSince = Date.now();
      }
      const maxWait = s.timeoutMs === undefined ? undefined : Math.max(0, Math.min(500, s.timeoutMs - (Date.now() - idleSince)));
      const records = fetcher.assignment().length === 0 ? await idle(maxWait ?? 500) : await fetcher.poll(maxWait);
      for (const record of records) {
        if (s.stopping || out.closed) break;
        await out.write(s.print(record));
        s.count++;
        printed.set(`${record.partition}`, { topic: record.topic, partition: record.partition, offset: record.offset + 1 });
        if (s.maxMessages !== undefined && s.count >= s.maxMessages) s.stopping = true;
      }
      if (records.length > 0) idleSince = Date.now();
      else if (s.timeoutMs !== undefined && Date.now() - idleSince >= s.timeoutMs) break;
      if (autoCommit && Date.now() - lastCommit >= commitIntervalMs) {
        lastCommit = Date.now();
        await commit();
      }
    }
    await commit();
  } finally {
    if (member) await member.leave().catch(() => member.close());
  }
}

/** A member with no partitions (more members than partitions) waits, heartbeating, for a rebalance. */
function idle(ms: number): Promise<ConsumedRecord[]> {
  return new Promise((resolve) => setTimeout(() => resolve([]), ms));
}
