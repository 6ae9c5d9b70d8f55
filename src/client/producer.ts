import { ProduceApi } from '../protocol/generated/apis.js';
import { createProduceRequest, createProduceRequestPartitionProduceData, createProduceRequestTopicProduceData, type ProduceRequest } from '../protocol/generated/clients/produce-request.js';
import type { ProduceResponse } from '../protocol/generated/clients/produce-response.js';
import { ErrorCode } from '../protocol/generated/error-codes.js';
import { buildRecordBatch, type RecordInput } from '../protocol/records/batch-builder.js';
import { CompressionType } from '../protocol/records/batch-header.js';
import type { RecordHeader } from '../protocol/records/record.js';
import { type Clock, systemClock } from '../util/clock.js';
import { type Random, SeededRandom } from '../util/random.js';
import type { ClusterMetadata, TopicMetadata } from './cluster-metadata.js';
import { KafkaProtocolError, isRetriable } from './errors.js';
import type { KafkaClient } from './kafka-client.js';
import { DefaultPartitioner } from './partitioner.js';
import { type Sleep, timerSleep } from './retry.js';
import { type Scheduler, timerScheduler } from './scheduler.js';

/** Producer settings, each named after the Kafka producer property in its comment. */
export interface ProducerOptions {
  /** acks: 0 (no answer), 1 (the leader) or -1 (all in-sync replicas); default -1. */
  readonly acks?: -1 | 0 | 1;
  /** compression.type (default none). */
  readonly compression?: CompressionType;
  /** batch.size: bytes of records per partition batch before it is sent (default 16384). */
  readonly batchSize?: number;
  /** linger.ms: how long a batch that is not full waits for more records (default 5). */
  readonly lingerMs?: number;
  /** request.timeout.ms, sent as the Produce request's timeout (default: the client's). */
  readonly requestTimeoutMs?: number;
  /** max.in.flight.requests.per.connection, per partition here (default 5; 1 keeps order across retries). */
  readonly maxInFlight?: number;
  /** retries of a batch a partition error failed (default: the client's retries). */
  readonly retries?: number;
}

export interface ProducerDeps {
  readonly clock?: Clock;
  readonly scheduler?: Scheduler;
  readonly sleep?: Sleep;
  readonly random?: Random;
}

export interface ProducerRecord {
  readonly topic: string;
  /** Without one, the default partitioner chooses (murmur2 of the key, sticky for null keys). */
  readonly partition?: number;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers?: readonly RecordHeader[];
  /** CreateTime; default now. */
  readonly timestamp?: number;
}

export interface RecordMetadata {
  readonly topic: string;
  readonly partition: number;
  /** -1 with acks=0, which gets no answer. */
  readonly offset: number;
  readonly timestamp: number;
}

interface Pending {
  readonly record: ProducerRecord;
  readonly input: RecordInput;
  readonly size: number;
  readonly resolve: (metadata: RecordMetadata) => void;
  readonly reject: (err: Error) => void;
}

interface Batch {
  readonly topic: string;
  readonly partition: number;
  readonly records: Pending[];
  bytes: number;
  ready: boolean;
  attempts: number;
  cancelLinger: (() => void) | null;
}

/** Bytes a record adds to a batch besides its key, value and headers (lengths and deltas as varints). */
const RECORD_OVERHEAD = 21;
/** Bytes of a v2 batch header. */
const BATCH_OVERHEAD = 61;

/** The size a record takes in a batch, close enough for batch.size and buffer accounting. */
export function estimateRecordSize(record: Pick<ProducerRecord, 'key' | 'value' | 'headers'>): number {
  let size = RECORD_OVERHEAD + (record.key?.length ?? 0) + (record.value?.length ?? 0);
  for (const h of record.headers ?? []) size += 10 + Buffer.byteLength(h.key) + (h.value?.length ?? 0);
  return size;
}

/**
 * A small Kafka producer: records are partitioned (explicitly, or with Kafka's default
 * partitioner), gathered per partition into v2 batches of up to batch.size bytes that wait up to
 * linger.ms, compressed, and sent to the partition leaders, one batch per partition per Produce
 * request. Partition errors that Kafka marks retriable refresh the metadata and resend the batch.
 * Not idempotent: a resent batch may be written twice.
 */
