import { readFileSync } from 'node:fs';
import type { Argv, CommandModule } from 'yargs';
import { Fetcher } from '../../client/fetcher.js';
import { GroupMember } from '../../client/group-member.js';
import type { KafkaClient } from '../../client/kafka-client.js';
import { Producer } from '../../client/producer.js';
import { timerScheduler } from '../../client/scheduler.js';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import { SeededRandom } from '../../util/random.js';
import { type ConnectionOptions, connectionOptions } from '../admin-client.js';
import { type Properties, intProperty, newClient, parsePropertyFlags, readPropertiesFile, toolClientConfig, unknownTopicMessage } from '../client-properties.js';
import { type CommandContext, UsageError, formatTable, printJson, printLine, runAction, warnLine } from '../command-context.js';
import {
  CONSUMER_DETAILED_HEADER,
  CONSUMER_HEADER,
  DEFAULT_DATE_FORMAT,
  ProducerStats,
  consumerProgressLine,
  consumerSummary,
  consumerSummaryFields,
  producerSummaryLine,
} from '../perf-stats.js';
import { CONSUMER_PROPERTIES } from './consume.js';
import { PRODUCER_PROPERTIES, checkTopic, producerSettings } from './produce.js';

interface ProducerPerfOptions extends ConnectionOptions {
  topic?: string;
  'num-records'?: number;
  'record-size'?: number;
  'payload-file'?: string;
  'payload-delimiter': string;
  throughput?: number;
  'producer-props'?: string[];
  'producer.config'?: string;
  'reporting-interval': number;
  output?: string;
}

interface ConsumerPerfOptions extends ConnectionOptions {
  topic?: string;
  messages?: number;
  group?: string;
  'from-latest': boolean;
  'fetch-size'?: number;
  timeout: number;
  'reporting-interval': number;
  'show-detailed-stats': boolean;
  'hide-header': boolean;
  'date-format': string;
  'consumer.config'?: string;
  output?: string;
}

/** How many records are queued between yields to the event loop, so that batches go out while records are made. */
const YIELD_EVERY = 256;

function jsonOutput(context: CommandContext) {
  return <T>(y: Argv<T>): Argv<T & { output?: string }> =>
    context.kafkaDialect ? (y as Argv<T & { output?: string }>) : (y.option('output', { choices: ['table', 'json'], default: 'table', describe: 'lines like Kafka\'s, or the summary as JSON' }) as Argv<T & { output?: string }>);
}

/** `gregor perf produce|consume`. */
export function perfCommand(context: (command: string) => CommandContext): CommandModule {
  return {
    command: 'perf <kind>',
    describe: 'throughput and latency tests (Kafka\'s producer and consumer perf tests)',
    builder: (y) =>
      y
        .command(producerPerfCommand('produce', context('perf produce')))
        .command(consumerPerfCommand('consume', context('perf consume')))
        .demandCommand(1, 'name a test: gregor perf produce or gregor perf consume'),
    handler: () => {},
  };
}

/** `gregor perf produce` and `kafka-producer-perf-test`. */
export function producerPerfCommand(command: string, context: CommandContext): CommandModule<object, ProducerPerfOptions> {
  return {
    command,
    describe: 'produce records as fast as allowed and report throughput and latency',
    builder: (y) =>
      jsonOutput(context)(
        connectionOptions(y)
          .parserConfiguration({ 'dot-notation': false })
          .option('topic', { type: 'string', describe: 'the topic to produce to' })
          .option('num-records', { type: 'number', describe: 'how many records to send' })
          .option('record-size', { type: 'number', describe: 'bytes per record (random uppercase letters)' })
          .option('payload-file', { type: 'string', describe: 'take payloads at random from this file, split at --payload-delimiter' })
          .option('payload-delimiter', { type: 'string', default: '\\n', describe: 'the delimiter of --payload-file' })
          .option('throughput', { type: 'number', describe: 'records per second at most; -1 for no limit' })
          .option('producer-props', { type: 'string', array: true, describe: 'producer properties name=value: bootstrap.servers, acks, compression.type, batch.size, linger.ms, ...' })
          .option('producer.config', { type: 'string', describe: 'a .properties file of producer properties' })
          .option('reporting-interval', { type: 'number', default: 5000, describe: 'ms between progress lines' }),
      ),
    handler: (argv) => runAction(context, () => producerPerf(argv, context)),
  };
}

