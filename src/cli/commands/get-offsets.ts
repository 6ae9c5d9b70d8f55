import type { CommandModule } from 'yargs';
import { throwIfError } from '../../client/errors.js';
import type { KafkaClient } from '../../client/kafka-client.js';
import { ListOffsetsApi, MetadataApi } from '../../protocol/generated/apis.js';
import { createListOffsetsRequest, createListOffsetsRequestListOffsetsPartition, createListOffsetsRequestListOffsetsTopic } from '../../protocol/generated/clients/list-offsets-request.js';
import { createMetadataRequest, createMetadataRequestTopic } from '../../protocol/generated/clients/metadata-request.js';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import { type ConnectionOptions, connectionOptions, withClient } from '../admin-client.js';
import { type CommandContext, UsageError, formatTable, outputFormat, outputOption, printJson, printLine, runAction, warnLine } from '../command-context.js';

interface GetOffsetsOptions extends ConnectionOptions {
  topic?: string;
  partitions?: string;
  time: string;
  'exclude-internal-topics': boolean;
  output?: string;
}

/** ListOffsets' special timestamps, by the names Kafka's tool also accepts. */
const NAMED_TIMES: Readonly<Record<string, number>> = { latest: -1, earliest: -2, 'max-timestamp': -3 };

interface PartitionOffset {
  topic: string;
  partition: number;
  /** null when no record has a timestamp at or after the one asked for. */
  offset: number | null;
}

/** `gregor get-offsets` and `kafka-get-offsets`: partition offsets by time, with ListOffsets. */
export function getOffsetsCommand(command: string, context: CommandContext): CommandModule<object, GetOffsetsOptions> {
  return {
    command,
    describe: 'the earliest, latest or by-timestamp offsets of partitions',
    builder: (y) =>
      outputOption(
        connectionOptions(y)
          .option('topic', { type: 'string', describe: 'the topic (default: every topic)' })
          .option('partitions', { type: 'string', describe: "partition ids, comma-separated, ranges allowed: '0,2-4' (default: all)" })
          .option('time', { type: 'string', default: '-1', describe: '-1 or latest, -2 or earliest, -3 or max-timestamp, or a timestamp in ms' })
          .option('exclude-internal-topics', { type: 'boolean', default: false, describe: 'leave internal topics out when no --topic is given' }),
        context,
      ),
    handler: (argv) =>
      runAction(context, async () => {
        const timestamp = parseTime(argv.time);
        const wanted = argv.partitions === undefined ? null : parsePartitions(argv.partitions);
        const format = outputFormat(context, argv.output);
        const offsets = await withClient(argv, 'gregor-get-offsets', warnLine(context), (client) => fetchOffsets(client, argv, wanted, timestamp));
        if (format === 'json') printJson(offsets);
        else if (format === 'table') {
          const rows = offsets.map((o) => [o.topic, String(o.partition), o.offset === null ? '' : String(o.offset)]);
          for (const line of formatTable(['TOPIC', 'PARTITION', 'OFFSET'], rows)) printLine(line);
        } else for (const o of offsets) printLine(`${o.topic}:${o.partition}:${o.offset ?? ''}`);
      }),
  };
}

function parseTime(text: string): number {
  const named = NAMED_TIMES[text];
  if (named !== undefined) return named;
  if (!/^-?\d+$/.test(text) || Number(text) < -3 || !Number.isSafeInteger(Number(text))) throw new UsageError(`--time takes -1, -2, -3, latest, earliest, max-timestamp or a timestamp in ms, got '${text}'`);
  return Number(text);
}

function parsePartitions(text: string): Set<number> {
  const ids = new Set<number>();
  for (const part of text.split(',').map((p) => p.trim())) {
    const range = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (!range) throw new UsageError(`--partitions takes ids and ranges like '0,2-4', got '${text}'`);
    const from = Number(range[1]);
    const to = range[2] === undefined ? from : Number(range[2]);
    if (to < from) throw new UsageError(`--partitions: the range ${part} is empty`);
    for (let p = from; p <= to; p++) ids.add(p);
  }
  return ids;
}

async function fetchOffsets(client: KafkaClient, argv: GetOffsetsOptions, wanted: Set<number> | null, timestamp: number): Promise<PartitionOffset[]> {
  const metadata = await client.sendToAny(
    MetadataApi,
    createMetadataRequest({ topics: argv.topic === undefined ? null : [createMetadataRequestTopic({ name: argv.topic })], allowAutoTopicCreation: false }),
    { versions: { min: 1, max: MetadataApi.maxVersion } },
  );
  const partitions: { topic: string; partition: number }[] = [];
  for (const t of metadata.topics) {
    const topic = t.name ?? '';
    if (t.errorCode === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) throw new Error(`Topic '${topic}' does not exist`);
    throwIfError(t.errorCode, `metadata for topic ${topic}`);
    if (argv.topic === undefined && argv['exclude-internal-topics'] && t.isInternal) continue;
    for (const p of t.partitions) if (wanted === null || wanted.has(p.partitionIndex)) partitions.push({ topic, partition: p.partitionIndex });
  }
  if (argv.topic !== undefined && wanted !== null && partitions.length === 0) throw new Error(`Topic '${argv.topic}' has none of the partitions ${argv.partitions ?? ''}`);
  partitions.sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
  // -3 (max-timestamp) needs ListOffsets v7.
  const minVersion = timestamp === -3 ? 7 : 1;
  return Promise.all(
    partitions.map(async ({ topic, partition }) => {
      const request = createListOffsetsRequest({
        replicaId: -1,
        topics: [createListOffsetsRequestListOffsetsTopic({ name: topic, partitions: [createListOffsetsRequestListOffsetsPartition({ partitionIndex: partition, timestamp })] })],
      });
      const response = await client.sendToLeader(topic, partition, ListOffsetsApi, request, {
        versions: { min: minVersion, max: ListOffsetsApi.maxVersion },
        check: (r) => throwIfError(r.topics[0].partitions[0].errorCode, `ListOffsets ${topic}-${partition}`),
      });
      const offset = response.topics[0].partitions[0].offset;
      return { topic, partition, offset: offset < 0 ? null : offset };
    }),
  );
}
