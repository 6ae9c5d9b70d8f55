import { FetchApi, ListOffsetsApi } from '../protocol/generated/apis.js';
import { createFetchRequest, createFetchRequestFetchPartition, createFetchRequestFetchTopic, type FetchRequest } from '../protocol/generated/clients/fetch-request.js';
import type { FetchResponse } from '../protocol/generated/clients/fetch-response.js';
import { createListOffsetsRequest, createListOffsetsRequestListOffsetsPartition, createListOffsetsRequestListOffsetsTopic } from '../protocol/generated/clients/list-offsets-request.js';
import { ErrorCode } from '../protocol/generated/error-codes.js';
import { KafkaProtocolError, throwIfError } from './errors.js';
import { type ConsumedRecord, decodeFetchedRecords } from './fetched-records.js';
import type { KafkaClient } from './kafka-client.js';

export const IsolationLevel = { ReadUncommitted: 0, ReadCommitted: 1 } as const;
export type IsolationLevel = (typeof IsolationLevel)[keyof typeof IsolationLevel];

/** auto.offset.reset: where a partition without a position (or out of range) starts. */
export type OffsetReset = 'earliest' | 'latest' | 'none';

/** ListOffsets' special timestamps. */
export const LATEST_TIMESTAMP = -1;
export const EARLIEST_TIMESTAMP = -2;

export interface FetcherOptions {
  /** isolation.level (default read_uncommitted). */
  readonly isolationLevel?: IsolationLevel;
  /** fetch.max.wait.ms (default 500). */
  readonly maxWaitMs?: number;
  /** fetch.min.bytes (default 1). */
  readonly minBytes?: number;
  /** fetch.max.bytes (default 52428800). */
  readonly maxBytes?: number;
  /** max.partition.fetch.bytes (default 1048576). */
  readonly partitionMaxBytes?: number;
  /** auto.offset.reset (default latest). */
  readonly offsetReset?: OffsetReset;
}

export interface TopicPartition {
  readonly topic: string;
  readonly partition: number;
}

const tpKey = (topic: string, partition: number): string => `${topic}\0${partition}`;

/** Errors after which the partition's leader is looked up again before the next fetch. */
const REFRESH_ERRORS: ReadonlySet<number> = new Set([
  ErrorCode.NOT_LEADER_OR_FOLLOWER,
  ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
  ErrorCode.LEADER_NOT_AVAILABLE,
  ErrorCode.FENCED_LEADER_EPOCH,
  ErrorCode.UNKNOWN_LEADER_EPOCH,
  ErrorCode.KAFKA_STORAGE_ERROR,
  ErrorCode.UNKNOWN_TOPIC_ID,
  ErrorCode.OFFSET_NOT_AVAILABLE,
]);

/**
 * Fetches assigned partitions from their leaders, as a consumer's fetcher does: each poll sends
 * one sessionless Fetch per leader (topic ids from v13, names before), decodes the answer into
 * records and advances the positions. A partition without a position, or whose position is out
 * of range, starts where auto.offset.reset says (ListOffsets).
 */
export class Fetcher {
  private readonly isolationLevel: IsolationLevel;
  private readonly maxWaitMs: number;
  private readonly minBytes: number;
  private readonly maxBytes: number;
  private readonly partitionMaxBytes: number;
  private readonly offsetReset: OffsetReset;
  private readonly positions = new Map<string, { topic: string; partition: number; offset: number | null }>();

  constructor(
    private readonly client: KafkaClient,
    options: FetcherOptions = {},
  ) {
    this.isolationLevel = options.isolationLevel ?? IsolationLevel.ReadUncommitted;
    this.maxWaitMs = options.maxWaitMs ?? 500;
    this.minBytes = options.minBytes ?? 1;
    this.maxBytes = options.maxBytes ?? 52_428_800;
    this.partitionMaxBytes = options.partitionMaxBytes ?? 1_048_576;
    this.offsetReset = options.offsetReset ?? 'latest';
  }

  /** Replaces the assignment; a null offset starts where auto.offset.reset says. */
  assign(partitions: readonly (TopicPartition & { offset: number | null })[]): void {
    this.positions.clear();
    for (const p of partitions) this.positions.set(tpKey(p.topic, p.partition), { topic: p.topic, partition: p.partition, offset: p.offset });
  }

  /** The assigned partitions with their positions (null before the first reset). */
  assignment(): { topic: string; partition: number; offset: number | null }[] {
    return [...this.positions.values()].map((p) => ({ ...p }));
  }

  /** Moves a partition's position (after records were handed out and not all consumed, for one). */
  seek(topic: string, partition: number, offset: number): void {
    const position = this.positions.get(tpKey(topic, partition));
    if (position) position.offset = offset;
  }

  /** The offset ListOffsets answers for a timestamp (EARLIEST_TIMESTAMP, LATEST_TIMESTAMP or ms). */
  async listOffset(topic: string, partition: number, timestamp: number): Promise<number> {
    const request = createListOffsetsRequest({
      replicaId: -1,
      isolationLevel: this.isolationLevel,
      topics: [createListOffsetsRequestListOffsetsTopic({ name: topic, partitions: [createListOffsetsRequestListOffsetsPartition({ partitionIndex: partition, timestamp })] })],
    });
    const response = await this.client.sendToLeader(topic, partition, ListOffsetsApi, request, {
      versions: { min: this.isolationLevel === IsolationLevel.ReadCommitted ? 2 : 1, max: ListOffsetsApi.maxVersion },
      check: (r) => throwIfError(r.topics[0]?.partitions[0]?.errorCode ?? ErrorCode.UNKNOWN_SERVER_ERROR, `ListOffsets ${topic}-${partition}`),
    });
    return response.topics[0].partitions[0].offset;
  }