export class Producer {
  private readonly acks: -1 | 0 | 1;
  private readonly compression: CompressionType;
  private readonly batchSize: number;
  private readonly lingerMs: number;
  private readonly requestTimeoutMs: number;
  private readonly maxInFlight: number;
  private readonly retries: number;
  private readonly clock: Clock;
  private readonly scheduler: Scheduler;
  private readonly sleep: Sleep;
  private readonly partitioner: DefaultPartitioner;
  /** Records not yet partitioned, in send order. */
  private readonly incoming: Pending[] = [];
  private pumping: Promise<void> | null = null;
  /** Open and ready batches per "topic\0partition", oldest first. */
  private readonly batches = new Map<string, Batch[]>();
  private readonly inFlight = new Map<string, number>();
  private unsettled = 0;
  private bytesBuffered = 0;
  private readonly idleWaiters: (() => void)[] = [];
  private readonly capacityWaiters: { limit: number; resolve: () => void }[] = [];

  constructor(
    private readonly client: KafkaClient,
    options: ProducerOptions = {},
    deps: ProducerDeps = {},
  ) {
    this.acks = options.acks ?? -1;
    this.compression = options.compression ?? CompressionType.None;
    this.batchSize = options.batchSize ?? 16_384;
    this.lingerMs = options.lingerMs ?? 5;
    this.requestTimeoutMs = options.requestTimeoutMs ?? client.config.requestTimeoutMs;
    this.maxInFlight = options.maxInFlight ?? 5;
    this.retries = options.retries ?? client.config.retries;
    this.clock = deps.clock ?? systemClock;
    this.scheduler = deps.scheduler ?? timerScheduler;
    this.sleep = deps.sleep ?? timerSleep;
    this.partitioner = new DefaultPartitioner(this.batchSize, deps.random ?? new SeededRandom(this.clock.now()));
  }

  /** Bytes of records sent to the producer and not yet answered. */
  get bufferedBytes(): number {
    return this.bytesBuffered;
  }

  /** Queues a record; resolves once the broker acknowledged it (at once after writing with acks=0). */
  send(record: ProducerRecord): Promise<RecordMetadata> {
    return new Promise((resolve, reject) => {
      const timestamp = record.timestamp ?? this.clock.now();
      const input: RecordInput = { key: record.key, value: record.value, headers: record.headers ?? [], timestamp };
      const size = estimateRecordSize(record);
      this.unsettled++;
      this.bytesBuffered += size;
      const settle = (): void => {
        this.unsettled--;
        this.bytesBuffered -= size;
        this.notifyWaiters();
      };
      this.incoming.push({
        record,
        input,
        size,
        resolve: (m) => {
          settle();
          resolve(m);
        },
        reject: (e) => {
          settle();
          reject(e);
        },
      });
      this.pumping ??= this.pump().finally(() => {
        this.pumping = null;
      });
    });
  }

  /** Resolves once fewer than `limit` bytes of records are waiting for an answer (buffer.memory). */
  whenBufferedBelow(limit: number): Promise<void> {
    if (this.bytesBuffered < limit) return Promise.resolve();
    return new Promise((resolve) => this.capacityWaiters.push({ limit, resolve }));
  }

