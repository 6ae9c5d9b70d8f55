/**
 * Transactions benchmark: what idempotence and transactions cost a producer, next to plain
 * produce throughput measured in the same run on the same broker, and how long a transaction's
 * commit takes.
 *
 * One `gregor server` process (port 0, a temp dir) and this process as the load generator, so the
 * broker has a core of its own on a 2-core machine. The load is raw Produce v9 requests from Gregor's
 * own connection (src/client/broker-connection.ts), not a client library: the record batches are
 * built once (64 distinct batches per shape and producer), and each send only patches the producer
 * id, epoch and base sequence into a batch and recomputes its CRC, in every mode alike, so the
 * generator does the same small amount of work per batch whatever the mode and the broker is what
 * is measured. 4 producers write at once, each on its own connection with its own producer id; each
 * request carries one batch for each of the topic's 4 partitions, and each producer keeps 5 requests
 * in flight (max.in.flight.requests.per.connection, the most Kafka allows an idempotent producer);
 * acks=-1 in every mode.
 *
 * First, the append path alone in this process (PartitionLog.appendAsLeader of the same batches,
 * plain and idempotent alternating, no network): the producer-state checks' own cost, with far less
 * noise than anything measured through a second process on a shared machine.
 *
 * Then the broker. Modes, alternated within each round (odd rounds in reverse order); reported: the
 * median rate over the rounds, and the median of each round's ratio to that round's plain run:
 * - plain: producer id -1, no sequence numbers;
 * - idempotent: InitProducerId without a transactional id, then sequence numbers per partition;
 * - transactional, N records per transaction: InitProducerId with a transactional id; per
 *   transaction AddPartitionsToTxn v3 (the 4 partitions), the transactional batches, then EndTxn v3
 *   (commit). The next transaction's AddPartitionsToTxn is retried at once while the broker answers
 *   CONCURRENT_TRANSACTIONS (the previous transaction's markers are still being written); the retries
 *   are counted.
 * Each run writes a fresh topic, deleted after the run. Next to each rate: the broker's CPU time
 * per GiB written (from /proc/<pid>/stat) and the generator's own CPU use.
 *
 * Commit latency: LATENCY_TXNS small transactions one after the other (one record to one
 * partition: AddPartitionsToTxn, Produce, EndTxn), after a warm-up; percentiles of the EndTxn round
 * trip, and of the whole transaction.
 *
 *   npm run bench:transactions
 *   GREGOR_BENCH_MB=64 GREGOR_BENCH_ROUNDS=5 GREGOR_BENCH_TXNS=5000 npm run bench:transactions
 *
 * To profile the broker in one case, start it yourself and point the benchmark at it:
 *   node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx bin/gregor.ts server --override log.dirs=/tmp/prof-data \
 *     --override listeners=PLAINTEXT://127.0.0.1:9192 &
 *   GREGOR_BENCH_PORT=9192 GREGOR_BENCH_PID=$! GREGOR_BENCH_MODES=idempotent GREGOR_BENCH_SHAPE=1 npx tsx bench/transactions.ts
 *   kill -TERM $!    # the profile is written when the broker exits
 */
import { readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { setImmediate as nextTurn, setTimeout as delay } from 'node:timers/promises';
import { BrokerConnection } from '../src/client/broker-connection.js';
import {
  AddPartitionsToTxnApi,
  CreateTopicsApi,
  DeleteTopicsApi,
  EndTxnApi,
  FindCoordinatorApi,
  InitProducerIdApi,
  ProduceApi,
} from '../src/protocol/generated/apis.js';
import { createAddPartitionsToTxnRequest } from '../src/protocol/generated/clients/add-partitions-to-txn-request.js';
import { createCreateTopicsRequest, createCreateTopicsRequestCreatableTopic } from '../src/protocol/generated/clients/create-topics-request.js';
import { createDeleteTopicsRequest } from '../src/protocol/generated/clients/delete-topics-request.js';
import { createEndTxnRequest } from '../src/protocol/generated/clients/end-txn-request.js';
import { createInitProducerIdRequest } from '../src/protocol/generated/clients/init-producer-id-request.js';
import {
  createProduceRequest,
  createProduceRequestPartitionProduceData,
  createProduceRequestTopicProduceData,
} from '../src/protocol/generated/clients/produce-request.js';
import { ErrorCode } from '../src/protocol/generated/error-codes.js';
import { buildRecordBatch } from '../src/protocol/records/batch-builder.js';
import { BATCH_HEADER } from '../src/protocol/records/batch-header.js';
import { crc32c } from '../src/protocol/records/crc.js';
import { writeInt64BE } from '../src/protocol/records/int64.js';
import { logConfig } from '../src/storage/log-config.js';
import { PartitionLog } from '../src/storage/partition-log.js';
import { NodeFileSystem } from '../src/util/node-file-system.js';
import { BrokerProcess, tempDataDir } from '../test/e2e/support/broker-process.js';
import { testConnectionOptions } from '../test/support/connection-options.js';
import { MIB, mbPerSecond, median, percentile, seconds } from './support/measure.js';

const MB_PER_RUN = Number(process.env.GREGOR_BENCH_MB ?? 128);
const ROUNDS = Number(process.env.GREGOR_BENCH_ROUNDS ?? 5);
const LATENCY_TXNS = Number(process.env.GREGOR_BENCH_TXNS ?? 2000);
const PARTITIONS = 4;
const WINDOW = 5;
/** Producers (connections) writing at once. */
const PRODUCERS = Number(process.env.GREGOR_BENCH_PRODUCERS ?? 4);
const POOL = 64;
/** For profiling one case (e.g. with --cpu-prof): GREGOR_BENCH_MODES=plain,idempotent and GREGOR_BENCH_SHAPE=0 or 1. */
const ONLY_MODES = process.env.GREGOR_BENCH_MODES?.split(',') ?? null;
const ONLY_SHAPE = process.env.GREGOR_BENCH_SHAPE === undefined ? null : Number(process.env.GREGOR_BENCH_SHAPE);
/** Records per transaction in the transactional runs. */
const TXN_SIZES = [100, 1000, 10_000];

interface Shape {
  readonly name: string;
  readonly batchBytes: number;
  readonly recordBytes: number;
  /** Bytes of batches per run. */
  readonly bytes: number;
}

const SHAPES: Shape[] = [
  { name: '16 KiB batches of 1 KiB records', batchBytes: 16 * 1024, recordBytes: 1024, bytes: MB_PER_RUN * MIB },
  { name: '1 KiB batches of 100 B records', batchBytes: 1024, recordBytes: 100, bytes: (MB_PER_RUN * MIB) / 4 },
];

type Mode = { kind: 'plain' } | { kind: 'idempotent' } | { kind: 'transactional'; records: number };

/** Records per batch of a shape's templates. */
function recordsPerBatch(shape: Shape): number {
  return Math.max(1, Math.floor(shape.batchBytes / (shape.recordBytes + 16)));
}

/** Produce requests per transaction: the nearest whole number of requests to the mode's record count. */
function requestsPerTxn(shape: Shape, records: number): number {
  return Math.max(1, Math.round(records / (recordsPerBatch(shape) * PARTITIONS)));
}

function modeName(shape: Shape, mode: Mode): string {
  if (mode.kind !== 'transactional') return mode.kind;
  const requests = requestsPerTxn(shape, mode.records);
  return `transactional, ${requests * recordsPerBatch(shape) * PARTITIONS} records/txn (${requests} req)`;
}

/** POOL distinct batches of the shape, transactional or not; producer fields are patched per send. */
function templates(shape: Shape, transactional: boolean): Buffer[] {
  const perBatch = recordsPerBatch(shape);
  return Array.from({ length: POOL }, (_, b) =>
    buildRecordBatch({
      isTransactional: transactional,
      records: Array.from({ length: perBatch }, (_, i) => ({
        key: Buffer.from(`key-${b}-${i}`),
        value: Buffer.alloc(Math.max(0, shape.recordBytes - 20), 97 + ((b + i) % 26)),
        timestamp: 1_700_000_000_000 + i,
      })),
    }),
  );
}

/** Writes the producer id, epoch and base sequence into a batch and recomputes its CRC (attributes to the end). */
function patch(batch: Buffer, producerId: number, producerEpoch: number, baseSequence: number): Buffer {
  writeInt64BE(batch, BATCH_HEADER.producerId, producerId);
  batch.writeInt16BE(producerEpoch, BATCH_HEADER.producerEpoch);
  batch.writeInt32BE(baseSequence, BATCH_HEADER.baseSequence);
  batch.writeUInt32BE(crc32c(batch.subarray(BATCH_HEADER.attributes)), BATCH_HEADER.crc);
  return batch;
}

/** User + system CPU seconds of a process so far, from /proc (NaN where there is no /proc). */
function processCpuSeconds(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
  } catch {
    return Number.NaN;
  }
}

