/**
 * Broker benchmark: produce and fetch throughput through a real broker process, with kcat
 * (librdkafka) as the load generator, and produce-to-consume latency, each next to the storage
 * append ceiling measured in the same run.
 *
 *   npx tsx bench/broker.ts        # needs kcat on the PATH (Debian package kcat)
 *   GREGOR_BENCH_MB=64 npx tsx bench/broker.ts
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BrokerConnection } from '../src/client/broker-connection.js';
import { CreateTopicsApi, FetchApi, ProduceApi } from '../src/protocol/generated/apis.js';
import { createCreateTopicsRequest, createCreateTopicsRequestCreatableTopic } from '../src/protocol/generated/clients/create-topics-request.js';
import { createFetchRequest, createFetchRequestFetchPartition, createFetchRequestFetchTopic } from '../src/protocol/generated/clients/fetch-request.js';
import {
  createProduceRequest,
  createProduceRequestPartitionProduceData,
  createProduceRequestTopicProduceData,
} from '../src/protocol/generated/clients/produce-request.js';
import { buildRecordBatch } from '../src/protocol/records/batch-builder.js';
import { RecordBatchHeader } from '../src/protocol/records/batch-header.js';
import { decodeBatchRecords } from '../src/protocol/records/batch-records.js';
import { logConfig } from '../src/storage/log-config.js';
import { PartitionLog } from '../src/storage/partition-log.js';
import { NodeFileSystem } from '../src/util/node-file-system.js';
import { BrokerProcess } from '../test/e2e/support/broker-process.js';
import { batchPool } from './support/batches.js';
import { MIB, mbPerSecond, percentile, seconds } from './support/measure.js';
import { testConnectionOptions } from '../test/support/connection-options.js';

const TOTAL_BYTES = Number(process.env.GREGOR_BENCH_MB ?? 128) * MIB;
const LATENCY_MESSAGES = 2000;
const ROOT = fs.mkdtempSync(path.join(os.tmpdir(), 'gregor-bench-broker-'));

interface Row {
  readonly what: string;
  readonly messages: number;
  readonly bytes: number;
  readonly secs: number;
}

/** What storage alone sustains: appending batches of 16 KiB to one partition log in this process. */
async function appendCeiling(recordBytes: number): Promise<number> {
  const dir = path.join(ROOT, `ceiling-${recordBytes}`);
  const log = await PartitionLog.open({ fs: new NodeFileSystem(), dir, topicPartition: { topic: 'ceiling', partition: 0 }, config: logConfig(), now: Date.now() });
  const pool = batchPool(16 * 1024, recordBytes);
  const start = process.hrtime.bigint();
  let written = 0;
  for (let i = 0; written < TOTAL_BYTES; i++) {
    const batch = pool[i % pool.length];
    batch.fill(0, 0, 8);
    log.appendAsLeader(batch, 0, Date.now());
    written += batch.length;
  }
  const rate = mbPerSecond(written, seconds(start));
  await log.close(Date.now());
  return rate;
}

async function connect(port: number): Promise<BrokerConnection> {
  return BrokerConnection.open(testConnectionOptions(port, { clientId: 'bench', requestTimeoutMs: 60_000 }));
}

async function createTopic(port: number, name: string, partitions: number): Promise<void> {
  const connection = await connect(port);
  const topic = createCreateTopicsRequestCreatableTopic({ name, numPartitions: partitions, replicationFactor: 1 });
  const response = await connection.send(CreateTopicsApi, 7, createCreateTopicsRequest({ topics: [topic], timeoutMs: 30_000 }));
  await connection.close();
  if (response.topics[0].errorCode !== 0) throw new Error(`creating ${name} failed with error ${response.topics[0].errorCode}`);
}

function kcat(port: number, args: string[], input?: string): number {
  const start = process.hrtime.bigint();
  execFileSync('kcat', ['-b', `127.0.0.1:${port}`, '-q', ...args], { stdio: [input ? fs.openSync(input, 'r') : 'ignore', 'ignore', 'inherit'] });
  return seconds(start);
}

/** A file of `count` lines of `size` bytes each (newline excluded), for kcat -l. */
function messageFile(size: number, count: number): string {
  const file = path.join(ROOT, `messages-${size}`);
  const line = `${'x'.repeat(size)}\n`;
  const chunk = line.repeat(Math.min(count, 10_000));
  const fd = fs.openSync(file, 'w');
  for (let written = 0; written < count; written += 10_000) fs.writeSync(fd, written + 10_000 <= count ? chunk : line.repeat(count - written));
  fs.closeSync(fd);
  return file;
}

const PRODUCER = ['-X', 'acks=1', '-X', 'linger.ms=5', '-X', 'batch.size=1000000', '-X', 'queue.buffering.max.messages=1000000', '-X', 'queue.buffering.max.kbytes=1048576'];
const CONSUMER = ['-X', 'fetch.max.bytes=52428800', '-X', 'fetch.wait.max.ms=100'];