/** `gregor perf consume` and `kafka-consumer-perf-test`. */
export function consumerPerfCommand(command: string, context: CommandContext): CommandModule<object, ConsumerPerfOptions> {
  return {
    command,
    describe: 'consume records as fast as possible and report throughput',
    builder: (y) =>
      jsonOutput(context)(
        connectionOptions(y)
          .parserConfiguration({ 'dot-notation': false })
          .option('topic', { type: 'string', describe: 'the topic to consume' })
          .option('messages', { type: 'number', describe: 'how many records to consume' })
          .option('group', { type: 'string', describe: 'consume as a member of this group (default: every partition, no group)' })
          .option('from-latest', { type: 'boolean', default: false, describe: 'start at the log end where there is no committed offset (default: the earliest)' })
          .option('fetch-size', { type: 'number', describe: 'bytes fetched per partition per request (default 1048576)' })
          .option('timeout', { type: 'number', default: 10_000, describe: 'give up after this many ms without a record' })
          .option('reporting-interval', { type: 'number', default: 5000, describe: 'ms between --show-detailed-stats lines' })
          .option('show-detailed-stats', { type: 'boolean', default: false, describe: 'print a line per reporting interval' })
          .option('hide-header', { type: 'boolean', default: false, describe: 'leave out the header line' })
          .option('date-format', { type: 'string', default: DEFAULT_DATE_FORMAT, describe: 'how times are printed (SimpleDateFormat letters y M d H m s S)' })
          .option('consumer.config', { type: 'string', describe: 'a .properties file of consumer properties' }),
      ),
    handler: (argv) => runAction(context, () => consumerPerf(argv, context)),
  };
}

function requireInt(value: number | undefined, flag: string, min: number): number {
  if (value === undefined) throw new UsageError(`--${flag} is required`);
  if (!Number.isSafeInteger(value) || value < min) throw new UsageError(`--${flag} must be an integer >= ${min}`);
  return value;
}

async function closeQuietly(client: KafkaClient): Promise<void> {
  try {
    await client.close();
  } catch {
    // Closing never hides the error that ended the command.
  }
}

