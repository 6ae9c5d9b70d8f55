/**
 * Exactly-once end to end (issue 7): a consume-transform-produce pipeline written with kafkajs the
 * way an application writes one, over `gregor server` as a child process that is SIGKILLed twice in
 * the middle of the run and restarted on the same data directory.
 *
 * The pipeline: a consumer in a group reads the input topic (read_committed, no auto-commit); for
 * every TXN_RECORDS input records a transactional producer begins a transaction, writes their
 * transformations to the output topic, adds the consumer's next offset with `sendOffsets` and
 * commits. kafkajs retries what it can across the broker's restart; when an error reaches the
 * application anyway (kafkajs gave up, or the consumer crashed), the application throws its
 * producer and consumer away and starts a new instance with the same transactional id and group:
 * InitProducerId fences the old producer and aborts its open transaction, and the new consumer
 * resumes from the offsets the last committed transaction stored.
 *
 * Kill points are chosen by observed progress, with thresholds drawn from a seeded generator (the
 * seed is printed; GREGOR_EOS_SEED replays it):
 * 1. once 20-40% of the output is committed, right after a transaction wrote its records and before
 *    it adds offsets. The broker restarts in the background while the pipeline keeps going, so the
 *    pipeline meets a dead broker, a starting one and a recovering one. kafkajs normally retries
 *    through it and the transaction (still Ongoing in the replayed coordinator) commits; if it
 *    gives up on a loaded machine, a new instance takes over as described above.
 * 2. once 55-75% is committed, after `sendOffsets` and before the commit. This time the test waits
 *    for the restart and then starts another producer with the pipeline's transactional id, as a
 *    second copy of the application would (a failover that left the first one running): its
 *    InitProducerId fences the running instance, which becomes a zombie, and aborts the zombie's
 *    open transaction (records and offsets). The zombie's commit must then be refused, and the
 *    application replaces the instance; the aborted records stay in the log and read_committed
 *    must drop them.
 *
 * The check: a read_committed read of the output topic (Gregor's own client, dropping records of
 * aborted transactions as the Java consumer does) holds the transformation of every input record
 * exactly once, no partition has a transaction left open (last stable offset = high watermark),
 * and the group's committed offsets are the ends of the input partitions.
 *
 *   GREGOR_EOS_RECORDS=20000 GREGOR_EOS_SEED=3 npx vitest run test/e2e/exactly-once.test.ts
 */
import { rmSync } from 'node:fs';
import { type Consumer, type EachBatchPayload, Kafka, logLevel, type Producer } from 'kafkajs';
import { afterAll, expect, it } from 'vitest';
import { BrokerConnection } from '../../src/client/broker-connection.js';
import { CreateTopicsApi, ProduceApi } from '../../src/protocol/generated/apis.js';
import { createCreateTopicsRequest, createCreateTopicsRequestCreatableTopic } from '../../src/protocol/generated/clients/create-topics-request.js';
import {
  createProduceRequest,
  createProduceRequestPartitionProduceData,
  createProduceRequestTopicProduceData,
} from '../../src/protocol/generated/clients/produce-request.js';
import { ErrorCode } from '../../src/protocol/generated/error-codes.js';
import { buildRecordBatch } from '../../src/protocol/records/batch-builder.js';
import { decodeBatchRecords } from '../../src/protocol/records/batch-records.js';
import { SeededRandom } from '../../src/util/random.js';
import { testConnectionOptions } from '../support/connection-options.js';
import { BrokerProcess, tempDataDir } from './support/broker-process.js';
import { fetchOnce, wholeBatches } from './support/read-partition.js';

/** Input records; the issue asks for 100k, and that fits the test's budget on 2 cores. */
const RECORDS = Number(process.env.GREGOR_EOS_RECORDS ?? 100_000);
const SEED = Number(process.env.GREGOR_EOS_SEED ?? 20_260_407);
const PARTITIONS = 4;
/** Input records per transaction. */
const TXN_RECORDS = 2500;
/** Input records per Produce batch when the input is written. */
const INPUT_BATCH = 5000;
const INPUT = 'eos-input';
const OUTPUT = 'eos-output';
const GROUP = 'eos-pipeline';
const TRANSACTIONAL_ID = 'eos-pipeline-tx';
const BROKER_PROPERTIES = { 'group.initial.rebalance.delay.ms': '0' };
/** Instance replacements after which the test gives up (two are expected at most). */
const MAX_RESTARTS = 10;
/** group.min.session.timeout.ms: a member the crash left behind is dropped this soon. */
const SESSION_TIMEOUT_MS = 6000;

