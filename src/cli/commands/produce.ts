import { createReadStream, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { CommandModule } from 'yargs';
import { KafkaProtocolError } from '../../client/errors.js';
import type { KafkaClient } from '../../client/kafka-client.js';
import { Producer } from '../../client/producer.js';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import { CompressionType } from '../../protocol/records/batch-header.js';
import { type ConnectionOptions, connectionOptions } from '../admin-client.js';
import { type Properties, intProperty, newClient, parsePropertyFlags, readPropertiesFile, toolClientConfig, unknownTopicMessage } from '../client-properties.js';
import { type CommandContext, UsageError, formatTable, outputFormat, outputOption, printJson, printLine, runAction, warnLine } from '../command-context.js';
import { LINE_READER_PROPERTIES, LineMessageReader, LineParseError } from '../line-message-reader.js';

interface ProduceOptions extends ConnectionOptions {
  topic?: string;
  file?: string;
  property?: string[];
  'producer-property'?: string[];
  'producer.config'?: string;
  'compression-codec'?: string;
  'request-required-acks'?: string;
  partition?: number;
  'batch-size'?: number;
  timeout?: number;
  sync: boolean;
  'request-timeout-ms'?: number;
  'message-send-max-retries'?: number;
  'retry-backoff-ms'?: number;
  output?: string;
}

/** compression.type names, as Kafka spells them. */
export const COMPRESSION_CODECS: Readonly<Record<string, CompressionType>> = {
  none: CompressionType.None,
  gzip: CompressionType.Gzip,
  snappy: CompressionType.Snappy,
  lz4: CompressionType.Lz4,
  zstd: CompressionType.Zstd,
};

/** The producer properties the console producer and the producer perf test use. */
export const PRODUCER_PROPERTIES: ReadonlySet<string> = new Set(['acks', 'compression.type', 'batch.size', 'linger.ms', 'max.in.flight.requests.per.connection', 'buffer.memory']);

/** Once this many bytes wait for an answer, reading stops until some are answered (buffer.memory). */
const DEFAULT_BUFFER_MEMORY = 33_554_432;

/** What was sent to one partition. */
interface PartitionReport {
  topic: string;
  partition: number;
  records: number;
  /** Null with acks=0, which gets no offsets back. */
  firstOffset: number | null;
  lastOffset: number | null;
}

export function parseAcks(text: string): -1 | 0 | 1 {
  if (text === 'all' || text === '-1') return -1;
  if (text === '0' || text === '1') return Number(text) as 0 | 1;
  throw new UsageError(`acks must be all, -1, 0 or 1, got '${text}'`);
}

export function parseCompression(text: string): CompressionType {
  const codec = COMPRESSION_CODECS[text.trim().toLowerCase()];
  if (codec === undefined) throw new UsageError(`compression codec must be one of none, gzip, snappy, lz4, zstd, got '${text}'`);
  return codec;
}

/** The producer settings from properties: flags given on the command line were merged in before. */
export function producerSettings(properties: Properties) {
  return {
    acks: parseAcks(properties.get('acks') ?? 'all'),
    compression: parseCompression(properties.get('compression.type') ?? 'none'),
    batchSize: intProperty(properties, 'batch.size', 16_384, 1),
    lingerMs: intProperty(properties, 'linger.ms', 0),
    maxInFlight: intProperty(properties, 'max.in.flight.requests.per.connection', 5, 1),
    bufferMemory: intProperty(properties, 'buffer.memory', DEFAULT_BUFFER_MEMORY, 1),
  };
}

/**
 * The metadata of the topic to produce to, failing with one clear line when it does not exist
 * (and the broker does not create it) or has no such partition.
 */
export async function checkTopic(producer: Producer, topic: string, partition: number | undefined): Promise<number> {
  let partitions: number;
  try {
    partitions = (await producer.topicMetadata(topic)).partitions.size;
  } catch (err) {
    if (err instanceof KafkaProtocolError && err.errorCode === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) throw new Error(unknownTopicMessage(topic));
    throw err;
  }
  if (partition !== undefined && (partition < 0 || partition >= partitions)) throw new Error(`Topic '${topic}' has no partition ${partition} (it has ${partitions})`);
  return partitions;
}

/** `gregor produce` and `kafka-console-producer`: records from lines of stdin or a file. */
export function produceCommand(command: string, context: CommandContext): CommandModule<object, ProduceOptions> {
  return {
    command,
    describe: 'send lines of stdin or a file as records (Kafka\'s console producer)',
    builder: (y) =>
      outputOption(
        connectionOptions(y)
          .parserConfiguration({ 'dot-notation': false })
          .option('topic', { type: 'string', describe: 'the topic to produce to' })
          .option('file', { type: 'string', describe: 'read lines from this file instead of stdin' })
          .option('property', { type: 'string', array: true, describe: 'a line reader property name=value: parse.key, key.separator, parse.headers, headers.delimiter, headers.separator, headers.key.separator, null.marker, ignore.error' })
          .option('producer-property', { type: 'string', array: true, describe: 'a producer property name=value (acks, compression.type, batch.size, linger.ms, ...)' })
          .option('producer.config', { type: 'string', describe: 'a .properties file of producer properties' })
          .option('compression-codec', { type: 'string', describe: 'none, gzip (the default when the flag has no value), snappy, lz4 or zstd' })
          .option('request-required-acks', { alias: 'acks', type: 'string', describe: 'all or -1 (the default), 1, or 0' })
          .option('partition', { type: 'number', describe: 'send every record to this partition (default: murmur2 of the key; sticky for records without a key)' })
          .option('batch-size', { type: 'number', describe: 'bytes of records per partition batch (default 16384)' })
          .option('timeout', { alias: 'linger', type: 'number', describe: 'ms a batch that is not full waits for more records (linger.ms; default 1000)' })
          .option('sync', { type: 'boolean', default: false, describe: 'send each record on its own and wait for its answer' })
          .option('request-timeout-ms', { type: 'number', describe: 'how long the leader may take to answer (default 1500)' })
          .option('message-send-max-retries', { type: 'number', describe: 'retries of a failed send (default 3)' })
          .option('retry-backoff-ms', { type: 'number', describe: 'the first retry backoff (default 100)' }),
        context,
      ),
    handler: (argv) => runAction(context, () => produce(argv, context)),
  };
}

async function produce(argv: ProduceOptions, context: CommandContext): Promise<void> {
  const warn = warnLine(context);
  const topic = argv.topic;
  if (topic === undefined || topic === '') throw new UsageError('--topic is required');
  if (argv.partition !== undefined && (!Number.isSafeInteger(argv.partition) || argv.partition < 0)) throw new UsageError('--partition must be a partition id >= 0');
  const readerProperties = parsePropertyFlags(argv.property, '--property');
  for (const name of readerProperties.keys()) if (!LINE_READER_PROPERTIES.has(name)) warn(`--property ${name} is not a line reader property; ignored`);
  let reader: LineMessageReader;
  try {
    reader = new LineMessageReader(readerProperties);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  // Kafka's precedence: the --producer.config file, then --producer-property, then the flags given,
  // then the flags' defaults for what is still unset.
  const properties: Properties = argv['producer.config'] === undefined ? new Map() : readPropertiesFile(argv['producer.config'], '--producer.config');
  for (const [k, v] of parsePropertyFlags(argv['producer-property'], '--producer-property')) properties.set(k, v);
  const merge = (name: string, value: string | number | undefined, fallback: string): void => {
    if (value !== undefined) properties.set(name, String(value));
    else if (!properties.has(name)) properties.set(name, fallback);
  };
  merge('compression.type', argv['compression-codec'] === '' ? 'gzip' : argv['compression-codec'], 'none');
  merge('acks', argv['request-required-acks'], '-1');
  merge('batch.size', argv['batch-size'], '16384');
  merge('linger.ms', argv.timeout, '1000');
  merge('request.timeout.ms', argv['request-timeout-ms'], '1500');
  merge('retries', argv['message-send-max-retries'], '3');
  merge('retry.backoff.ms', argv['retry-backoff-ms'], '100');
  const settings = producerSettings(properties);
  if (argv.file !== undefined) {
    try {
      if (!statSync(argv.file).isFile()) throw new Error('not a file');
    } catch (err) {
      throw new Error(`cannot read --file ${argv.file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
  }
  const config = toolClientConfig(argv, 'console-producer', properties, PRODUCER_PROPERTIES, warn, true);
  const client = newClient(config);
  try {
    const producer = new Producer(client, { ...settings, maxInFlight: 1, requestTimeoutMs: intProperty(properties, 'request.timeout.ms', 1500, 1) });
    await checkTopic(producer, topic, argv.partition);
    const reports = await sendLines(producer, reader, topic, argv, settings.bufferMemory);
    const format = outputFormat(context, argv.output);
    if (format === 'json') printJson(reports);
    else if (format === 'table') {
      const rows = reports.map((r) => [r.topic, String(r.partition), String(r.records), r.firstOffset === null ? '-' : String(r.firstOffset), r.lastOffset === null ? '-' : String(r.lastOffset)]);
      for (const line of formatTable(['TOPIC', 'PARTITION', 'RECORDS', 'FIRST OFFSET', 'LAST OFFSET'], rows)) printLine(line);
    }
  } finally {
    await closeQuietly(client);
  }
}

async function closeQuietly(client: KafkaClient): Promise<void> {
  try {
    await client.close();
  } catch {
    // Closing never hides the error that ended the command.
  }
}

/** Sends every line; resolves with what went to each partition, or throws the first failure once the rest is settled. */
async function sendLines(producer: Producer, reader: LineMessageReader, topic: string, argv: ProduceOptions, bufferMemory: number): Promise<PartitionReport[]> {
  const reports = new Map<number, PartitionReport>();
  let failure: Error | null = null;
  const input = argv.file !== undefined ? createReadStream(argv.file) : process.stdin;
  const lines = createInterface({ input, crlfDelay: Infinity });
  let lineNumber = 0;
  // Records whose answer has not been counted yet, and who waits for there to be none.
  let outstanding = 0;
  let allCounted: (() => void) | null = null;
  const counted = (): void => {
    if (--outstanding === 0) allCounted?.();
  };
  try {
    for await (const line of lines) {
      if (failure) break;
      lineNumber++;
      let parsed;
      try {
        parsed = reader.parse(line, lineNumber);
      } catch (err) {
        if (err instanceof LineParseError) {
          failure = err;
          break;
        }
        throw err;
      }
      outstanding++;
      const sent = producer.send({ topic, partition: argv.partition, key: parsed.key, value: parsed.value, headers: parsed.headers }).then(
        (m) => {
          const report = reports.get(m.partition) ?? { topic, partition: m.partition, records: 0, firstOffset: null, lastOffset: null };
          report.records++;
          if (m.offset >= 0) {
            report.firstOffset = report.firstOffset === null ? m.offset : Math.min(report.firstOffset, m.offset);
            report.lastOffset = report.lastOffset === null ? m.offset : Math.max(report.lastOffset, m.offset);
          }
          reports.set(m.partition, report);
          counted();
        },
        (err: Error) => {
          failure ??= err;
          counted();
        },
      );
      if (argv.sync) {
        await producer.flush();
        await sent;
      } else if (producer.bufferedBytes >= bufferMemory) await producer.whenBufferedBelow(bufferMemory);
    }
  } finally {
    lines.close();
  }
  await producer.flush();
  if (outstanding > 0) await new Promise<void>((resolve) => (allCounted = resolve));
  if (failure) throw failure;
  return [...reports.values()].sort((a, b) => a.partition - b.partition);
}