const RETRIABLE_COORDINATOR = new Set<number>([ErrorCode.COORDINATOR_LOAD_IN_PROGRESS, ErrorCode.COORDINATOR_NOT_AVAILABLE, ErrorCode.NOT_COORDINATOR]);

/** Calls `attempt` until it answers NONE: at once after CONCURRENT_TRANSACTIONS (counted), after 10 ms while the coordinator loads. */
async function retrying(what: string, attempt: () => Promise<number>, counter?: { retries: number }): Promise<void> {
  for (let tries = 0; tries < 100_000; tries++) {
    const code = await attempt();
    if (code === ErrorCode.NONE) return;
    if (code === ErrorCode.CONCURRENT_TRANSACTIONS) {
      if (counter) counter.retries++;
      await nextTurn();
    } else if (RETRIABLE_COORDINATOR.has(code)) {
      await delay(10);
    } else {
      throw new Error(`${what} failed with error ${code}`);
    }
  }
  throw new Error(`${what} kept failing`);
}

/**
 * The append path alone, in this process: PartitionLog.appendAsLeader of the shape's batches,
 * plain and idempotent (one producer, sequences in order) alternating in rounds of `batches`
 * appends to fresh logs; microseconds per batch, median of the rounds. No network, no request
 * handling: what the producer-state checks add to an append.
 */
async function appendCost(shape: Shape, dir: string, batches: number, rounds: number): Promise<{ plain: number; idempotent: number; ratios: number[] }> {
  const fs = new NodeFileSystem();
  const perBatch = recordsPerBatch(shape);
  const pool = templates(shape, false);
  const once = async (idempotent: boolean, run: number): Promise<number> => {
    const log = await PartitionLog.open({ fs, dir: `${dir}/append-${run}`, topicPartition: { topic: 'append', partition: 0 }, config: logConfig(), now: Date.now() });
    const now = Date.now();
    const start = process.hrtime.bigint();
    for (let i = 0; i < batches; i++) {
      const batch = patch(pool[i % POOL], idempotent ? 1000 : -1, idempotent ? 0 : -1, idempotent ? i * perBatch : -1);
      batch.fill(0, 0, 8);
      log.appendAsLeader(batch, 0, now);
    }
    const us = Number(process.hrtime.bigint() - start) / 1000 / batches;
    await log.close(Date.now());
    rmSync(`${dir}/append-${run}`, { recursive: true, force: true });
    return us;
  };
  const plain: number[] = [];
  const idem: number[] = [];
  await once(false, 0); // warm-up
  await once(true, 1);
  for (let round = 0; round < rounds; round++) {
    if (round % 2 === 0) {
      plain.push(await once(false, 2 + 2 * round));
      idem.push(await once(true, 3 + 2 * round));
    } else {
      idem.push(await once(true, 3 + 2 * round));
      plain.push(await once(false, 2 + 2 * round));
    }
  }
  return { plain: median(plain), idempotent: median(idem), ratios: idem.map((v, i) => v / plain[i]) };
}