  /** Sends every batch now, without lingering, and resolves once every record sent so far is settled. */
  async flush(): Promise<void> {
    while (this.pumping) await this.pumping;
    for (const queue of this.batches.values()) for (const batch of queue) this.markReady(batch);
    this.drain();
    if (this.unsettled === 0) return;
    await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  private notifyWaiters(): void {
    for (let i = this.capacityWaiters.length - 1; i >= 0; i--) {
      if (this.bytesBuffered < this.capacityWaiters[i].limit) this.capacityWaiters.splice(i, 1)[0].resolve();
    }
    if (this.unsettled === 0) for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  /** Partitions queued records in order, then appends each to its partition's batch. */
  private async pump(): Promise<void> {
    while (this.incoming.length > 0) {
      const pending = this.incoming[0];
      const { topic } = pending.record;
      let partitionCount: number;
      let available: number[];
      try {
        const topicMetadata = await this.topicMetadata(topic);
        partitionCount = topicMetadata.partitions.size;
        available = [...topicMetadata.partitions.values()].filter((p) => p.leaderId >= 0).map((p) => p.partition);
      } catch (err) {
        // Every queued record of this topic fails the same way.
        for (let i = this.incoming.length - 1; i >= 0; i--) if (this.incoming[i].record.topic === topic) this.incoming.splice(i, 1)[0].reject(err as Error);
        continue;
      }
      this.incoming.shift();
      let partition = pending.record.partition;
      if (partition === undefined) partition = this.partitioner.partition(topic, pending.record.key, pending.size, partitionCount, available);
      else if (!Number.isInteger(partition) || partition < 0 || partition >= partitionCount) {
        pending.reject(new KafkaProtocolError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Produce to ${topic}-${partition}`, `topic ${topic} has partitions 0-${partitionCount - 1}`));
        continue;
      }
      this.append(topic, partition, pending);
    }
  }

  /**
   * Metadata of a topic, waiting through LEADER_NOT_AVAILABLE and the like while it is being
   * created; fails (UNKNOWN_TOPIC_OR_PARTITION) when it does not exist once retries are spent.
   */
  async topicMetadata(topic: string): Promise<TopicMetadata> {
    for (let attempt = 0; ; attempt++) {
      const metadata = attempt === 0 ? await this.client.metadata([topic]) : await this.client.refreshMetadata();
      this.lastMetadata = metadata;
      try {
        return metadata.topic(topic);
      } catch (err) {
        if (attempt >= this.retries || !isRetriable(err)) throw err;
        await this.sleep(Math.min(1000, 50 * 2 ** attempt));
      }
    }
  }

  private append(topic: string, partition: number, pending: Pending): void {
    const key = `${topic}\0${partition}`;
    let queue = this.batches.get(key);
    if (!queue) this.batches.set(key, (queue = []));
    let batch = queue.at(-1);
    if (batch === undefined || batch.ready || (batch.records.length > 0 && batch.bytes + pending.size > this.batchSize)) {
      if (batch !== undefined && !batch.ready) {
        this.markReady(batch);
        this.drain();
      }
      batch = { topic, partition, records: [], bytes: BATCH_OVERHEAD, ready: false, attempts: 0, cancelLinger: null };
      queue.push(batch);
      const lingering = batch;
      lingering.cancelLinger = this.scheduler.schedule(this.lingerMs, () => {
        lingering.cancelLinger = null;
        this.markReady(lingering);
        this.drain();
      });
    }
    batch.records.push(pending);
    batch.bytes += pending.size;
    if (batch.bytes >= this.batchSize) {
      this.markReady(batch);
      this.drain();
    }
  }

  private markReady(batch: Batch): void {
    batch.ready = true;
    batch.cancelLinger?.();
    batch.cancelLinger = null;
  }

  /** Sends every ready batch whose partition has room in flight, one Produce request per leader. */
  private drain(): void {
    const byLeader = new Map<number, Batch[]>();
    for (const [key, queue] of this.batches) {
      const head = queue[0];
      if (head === undefined || !head.ready) continue;
      if ((this.inFlight.get(key) ?? 0) >= this.maxInFlight) continue;
      const leader = this.leaderOf(head.topic, head.partition);
      if (leader === null) {
        // No known leader: refresh and try again; the batch fails once retries are spent.
        queue.shift();
        void this.retryBatch(head, new KafkaProtocolError(ErrorCode.LEADER_NOT_AVAILABLE, `Produce to ${head.topic}-${head.partition}`));
        continue;
      }
      queue.shift();
      let list = byLeader.get(leader);
      if (!list) byLeader.set(leader, (list = []));
      list.push(head);
    }
    for (const [leader, batches] of byLeader) {
      for (const b of batches) this.inFlight.set(`${b.topic}\0${b.partition}`, (this.inFlight.get(`${b.topic}\0${b.partition}`) ?? 0) + 1);
      void this.sendBatches(leader, batches);
    }
    // A partition whose queue still has ready batches drains again when an answer frees a slot.
  }

  private lastMetadata: ClusterMetadata | null = null;

  /** The partition's leader in the metadata last fetched, or null when it names none. */
  private leaderOf(topic: string, partition: number): number | null {
    try {
      return this.lastMetadata?.leaderId(topic, partition) ?? null;
    } catch {
      return null;
    }
  }

  private async sendBatches(leader: number, batches: Batch[]): Promise<void> {
    const topics = new Map<string, Batch[]>();
    for (const b of batches) {
      let list = topics.get(b.topic);
      if (!list) topics.set(b.topic, (list = []));
      list.push(b);
    }
    let built: Map<Batch, Buffer>;
    try {
      built = new Map(batches.map((b) => [b, buildRecordBatch({ records: b.records.map((p) => p.input), compression: this.compression })]));
    } catch (err) {
      for (const b of batches) this.finish(b, () => this.failBatch(b, err as Error));
      return;
    }
    const request = createProduceRequest({
      acks: this.acks,
      timeoutMs: this.requestTimeoutMs,
      topicData: [...topics].map(([name, list]) =>
        createProduceRequestTopicProduceData({ name, partitionData: list.map((b) => createProduceRequestPartitionProduceData({ index: b.partition, records: built.get(b)! })) }),
      ),
    });
    let response: ProduceResponse | null;
    try {
      response = await this.sendRequest(leader, request);
    } catch (err) {
      for (const b of batches) this.finish(b, () => (isRetriable(err) ? this.retryBatch(b, err as Error) : this.failBatch(b, err as Error)));
      return;
    }
    for (const b of batches) {
      this.finish(b, () => {
        if (response === null) {
          this.completeBatch(b, -1);
          return;
        }
        const answer = response.responses.find((t) => t.name === b.topic)?.partitionResponses.find((p) => p.index === b.partition);
        if (answer === undefined) {
          this.failBatch(b, new Error(`Produce to ${b.topic}-${b.partition}: the response has no answer for the partition`));
          return;
        }
        if (answer.errorCode === ErrorCode.NONE) {
          this.completeBatch(b, answer.baseOffset, answer.logAppendTimeMs);
          return;
        }
        const detail = answer.errorMessage ?? answer.recordErrors[0]?.batchIndexErrorMessage ?? null;
        const err = new KafkaProtocolError(answer.errorCode, `Produce to ${b.topic}-${b.partition}`, detail);
        if (err.retriable) void this.retryBatch(b, err);
        else this.failBatch(b, err);
      });
    }
  }

  /** Frees the batch's in-flight slot, settles it, and drains what waited for the slot. */
  private finish(batch: Batch, settle: () => void): void {
    const key = `${batch.topic}\0${batch.partition}`;
    this.inFlight.set(key, (this.inFlight.get(key) ?? 1) - 1);
    settle();
    this.drain();
  }

  private async sendRequest(leader: number, request: ProduceRequest): Promise<ProduceResponse | null> {
    const versions = { min: 3, max: ProduceApi.maxVersion };
    if (this.acks === 0) {
      const connection = await this.client.connection(leader);
      await connection.sendWithoutResponse(ProduceApi, connection.versions.highest(ProduceApi, versions), request);
      return null;
    }
    return this.client.sendToBroker(leader, ProduceApi, request, { versions, timeoutMs: this.requestTimeoutMs + 5_000 });
  }

  private completeBatch(batch: Batch, baseOffset: number, logAppendTime = -1): void {
    batch.records.forEach((p, i) =>
      p.resolve({ topic: batch.topic, partition: batch.partition, offset: baseOffset < 0 ? -1 : baseOffset + i, timestamp: logAppendTime >= 0 ? logAppendTime : p.input.timestamp }),
    );
  }

  private failBatch(batch: Batch, err: Error): void {
    for (const p of batch.records) p.reject(err);
  }

  /** Refreshes the metadata, then puts the batch back at the head of its partition's queue. */
  private async retryBatch(batch: Batch, err: Error): Promise<void> {
    if (batch.attempts >= this.retries) {
      this.failBatch(batch, err);
      return;
    }
    const key = `${batch.topic}\0${batch.partition}`;
    // Hold the partition's slot during the backoff, so that later batches do not overtake this one.
    this.inFlight.set(key, (this.inFlight.get(key) ?? 0) + 1);
    try {
      await this.sleep(Math.min(1000, 100 * 2 ** batch.attempts));
      batch.attempts++;
      this.lastMetadata = await this.client.refreshMetadata().catch(() => this.lastMetadata);
    } finally {
      this.inFlight.set(key, (this.inFlight.get(key) ?? 1) - 1);
    }
    let queue = this.batches.get(key);
    if (!queue) this.batches.set(key, (queue = []));
    queue.unshift(batch);
    this.drain();
  }
}