  /** One round of fetches: every leader asked once, at most `maxWaitMs` long; the records in offset order per partition. */
  async poll(maxWaitMs = this.maxWaitMs): Promise<ConsumedRecord[]> {
    await this.resetMissingPositions();
    const metadata = await this.client.metadata([...new Set([...this.positions.values()].map((p) => p.topic))]);
    const byLeader = new Map<number, { topic: string; partition: number; offset: number }[]>();
    for (const p of this.positions.values()) {
      if (p.offset === null) continue;
      let leader: number;
      try {
        leader = metadata.leaderId(p.topic, p.partition);
      } catch {
        await this.client.refreshMetadata();
        continue;
      }
      let list = byLeader.get(leader);
      if (!list) byLeader.set(leader, (list = []));
      list.push({ topic: p.topic, partition: p.partition, offset: p.offset });
    }
    const results = await Promise.all([...byLeader].map(([leader, partitions]) => this.fetchFrom(leader, partitions, maxWaitMs)));
    return results.flat();
  }

  private async resetMissingPositions(): Promise<void> {
    const missing = [...this.positions.values()].filter((p) => p.offset === null);
    await Promise.all(missing.map(async (p) => (p.offset = await this.resetOffset(p.topic, p.partition))));
  }

  private async resetOffset(topic: string, partition: number): Promise<number> {
    if (this.offsetReset === 'none') throw new Error(`no offset for ${topic}-${partition} and auto.offset.reset is none`);
    return this.listOffset(topic, partition, this.offsetReset === 'earliest' ? EARLIEST_TIMESTAMP : LATEST_TIMESTAMP);
  }

  private async fetchFrom(leader: number, partitions: readonly { topic: string; partition: number; offset: number }[], maxWaitMs: number): Promise<ConsumedRecord[]> {
    const metadata = await this.client.metadata();
    const topics = new Map<string, { partition: number; offset: number }[]>();
    for (const p of partitions) {
      let list = topics.get(p.topic);
      if (!list) topics.set(p.topic, (list = []));
      list.push(p);
    }
    const topicIds = new Map([...topics.keys()].map((t) => [t, metadata.topics.get(t)?.topicId ?? '']));
    const build = (version: number): FetchRequest =>
      createFetchRequest({
        replicaId: -1,
        maxWaitMs,
        minBytes: this.minBytes,
        maxBytes: this.maxBytes,
        isolationLevel: this.isolationLevel,
        sessionId: 0,
        sessionEpoch: -1,
        topics: [...topics].map(([topic, list]) =>
          createFetchRequestFetchTopic({
            topic: version >= 13 ? '' : topic,
            topicId: version >= 13 ? (topicIds.get(topic) ?? '') : undefined,
            partitions: list.map((p) => createFetchRequestFetchPartition({ partition: p.partition, fetchOffset: p.offset, partitionMaxBytes: this.partitionMaxBytes })),
          }),
        ),
      });
    let sentVersion = 0;
    const response: FetchResponse = await this.client.sendToBroker(
      leader,
      FetchApi,
      (version) => {
        sentVersion = version;
        return build(version);
      },
      { versions: { min: 4, max: FetchApi.maxVersion }, timeoutMs: this.client.config.requestTimeoutMs + maxWaitMs },
    );
    throwIfError(response.errorCode, `Fetch from broker ${leader}`);
    const nameOf = new Map([...topicIds].map(([name, id]) => [id, name]));
    const records: ConsumedRecord[] = [];
    for (const t of response.responses) {
      const topic = sentVersion >= 13 ? nameOf.get(t.topicId) : t.topic;
      if (topic === undefined) continue;
      for (const p of t.partitions) {
        const position = this.positions.get(tpKey(topic, p.partitionIndex));
        const asked = partitions.find((x) => x.topic === topic && x.partition === p.partitionIndex);
        // A partition reassigned or moved by a seek while the fetch was out: its answer is stale.
        if (!position || !asked || position.offset !== asked.offset) continue;
        if (p.errorCode === ErrorCode.OFFSET_OUT_OF_RANGE) {
          position.offset = await this.resetOffset(topic, p.partitionIndex);
          continue;
        }
        if (REFRESH_ERRORS.has(p.errorCode)) {
          await this.client.refreshMetadata();
          continue;
        }
        if (p.errorCode !== ErrorCode.NONE) throw new KafkaProtocolError(p.errorCode, `Fetch ${topic}-${p.partitionIndex}`);
        const fetched = decodeFetchedRecords(topic, p.partitionIndex, p.records ?? Buffer.alloc(0), asked.offset, this.isolationLevel === IsolationLevel.ReadCommitted, p.abortedTransactions);
        position.offset = fetched.nextOffset;
        records.push(...fetched.records);
      }
    }
    return records;
  }
}