async function throughput(port: number, size: number, partitions: number): Promise<Row[]> {
  const topic = `bench-${size}-${partitions}`;
  await createTopic(port, topic, partitions);
  const count = Math.floor(TOTAL_BYTES / size / (size < 1024 ? 4 : 1));
  const file = messageFile(size, count);
  const produceSecs = kcat(port, ['-P', '-t', topic, '-l', file, ...PRODUCER]);
  const fetchSecs = kcat(port, ['-C', '-t', topic, '-o', 'beginning', '-e', '-f', '', ...CONSUMER]);
  const label = `${size} B messages, ${partitions} partition${partitions > 1 ? 's' : ''}`;
  return [
    { what: `produce ${label}`, messages: count, bytes: count * size, secs: produceSecs },
    { what: `fetch   ${label}`, messages: count, bytes: count * size, secs: fetchSecs },
  ];
}

/** Produce one message at a time (acks=1) while a long-polling fetch loop receives them: end-to-end latency. */
async function latency(port: number): Promise<number[]> {
  const topic = 'bench-latency';
  await createTopic(port, topic, 1);
  const producer = await connect(port);
  const consumer = await connect(port);
  const sentAt = new Map<number, bigint>();
  const latencies: number[] = [];
  let nextOffset = 0;
  const consuming = (async () => {
    while (latencies.length < LATENCY_MESSAGES) {
      const response = await consumer.send(
        FetchApi,
        12,
        createFetchRequest({
          maxWaitMs: 500,
          minBytes: 1,
          maxBytes: MIB,
          topics: [createFetchRequestFetchTopic({ topic, partitions: [createFetchRequestFetchPartition({ partition: 0, fetchOffset: nextOffset, partitionMaxBytes: MIB })] })],
        }),
      );
      const now = process.hrtime.bigint();
      const records = response.responses[0]?.partitions[0]?.records;
      if (!records || records.length === 0) continue;
      for (let at = 0; at < records.length; ) {
        const batch = new RecordBatchHeader(records.subarray(at, at + records.readInt32BE(at + 8) + 12));
        for (const record of decodeBatchRecords(batch)) {
          const id = Number(record.value!.toString());
          latencies.push(Number(now - sentAt.get(id)!) / 1e6);
        }
        nextOffset = batch.lastOffset + 1;
        at += batch.sizeInBytes;
      }
    }
  })();
  for (let id = 0; id < LATENCY_MESSAGES; id++) {
    const batch = buildRecordBatch({ records: [{ key: null, value: Buffer.from(String(id)), timestamp: Date.now() }] });
    sentAt.set(id, process.hrtime.bigint());
    await producer.send(
      ProduceApi,
      9,
      createProduceRequest({
        acks: 1,
        timeoutMs: 30_000,
        topicData: [createProduceRequestTopicProduceData({ name: topic, partitionData: [createProduceRequestPartitionProduceData({ index: 0, records: batch })] })],
      }),
    );
  }
  await consuming;
  await producer.close();
  await consumer.close();
  return latencies;
}

async function main(): Promise<void> {
  console.log(`node ${process.version}, ${os.cpus().length} cores, ${os.cpus()[0]?.model ?? 'unknown cpu'}; ${TOTAL_BYTES / MIB} MiB per 1 KiB run (a quarter for 100 B)`);
  const ceiling = { 100: await appendCeiling(100), 1024: await appendCeiling(1024) };
  const broker = await BrokerProcess.start(path.join(ROOT, 'broker'), { 'log.retention.bytes': '-1' });
  try {
    const rows: Row[] = [];
    for (const size of [100, 1024]) for (const partitions of [1, 8]) rows.push(...(await throughput(broker.port, size, partitions)));
    console.log(`${'measurement'.padEnd(40)} ${'msgs/s'.padStart(10)} ${'MB/s'.padStart(8)} ${'append ceiling MB/s'.padStart(20)} ${'ratio'.padStart(6)}`);
    for (const r of rows) {
      const rate = mbPerSecond(r.bytes, r.secs);
      const limit = r.what.includes(' 100 B') ? ceiling[100] : ceiling[1024];
      console.log(`${r.what.padEnd(40)} ${(r.messages / r.secs).toFixed(0).padStart(10)} ${rate.toFixed(1).padStart(8)} ${limit.toFixed(0).padStart(20)} ${(rate / limit).toFixed(3).padStart(6)}`);
    }
    const ms = await latency(broker.port);
    console.log(`produce-to-consume latency, ${ms.length} single-message produces (acks=1) with a long-polling fetch: p50 ${percentile(ms, 50).toFixed(2)} ms, p99 ${percentile(ms, 99).toFixed(2)} ms, p99.9 ${percentile(ms, 99.9).toFixed(2)} ms, max ${Math.max(...ms).toFixed(2)} ms`);
  } finally {
    await broker.stop('SIGTERM');
    fs.rmSync(ROOT, { recursive: true, force: true });
  }
}

await main();