class Bench {
  private runs = 0;

  constructor(
    private readonly broker: { readonly port: number; readonly pid: number },
    private readonly admin: BrokerConnection,
  ) {}

  connect(clientId: string): Promise<BrokerConnection> {
    return BrokerConnection.open(testConnectionOptions(this.broker.port, { clientId, requestTimeoutMs: 60_000 }));
  }

  async createTopic(name: string, partitions: number): Promise<void> {
    const topic = createCreateTopicsRequestCreatableTopic({ name, numPartitions: partitions, replicationFactor: 1 });
    const response = await this.admin.send(CreateTopicsApi, 7, createCreateTopicsRequest({ topics: [topic], timeoutMs: 30_000 }));
    if (response.topics[0].errorCode !== ErrorCode.NONE) throw new Error(`creating ${name} failed with error ${response.topics[0].errorCode}`);
  }

  async deleteTopic(name: string): Promise<void> {
    await this.admin.send(DeleteTopicsApi, 4, createDeleteTopicsRequest({ topicNames: [name], timeoutMs: 30_000 }));
  }

  /** InitProducerId (v4), transactional when `transactionalId` is given: the producer id and epoch. */
  async initProducer(connection: BrokerConnection, transactionalId: string | null): Promise<{ producerId: number; producerEpoch: number }> {
    if (transactionalId !== null) {
      await retrying('FindCoordinator', async () => {
        const found = await connection.send(FindCoordinatorApi, 4, { key: '', keyType: 1, coordinatorKeys: [transactionalId] });
        return found.coordinators[0].errorCode;
      });
    }
    let result = { producerId: -1, producerEpoch: -1 };
    await retrying('InitProducerId', async () => {
      const r = await connection.send(InitProducerIdApi, 4, createInitProducerIdRequest({ transactionalId, transactionTimeoutMs: 60_000 }));
      result = { producerId: r.producerId, producerEpoch: r.producerEpoch };
      return r.errorCode;
    });
    return result;
  }