function payloads(argv: ProducerPerfOptions): Buffer[] {
  const hasSize = argv['record-size'] !== undefined;
  if (hasSize === (argv['payload-file'] !== undefined)) throw new UsageError('Either --record-size or --payload-file must be specified but not both.');
  if (hasSize) {
    const size = requireInt(argv['record-size'], 'record-size', 0);
    // Kafka's payload: random uppercase letters, the same for every record.
    const random = new SeededRandom(Date.now());
    return [Buffer.from(Array.from({ length: size }, () => 65 + random.int(26)))];
  }
  let text: string;
  try {
    text = readFileSync(argv['payload-file']!, 'utf8');
  } catch (err) {
    throw new Error(`cannot read --payload-file ${argv['payload-file']}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const delimiter = argv['payload-delimiter'].replace(/\\n/g, '\n').replace(/\\t/g, '\t');
  const list = text.split(delimiter).filter((p) => p !== '').map((p) => Buffer.from(p));
  if (list.length === 0) throw new Error(`File is empty: ${argv['payload-file']}`);
  return list;
}

async function producerPerf(argv: ProducerPerfOptions, context: CommandContext): Promise<void> {
  const warn = warnLine(context);
  const topic = argv.topic;
  if (topic === undefined || topic === '') throw new UsageError('--topic is required');
  const numRecords = requireInt(argv['num-records'], 'num-records', 0);
  if (argv.throughput === undefined) throw new UsageError('--throughput is required (-1 for no limit)');
  const throughput = argv.throughput;
  const reportingInterval = requireInt(argv['reporting-interval'], 'reporting-interval', 1);
  const bodies = payloads(argv);
  const properties: Properties = argv['producer.config'] === undefined ? new Map() : readPropertiesFile(argv['producer.config'], '--producer.config');
  for (const [k, v] of parsePropertyFlags(argv['producer-props'], '--producer-props')) properties.set(k, v);
  const settings = producerSettings(properties);
  const json = !context.kafkaDialect && argv.output === 'json';
  const progress = json ? (line: string) => process.stderr.write(`${line}\n`) : printLine;

  const client = newClient(toolClientConfig(argv, 'perf-producer-client', properties, PRODUCER_PROPERTIES, warn, true));
  try {
    const producer = new Producer(client, { ...settings, requestTimeoutMs: intProperty(properties, 'request.timeout.ms', 30_000, 1) });
    await checkTopic(producer, topic, undefined);
    const random = new SeededRandom(Date.now());
    const start = Date.now();
    const stats = new ProducerStats(numRecords, reportingInterval, start, progress);
    let failure: Error | null = null;
    for (let i = 0; i < numRecords && failure === null; i++) {
      const payload = bodies.length === 1 ? bodies[0] : random.pick(bodies);
      const sendStart = Date.now();
      producer.send({ topic, key: null, value: payload }).then(
        () => {
          const now = Date.now();
          stats.record(now - sendStart, payload.length, now);
        },
        (err: Error) => {
          failure ??= err;
        },
      );
      if (throughput > 0) {
        // Kafka's ThroughputThrottler: no faster than `throughput` records per second on average.
        const due = start + ((i + 1) * 1000) / throughput;
        if (due - Date.now() >= 1) await new Promise((resolve) => setTimeout(resolve, due - Date.now()));
      } else if (throughput === 0) {
        await new Promise(() => {});
      }
      if (producer.bufferedBytes >= settings.bufferMemory) await producer.whenBufferedBelow(settings.bufferMemory);
      else if (i % YIELD_EVERY === YIELD_EVERY - 1) await new Promise((resolve) => setImmediate(resolve));
    }
    await producer.flush();
    // The record callbacks run after the answers that settled them.
    await new Promise((resolve) => setImmediate(resolve));
    if (failure) throw failure;
    const summary = stats.summary(Date.now());
    if (json) printJson(summary);
    else printLine(producerSummaryLine(summary));
  } finally {
    await closeQuietly(client);
  }
}

async function consumerPerf(argv: ConsumerPerfOptions, context: CommandContext): Promise<void> {
  const warn = warnLine(context);
  const topic = argv.topic;
  if (topic === undefined || topic === '') throw new UsageError('--topic is required');
  const messages = requireInt(argv.messages, 'messages', 1);
  const timeout = requireInt(argv.timeout, 'timeout', 1);
  const reportingInterval = requireInt(argv['reporting-interval'], 'reporting-interval', 1);
  const properties: Properties = argv['consumer.config'] === undefined ? new Map() : readPropertiesFile(argv['consumer.config'], '--consumer.config');
  const groupId = argv.group ?? properties.get('group.id');
  const json = !context.kafkaDialect && argv.output === 'json';
  const dateFormat = argv['date-format'];

  const client = newClient(toolClientConfig(argv, 'perf-consumer-client', properties, CONSUMER_PROPERTIES, warn, false));
  try {
    const metadata = await client.metadata([topic]);
    const t = metadata.topics.get(topic);
    if (t === undefined || t.errorCode === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) throw new Error(unknownTopicMessage(topic));
    const fetcher = new Fetcher(client, {
      offsetReset: argv['from-latest'] ? 'latest' : 'earliest',
      partitionMaxBytes: argv['fetch-size'] ?? intProperty(properties, 'max.partition.fetch.bytes', 1_048_576, 1),
      maxWaitMs: intProperty(properties, 'fetch.max.wait.ms', 500),
    });
    const member =
      groupId === undefined
        ? null
        : new GroupMember(
            { groupId, topics: [topic], sessionTimeoutMs: intProperty(properties, 'session.timeout.ms', 45_000, 1), requestTimeoutMs: client.config.requestTimeoutMs },
            {
              send: (api, request, options) => client.sendToGroupCoordinator(groupId, api, request, options),
              partitionCounts: async (topics) => {
                const m = await client.metadata(topics);
                return new Map(topics.flatMap((name) => (m.topics.get(name)?.errorCode === ErrorCode.NONE ? [[name, m.topics.get(name)!.partitions.size] as const] : [])));
              },
              scheduler: timerScheduler,
            },
          );
    const startMs = Date.now();
    let joinTimeMs = 0;
    let count = 0;
    let bytes = 0;
    const consumed = new Map<number, number>();
    try {
      let ids = [...t.partitions.keys()].sort((a, b) => a - b);
      let committed: Map<number, number | null> | undefined;
      if (member) {
        const joinStart = Date.now();
        ids = [...(await member.join()).partitions.get(topic) ?? []];
        joinTimeMs = Date.now() - joinStart;
        committed = (await member.committed(new Map([[topic, ids]]))).get(topic);
      }
      fetcher.assign(ids.map((partition) => ({ topic, partition, offset: committed?.get(partition) ?? null })));
      if (!json && !argv['hide-header'] && argv['show-detailed-stats']) printLine(CONSUMER_DETAILED_HEADER);
      let lastConsumedAt = Date.now();
      let intervalStart = startMs;
      let lastBytes = 0;
      let lastCount = 0;
      while (count < messages) {
        const records = ids.length === 0 ? [] : await fetcher.poll(Math.min(500, Math.max(0, timeout - (Date.now() - lastConsumedAt))));
        for (const r of records) {
          count++;
          bytes += r.sizeInBytes;
          consumed.set(r.partition, r.offset + 1);
          if (count >= messages) break;
        }
        const now = Date.now();
        if (records.length > 0) lastConsumedAt = now;
        else if (now - lastConsumedAt >= timeout) {
          process.stderr.write(`WARNING: Exiting before consuming the expected number of messages: timeout (${timeout} ms) exceeded. You can use the --timeout option to increase the timeout.\n`);
          break;
        }
        if (argv['show-detailed-stats'] && now - intervalStart >= reportingInterval) {
          const line = consumerProgressLine(now, dateFormat, bytes, lastBytes, count, lastCount, intervalStart, intervalStart === startMs ? joinTimeMs : 0);
          if (json) process.stderr.write(`${line}\n`);
          else printLine(line);
          intervalStart = now;
          lastBytes = bytes;
          lastCount = count;
        }
      }
      if (member && consumed.size > 0) await member.commit([...consumed].map(([partition, offset]) => ({ topic, partition, offset })));
    } finally {
      if (member) await member.leave().catch(() => member.close());
    }
    const endMs = Date.now();
    const summary = consumerSummary(startMs, endMs, bytes, count, joinTimeMs);
    if (json) printJson(summary);
    else if (context.kafkaDialect) {
      if (!argv['show-detailed-stats']) {
        if (!argv['hide-header']) printLine(CONSUMER_HEADER);
        printLine(consumerSummaryFields(summary, dateFormat).join(', '));
      }
    } else if (!argv['show-detailed-stats']) {
      const headers = CONSUMER_HEADER.split(', ');
      const rows = [consumerSummaryFields(summary, dateFormat)];
      for (const line of argv['hide-header'] ? formatTable(headers, rows).slice(1) : formatTable(headers, rows)) printLine(line);
    }
  } finally {
    await closeQuietly(client);
  }
}