/** The pipeline's transformation of input record `i` (key `k<i>`, value `<i>`). */
function transform(i: number): string {
  return `${i}:${(i * 7919) % 1_000_003}`;
}

function log(line: string): void {
  console.log(`[exactly-once ${(performance.now() / 1000).toFixed(1)}s] ${line}`);
}

const dataDir = tempDataDir();
let broker: BrokerProcess | undefined;

afterAll(async () => {
  await broker?.stop('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

async function connect(port: number): Promise<BrokerConnection> {
  return BrokerConnection.open(testConnectionOptions(port, { clientId: 'e2e-eos', requestTimeoutMs: 60_000 }));
}

async function createTopics(connection: BrokerConnection): Promise<void> {
  const topics = [INPUT, OUTPUT].map((name) => createCreateTopicsRequestCreatableTopic({ name, numPartitions: PARTITIONS, replicationFactor: 1 }));
  const response = await connection.send(CreateTopicsApi, 7, createCreateTopicsRequest({ topics, timeoutMs: 30_000 }));
  for (const t of response.topics) if (t.errorCode !== ErrorCode.NONE) throw new Error(`creating ${t.name} failed with error ${t.errorCode}`);
}

/** Writes the input: record i (key `k<i>`, value `<i>`) to partition i % PARTITIONS, in big batches, all requests in flight at once. */
async function produceInput(connection: BrokerConnection): Promise<number[]> {
  const timestamp = Date.now();
  const sends: Promise<void>[] = [];
  for (let partition = 0; partition < PARTITIONS; partition++) {
    const ids: number[] = [];
    for (let i = partition; i < RECORDS; i += PARTITIONS) ids.push(i);
    for (let at = 0; at < ids.length; at += INPUT_BATCH) {
      const records = buildRecordBatch({
        records: ids.slice(at, at + INPUT_BATCH).map((i) => ({ key: Buffer.from(`k${i}`), value: Buffer.from(String(i)), timestamp })),
      });
      const request = createProduceRequest({
        acks: -1,
        timeoutMs: 30_000,
        topicData: [createProduceRequestTopicProduceData({ name: INPUT, partitionData: [createProduceRequestPartitionProduceData({ index: partition, records })] })],
      });
      sends.push(
        connection.send(ProduceApi, 9, request).then((r) => {
          const code = r.responses[0].partitionResponses[0].errorCode;
          if (code !== ErrorCode.NONE) throw new Error(`producing the input to partition ${partition} failed with error ${code}`);
        }),
      );
    }
  }
  await Promise.all(sends);
  // The end offset of each input partition: its record count.
  return Array.from({ length: PARTITIONS }, (_, p) => Math.ceil((RECORDS - p) / PARTITIONS));
}

interface CommittedRead {
  /** Values of the committed records, per partition, in offset order. */
  readonly values: string[];
  /** Data records the log holds that belong to aborted transactions. */
  readonly aborted: number;
  readonly highWatermark: number;
  readonly lastStableOffset: number;
}

/**
 * A read_committed read of one partition from offset 0 to its last stable offset: Fetch v11 with
 * isolation_level 1, keeping what the Java consumer keeps. A transactional data batch is dropped
 * when its producer has an aborted transaction (from the response's list) starting at or before
 * the batch and not yet closed by that producer's ABORT marker; control batches are skipped.
 */
async function readCommitted(connection: BrokerConnection, topic: string, partition: number): Promise<CommittedRead> {
  const values: string[] = [];
  const pendingAborts: { producerId: number; firstOffset: number }[] = [];
  const seenAborts = new Set<string>();
  const abortingProducers = new Set<number>();
  let aborted = 0;
  let next = 0;
  for (;;) {
    const data = await fetchOnce(connection, topic, partition, next, { isolationLevel: 1, maxBytes: 4 << 20 });
    for (const a of data.abortedTransactions ?? []) {
      const key = `${a.producerId}@${a.firstOffset}`;
      if (seenAborts.has(key)) continue;
      seenAborts.add(key);
      pendingAborts.push({ producerId: a.producerId, firstOffset: a.firstOffset });
    }
    pendingAborts.sort((a, b) => a.firstOffset - b.firstOffset);
    for (const batch of wholeBatches(data.records)) {
      if (batch.lastOffset < next) continue;
      while (pendingAborts.length > 0 && pendingAborts[0].firstOffset <= batch.lastOffset) abortingProducers.add(pendingAborts.shift()!.producerId);
      if (batch.isControl) {
        const [marker] = decodeBatchRecords(batch);
        if (marker?.key?.readInt16BE(2) === 0) abortingProducers.delete(batch.producerId);
      } else if (batch.isTransactional && abortingProducers.has(batch.producerId)) {
        aborted += batch.recordCount;
      } else {
        for (const r of decodeBatchRecords(batch)) if (batch.baseOffset + r.offsetDelta >= next) values.push(r.value!.toString());
      }
      next = batch.lastOffset + 1;
    }
    if (next >= data.lastStableOffset) return { values, aborted, highWatermark: data.highWatermark, lastStableOffset: data.lastStableOffset };
  }
}

/**
 * The transactional InitProducerId (Java's initTransactions): kafkajs's connect() only asks for an
 * idempotent producer id and sends the transactional one with the first transaction, so an empty
 * transaction is begun and ended here (its abort sends nothing: no partition was added).
 */
async function initTransactions(producer: Producer): Promise<void> {
  const transaction = await producer.transaction();
  await transaction.abort();
}

/** Where the pipeline calls the test: after a transaction's records are written, and after its offsets are added. */
type Phase = 'sent' | 'offsets';

/** One incarnation of the application: a transactional producer and a consumer. */
class Instance {
  failure: Error | undefined;
  private constructor(
    readonly generation: number,
    private readonly producer: Producer,
    private readonly consumer: Consumer,
  ) {}

  /**
   * Starts the producer first: its InitProducerId (same transactional id) fences the previous
   * instance, aborts its open transaction and waits for one that was committing to finish, so the
   * consumer then reads offsets no transaction is still changing.
   */
  static async start(pipeline: Pipeline, generation: number): Promise<Instance> {
    const kafka = new Kafka({
      brokers: [`127.0.0.1:${pipeline.port}`],
      clientId: `eos-${generation}`,
      logLevel: logLevel.NOTHING,
      retry: { retries: 8, initialRetryTime: 100, maxRetryTime: 1000 },
    });
    const producer = kafka.producer({ transactionalId: TRANSACTIONAL_ID, idempotent: true, maxInFlightRequests: 1, transactionTimeout: 30_000 });
    const consumer = kafka.consumer({
      groupId: GROUP,
      readUncommitted: false,
      sessionTimeout: SESSION_TIMEOUT_MS,
      rebalanceTimeout: 10_000,
      heartbeatInterval: 500,
      maxWaitTimeInMs: 100,
      maxBytesPerPartition: 1 << 20,
      // A crash is the application's to handle (a new instance), not kafkajs's to restart alone.
      retry: { retries: 8, initialRetryTime: 100, maxRetryTime: 1000, restartOnFailure: async () => false },
    });
    const instance = new Instance(generation, producer, consumer);
    pipeline.current = instance;
    consumer.on(consumer.events.CRASH, ({ payload }) => pipeline.failed(instance, payload.error));
    try {
      await producer.connect();
      await initTransactions(producer);
      await consumer.connect();
      await consumer.subscribe({ topic: INPUT, fromBeginning: true });
      await consumer.run({ autoCommit: false, eachBatchAutoResolve: false, eachBatch: (payload) => instance.process(pipeline, payload) });
    } catch (err) {
      await instance.close();
      throw err;
    }
    return instance;
  }

  /** One transaction per TXN_RECORDS records of the batch; stops at the first error, which is the pipeline's to handle. */
  private async process(pipeline: Pipeline, { batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload): Promise<void> {
    for (let at = 0; at < batch.messages.length; at += TXN_RECORDS) {
      if (this.failure || !isRunning() || isStale()) return;
      const chunk = batch.messages.slice(at, at + TXN_RECORDS);
      const last = chunk[chunk.length - 1].offset;
      const nextOffset = Number(last) + 1;
      try {
        const transaction = await this.producer.transaction();
        await transaction.send({ topic: OUTPUT, acks: -1, messages: chunk.map((m) => ({ key: m.key, value: transform(Number(m.value!.toString())) })) });
        await pipeline.at('sent');
        await transaction.sendOffsets({ consumerGroupId: GROUP, topics: [{ topic: INPUT, partitions: [{ partition: batch.partition, offset: String(nextOffset) }] }] });
        await pipeline.at('offsets');
        await transaction.commit();
      } catch (err) {
        pipeline.failed(this, err as Error);
        return;
      }
      pipeline.committed(batch.partition, nextOffset, chunk.length);
      resolveOffset(last);
      try {
        await heartbeat();
      } catch {
        return; // a rebalance: the next assignment resumes from the committed offsets
      }
    }
  }

  /** Disconnects both clients, each given at most 15 s (the broker may be gone). */
  async close(): Promise<void> {
    const bounded = (work: Promise<void>) =>
      Promise.race([work.catch(() => undefined), new Promise<void>((resolve) => setTimeout(resolve, 15_000).unref())]);
    await bounded(this.consumer.disconnect());
    await bounded(this.producer.disconnect());
  }
}

/** The application: one instance at a time, replaced when an error reaches it. */
class Pipeline {
  /** Output records in transactions whose commit was acknowledged. */
  committedRecords = 0;
  readonly restarts: string[] = [];
  private readonly positions: number[];
  /** The instance running or starting. */
  current: Instance | undefined;
  private replacing: Promise<void> | undefined;
  private closed = false;
  private resolveDone!: () => void;
  private rejectDone!: (error: Error) => void;
  /** Resolves once every input record's transformation is committed; rejects after MAX_RESTARTS replacements. */
  readonly done = new Promise<void>((resolve, reject) => {
    this.resolveDone = resolve;
    this.rejectDone = reject;
  });

  constructor(
    readonly port: number,
    private readonly ends: readonly number[],
    readonly at: (phase: Phase) => Promise<void>,
  ) {
    this.positions = ends.map(() => 0);
  }

  async start(): Promise<void> {
    await Instance.start(this, 0);
  }

  committed(partition: number, nextOffset: number, records: number): void {
    this.committedRecords += records;
    this.positions[partition] = Math.max(this.positions[partition], nextOffset);
    if (this.positions.every((p, i) => p >= this.ends[i])) this.resolveDone();
  }

  /** Replaces `instance` (once) with a new one; never awaited by the failing instance's handler. */
  failed(instance: Instance, error: Error): void {
    if (this.closed || instance.failure || instance !== this.current) return;
    instance.failure = error;
    this.restarts.push(`${error.name}: ${error.message}`);
    if (this.restarts.length > MAX_RESTARTS) {
      this.rejectDone(new Error(`the pipeline failed ${this.restarts.length} times; ${this.progress()}; errors:\n${this.restarts.join('\n')}`));
      return;
    }
    log(`instance ${instance.generation} failed after ${this.committedRecords} committed records (${error.name}: ${error.message}); starting instance ${instance.generation + 1}`);
    this.replacing = (async () => {
      await instance.close();
      for (let attempt = 1; !this.closed; attempt++) {
        try {
          await Instance.start(this, instance.generation + 1);
          return;
        } catch (err) {
          if (attempt >= 10) {
            this.rejectDone(new Error(`instance ${instance.generation + 1} did not start: ${(err as Error).message}`));
            return;
          }
          log(`starting instance ${instance.generation + 1} failed (${(err as Error).message}); again`);
        }
      }
    })();
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.replacing;
    await this.current?.close();
  }

  progress(): string {
    return `committed ${this.committedRecords} records, positions ${this.positions.join('/')} of ${this.ends.join('/')}`;
  }
}

it(`delivers the transformation of each of ${RECORDS} records exactly once across two broker crashes`, async () => {
  const random = new SeededRandom(SEED);
  const kills = [
    { phase: 'sent' as Phase, after: Math.floor(RECORDS * (0.2 + 0.2 * random.next())), fence: false },
    { phase: 'offsets' as Phase, after: Math.floor(RECORDS * (0.55 + 0.2 * random.next())), fence: true },
  ];
  log(
    `seed ${SEED} (GREGOR_EOS_SEED replays it): ${RECORDS} records, ${TXN_RECORDS} per transaction; kill 1 after ${kills[0].after} committed, ` +
      `once a transaction has written its records; kill 2 after ${kills[1].after}, once a transaction has added its offsets, then fence that instance`,
  );
  const started = performance.now();
  broker = await BrokerProcess.start(dataDir, BROKER_PROPERTIES);
  const port = broker.port;
  const setup = await connect(port);
  await createTopics(setup);
  const ends = await produceInput(setup);
  await setup.close();
  log(`input written: ${RECORDS} records in ${((performance.now() - started) / 1000).toFixed(1)} s`);

  const killed: string[] = [];
  let restarting: Promise<void> | undefined;
  let restarted = 0;
  const pipeline: Pipeline = new Pipeline(port, ends, async (phase) => {
    const next = kills[killed.length];
    if (!next || phase !== next.phase || pipeline.committedRecords < next.after || restarting) return;
    killed.push(`after ${pipeline.committedRecords} committed records, phase ${phase}`);
    log(`SIGKILL ${killed.length}: ${killed[killed.length - 1]}`);
    expect(await broker!.stop('SIGKILL')).toBeNull();
    broker = undefined;
    // Restarted in the background: the pipeline meets the broker down, starting and recovering.
    restarting = BrokerProcess.start(dataDir, BROKER_PROPERTIES, port).then((b) => {
      broker = b;
      restarted++;
      restarting = undefined;
      log(`broker restarted (${restarted}) on port ${port}`);
    });
    if (!next.fence) return;
    await restarting;
    const fencer = new Kafka({ brokers: [`127.0.0.1:${port}`], clientId: 'eos-fencer', logLevel: logLevel.NOTHING, retry: { retries: 8, initialRetryTime: 100, maxRetryTime: 1000 } }).producer({
      transactionalId: TRANSACTIONAL_ID,
      idempotent: true,
      maxInFlightRequests: 1,
    });
    await fencer.connect();
    await initTransactions(fencer);
    await fencer.disconnect();
    log('another producer initialized the transactional id: the running instance is now a zombie');
  });
  await pipeline.start();
  try {
    await pipeline.done;
  } catch (err) {
    console.log(`broker output (last 40 lines):\n${(broker?.output.join('') ?? '').split('\n').slice(-40).join('\n')}`);
    throw err;
  } finally {
    await restarting;
    await pipeline.close();
  }
  log(`pipeline done in ${((performance.now() - started) / 1000).toFixed(1)} s: ${pipeline.progress()}; ${pipeline.restarts.length} instance restart(s)`);
  expect(killed).toHaveLength(2);
  expect(restarted).toBe(2);
  // The zombie's commit was refused. (Usually the only error that reaches the application; on a
  // loaded machine kafkajs may also give up on the first restart, which a new instance handles.)
  expect(pipeline.restarts.some((e) => /fenc|old epoch/i.test(e)), pipeline.restarts.join('\n')).toBe(true);

  const reader = await connect(port);
  const seen = new Map<number, number>();
  let logged = 0;
  let abortedRecords = 0;
  try {
    for (let partition = 0; partition < PARTITIONS; partition++) {
      const read = await readCommitted(reader, OUTPUT, partition);
      // No transaction is left open: everything up to the high watermark is decided.
      expect(read.lastStableOffset, `partition ${partition}`).toBe(read.highWatermark);
      abortedRecords += read.aborted;
      logged += read.values.length;
      for (const value of read.values) {
        const i = Number(value.slice(0, value.indexOf(':')));
        expect(value).toBe(transform(i));
        seen.set(i, (seen.get(i) ?? 0) + 1);
      }
    }
  } finally {
    await reader.close();
  }
  log(`output: ${logged} committed records read with read_committed; ${abortedRecords} records of aborted transactions dropped`);
  const missing: number[] = [];
  const duplicated: number[] = [];
  for (let i = 0; i < RECORDS; i++) {
    const count = seen.get(i) ?? 0;
    if (count === 0) missing.push(i);
    if (count > 1) duplicated.push(i);
  }
  expect({ missing: missing.slice(0, 10), missingCount: missing.length, duplicated: duplicated.slice(0, 10), duplicatedCount: duplicated.length }).toEqual({
    missing: [],
    missingCount: 0,
    duplicated: [],
    duplicatedCount: 0,
  });
  expect(seen.size).toBe(RECORDS);
  expect(logged).toBe(RECORDS);
  // The zombie's transaction wrote a whole chunk before it was aborted; read_committed dropped it.
  expect(abortedRecords).toBeGreaterThanOrEqual(TXN_RECORDS);

  // The group's committed offsets are the ends of the input.
  const admin = new Kafka({ brokers: [`127.0.0.1:${port}`], clientId: 'eos-check', logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const [offsets] = await admin.fetchOffsets({ groupId: GROUP, topics: [INPUT] });
    expect(offsets.partitions.sort((a, b) => a.partition - b.partition).map((p) => Number(p.offset))).toEqual(ends);
  } finally {
    await admin.disconnect();
  }
}, 180_000);