  /** One throughput run: bytes per second, plus the CPU both processes spent and the retries. */
  async throughput(shape: Shape, mode: Mode): Promise<{ mbPerSec: number; recordsPerSec: number; brokerCpuPerGiB: number; clientCpu: number; concurrentRetries: number }> {
    const topic = `bench-txn-${this.runs++}`;
    await this.createTopic(topic, PARTITIONS);
    const perBatch = recordsPerBatch(shape);
    const batchBytes = templates(shape, false)[0].length;
    // Whole transactions per producer (every mode sends the same number of requests).
    const perTxn = mode.kind === 'transactional' ? requestsPerTxn(shape, mode.records) : 1;
    const requestsPerProducer = Math.max(1, Math.round(shape.bytes / (batchBytes * PARTITIONS * PRODUCERS * perTxn))) * perTxn;
    const all = Array.from({ length: PARTITIONS }, (_, i) => i);
    const counter = { retries: 0 };
    let sentBytes = 0;

    /** A producer on its own connection, with its own producer id and batches. */
    const producers = await Promise.all(
      Array.from({ length: PRODUCERS }, async (_, index) => {
        const connection = await this.connect(`bench-${mode.kind}-${index}`);
        const transactionalId = mode.kind === 'transactional' ? `${topic}-producer-${index}` : null;
        const ids = mode.kind === 'plain' ? { producerId: -1, producerEpoch: -1 } : await this.initProducer(connection, transactionalId);
        return { connection, transactionalId, ids, pool: templates(shape, mode.kind === 'transactional') };
      }),
    );

    const run = async ({ connection, transactionalId, ids, pool }: (typeof producers)[number]): Promise<void> => {
      const sequences = new Array<number>(PARTITIONS).fill(0);
      let poolAt = 0;
      const produceOne = async (): Promise<void> => {
        const partitionData = [];
        for (let partition = 0; partition < PARTITIONS; partition++) {
          const batch = pool[poolAt++ % POOL];
          const sequence = mode.kind === 'plain' ? -1 : sequences[partition];
          if (mode.kind !== 'plain') sequences[partition] += perBatch;
          partitionData.push(createProduceRequestPartitionProduceData({ index: partition, records: patch(batch, ids.producerId, ids.producerEpoch, sequence) }));
          sentBytes += batch.length;
        }
        const response = await connection.send(
          ProduceApi,
          9,
          createProduceRequest({ acks: -1, timeoutMs: 30_000, transactionalId, topicData: [createProduceRequestTopicProduceData({ name: topic, partitionData })] }),
        );
        for (const p of response.responses[0].partitionResponses) if (p.errorCode !== ErrorCode.NONE) throw new Error(`produce (${modeName(shape, mode)}) failed with error ${p.errorCode}`);
      };
      /** `count` produce requests, WINDOW in flight. */
      const produceMany = async (count: number): Promise<void> => {
        let next = 0;
        const lane = async (): Promise<void> => {
          while (next < count) {
            next++;
            await produceOne();
          }
        };
        await Promise.all(Array.from({ length: Math.min(WINDOW, count) }, lane));
      };
      if (mode.kind !== 'transactional') return produceMany(requestsPerProducer);
      for (let done = 0; done < requestsPerProducer; done += perTxn) {
        await retrying(
          'AddPartitionsToTxn',
          async () => {
            const r = await connection.send(
              AddPartitionsToTxnApi,
              3,
              createAddPartitionsToTxnRequest({
                v3AndBelowTransactionalId: transactionalId!,
                v3AndBelowProducerId: ids.producerId,
                v3AndBelowProducerEpoch: ids.producerEpoch,
                v3AndBelowTopics: [{ name: topic, partitions: all }],
              }),
            );
            return r.resultsByTopicV3AndBelow[0].resultsByPartition.find((p) => p.partitionErrorCode !== ErrorCode.NONE)?.partitionErrorCode ?? ErrorCode.NONE;
          },
          counter,
        );
        await produceMany(perTxn);
        await retrying('EndTxn', async () => {
          const r = await connection.send(EndTxnApi, 3, createEndTxnRequest({ transactionalId: transactionalId!, ...ids, committed: true }));
          return r.errorCode;
        });
      }
    };

    const brokerCpu = processCpuSeconds(this.broker.pid);
    const clientCpu = process.cpuUsage();
    const start = process.hrtime.bigint();
    await Promise.all(producers.map(run));
    const secs = seconds(start);
    const cpu = process.cpuUsage(clientCpu);
    const brokerCpuSecs = processCpuSeconds(this.broker.pid) - brokerCpu;
    for (const p of producers) await p.connection.close();
    await this.deleteTopic(topic);
    return {
      mbPerSec: mbPerSecond(sentBytes, secs),
      recordsPerSec: ((sentBytes / batchBytes) * perBatch) / secs,
      brokerCpuPerGiB: brokerCpuSecs / (sentBytes / (1024 * MIB)),
      clientCpu: (cpu.user + cpu.system) / 1e6 / secs,
      concurrentRetries: counter.retries,
    };
  }

  /** Small transactions one after the other: EndTxn round trips and whole transactions, in ms. */
  async commitLatency(count: number, warmup: number): Promise<{ endTxn: number[]; whole: number[]; concurrentRetries: number }> {
    const topic = 'bench-txn-latency';
    await this.createTopic(topic, 1);
    const connection = await this.connect('bench-latency');
    const transactionalId = 'bench-latency-producer';
    const producer = await this.initProducer(connection, transactionalId);
    const [template] = templates({ name: 'one', batchBytes: 100, recordBytes: 100, bytes: 0 }, true);
    const endTxn: number[] = [];
    const whole: number[] = [];
    const counter = { retries: 0 };
    for (let i = 0; i < warmup + count; i++) {
      const start = process.hrtime.bigint();
      await retrying(
        'AddPartitionsToTxn',
        async () => {
          const r = await connection.send(
            AddPartitionsToTxnApi,
            3,
            createAddPartitionsToTxnRequest({
              v3AndBelowTransactionalId: transactionalId,
              v3AndBelowProducerId: producer.producerId,
              v3AndBelowProducerEpoch: producer.producerEpoch,
              v3AndBelowTopics: [{ name: topic, partitions: [0] }],
            }),
          );
          return r.resultsByTopicV3AndBelow[0].resultsByPartition[0].partitionErrorCode;
        },
        i >= warmup ? counter : undefined,
      );
      const produced = await connection.send(
        ProduceApi,
        9,
        createProduceRequest({
          acks: -1,
          timeoutMs: 30_000,
          transactionalId,
          topicData: [
            createProduceRequestTopicProduceData({
              name: topic,
              partitionData: [createProduceRequestPartitionProduceData({ index: 0, records: patch(template, producer.producerId, producer.producerEpoch, i) })],
            }),
          ],
        }),
      );
      if (produced.responses[0].partitionResponses[0].errorCode !== ErrorCode.NONE) throw new Error(`produce failed with ${produced.responses[0].partitionResponses[0].errorCode}`);
      const commitStart = process.hrtime.bigint();
      const ended = await connection.send(EndTxnApi, 3, createEndTxnRequest({ transactionalId, ...producer, committed: true }));
      const end = process.hrtime.bigint();
      if (ended.errorCode !== ErrorCode.NONE) throw new Error(`EndTxn failed with ${ended.errorCode}`);
      if (i >= warmup) {
        endTxn.push(Number(end - commitStart) / 1e6);
        whole.push(Number(end - start) / 1e6);
      }
    }
    await connection.close();
    return { endTxn, whole, concurrentRetries: counter.retries };
  }
}

async function main(): Promise<void> {
  console.log(`node ${process.version}, ${os.cpus().length} cores, ${os.cpus()[0]?.model ?? 'unknown cpu'}`);
  console.log(
    `${MB_PER_RUN} MiB per run of 16 KiB batches (a quarter for 1 KiB batches), ${PARTITIONS} partitions, ${PRODUCERS} producers with ${WINDOW} requests in flight each, acks=-1, median of ${ROUNDS} rounds`,
  );
  const dataDir = tempDataDir();
  const external = process.env.GREGOR_BENCH_PORT;
  const broker = external ? null : await BrokerProcess.start(dataDir, { 'log.retention.bytes': '-1' });
  const target = broker ? { port: broker.port, pid: broker.child.pid! } : { port: Number(external), pid: Number(process.env.GREGOR_BENCH_PID ?? -1) };
  const admin = await BrokerConnection.open(testConnectionOptions(target.port, { clientId: 'bench-admin', requestTimeoutMs: 60_000 }));
  try {
    const bench = new Bench(target, admin);
    const modes: Mode[] = [{ kind: 'plain' as const }, { kind: 'idempotent' as const }, ...TXN_SIZES.map((records): Mode => ({ kind: 'transactional', records }))].filter(
      (mode) => ONLY_MODES === null || ONLY_MODES.includes(mode.kind),
    );
    console.log('\nappend path alone (PartitionLog.appendAsLeader in this process, no network), µs per batch, median of 7 rounds:');
    for (const shape of SHAPES) {
      const cost = await appendCost(shape, dataDir, Math.min(100_000, Math.round((128 * MIB) / templates(shape, false)[0].length)), 7);
      console.log(
        `  ${shape.name.padEnd(34)} plain ${cost.plain.toFixed(2)}, idempotent ${cost.idempotent.toFixed(2)}: idempotent / plain ${median(cost.ratios).toFixed(3)} (rounds ${cost.ratios.map((r) => r.toFixed(2)).join(' ')})`,
      );
    }
    for (const shape of SHAPES.filter((_, i) => modes.length > 0 && (ONLY_SHAPE === null || ONLY_SHAPE === i))) {
      // Warm-up (not reported): a short run of each mode, so that every code path is compiled.
      for (const mode of modes) await bench.throughput({ ...shape, bytes: shape.bytes / 8 }, mode);
      const results = modes.map(() => [] as Awaited<ReturnType<Bench['throughput']>>[]);
      // Odd rounds run the modes in reverse order, so that no mode always follows the same one.
      for (let round = 0; round < ROUNDS; round++) {
        for (let k = 0; k < modes.length; k++) {
          const m = round % 2 === 0 ? k : modes.length - 1 - k;
          results[m].push(await bench.throughput(shape, modes[m]));
        }
      }
      console.log(`\n${shape.name}`);
      console.log(`${'mode'.padEnd(44)} ${'MB/s'.padStart(8)} ${'records/s'.padStart(10)} ${'vs plain'.padStart(8)} ${'each round vs plain'.padStart(20)} ${'broker CPU s/GiB'.padStart(16)} ${'client CPU'.padStart(10)} ${'CONCURRENT_TXNS retries'.padStart(23)}`);
      if (modes[0].kind !== 'plain') {
        for (let m = 0; m < modes.length; m++) console.log(`${modeName(shape, modes[m]).padEnd(44)} ${median(results[m].map((r) => r.mbPerSec)).toFixed(1).padStart(8)} MB/s`);
        continue;
      }
      const plain = results[0].map((r) => r.mbPerSec);
      for (let m = 0; m < modes.length; m++) {
        const rates = results[m].map((r) => r.mbPerSec);
        const mid = median(rates);
        const at = rates.indexOf(mid);
        const ratios = rates.map((r, i) => r / plain[i]);
        const perRound = ratios.map((r) => r.toFixed(2)).join(' ');
        console.log(
          `${modeName(shape, modes[m]).padEnd(44)} ${mid.toFixed(1).padStart(8)} ${results[m][at].recordsPerSec.toFixed(0).padStart(10)} ${median(ratios).toFixed(3).padStart(8)} ${perRound.padStart(20)} ${median(results[m].map((r) => r.brokerCpuPerGiB)).toFixed(2).padStart(16)} ${`${(median(results[m].map((r) => r.clientCpu)) * 100).toFixed(0)}%`.padStart(10)} ${String(median(results[m].map((r) => r.concurrentRetries))).padStart(23)}`,
        );
      }
    }
    if (ONLY_MODES !== null) return;
    const latency = await bench.commitLatency(LATENCY_TXNS, Math.ceil(LATENCY_TXNS / 10));
    const ms = (values: number[]) => `p50 ${percentile(values, 50).toFixed(2)} ms, p95 ${percentile(values, 95).toFixed(2)} ms, p99 ${percentile(values, 99).toFixed(2)} ms, max ${Math.max(...values).toFixed(2)} ms`;
    console.log(`\ncommit latency, ${latency.endTxn.length} transactions of one record to one partition, one after the other:`);
    console.log(`  EndTxn (commit) round trip: ${ms(latency.endTxn)}`);
    console.log(`  whole transaction (AddPartitionsToTxn + Produce + EndTxn): ${ms(latency.whole)}; CONCURRENT_TRANSACTIONS retries ${latency.concurrentRetries}`);
  } finally {
    await admin.close();
    await broker?.stop('SIGTERM');
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
