/**
 * Storage benchmark: append and sequential read throughput of a partition log against plain
 * fs.writeSync / fs.readSync of the same bytes in the same run, and recovery time of a 1 GiB
 * partition after a clean and an unclean shutdown.
 *
 *   npx tsx bench/storage.ts                 # 256 MiB per throughput run, 1 GiB recovery
 *   GREGOR_BENCH_MB=256 GREGOR_BENCH_RECOVERY_MB=1024 GREGOR_BENCH_DIR=/mnt/disk npx tsx bench/storage.ts
 *
 * Every figure is the median of five runs, raw and log runs alternating, each starting with
 * the previous run's files removed so that both see the same page-cache and writeback conditions. Reads and recovery run with the data in the page
 * cache (the benchmark does not drop caches, which would disturb the rest of the machine).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BATCH_HEADER, LOG_OVERHEAD } from '../src/protocol/records/batch-header.js';
import { crc32c } from '../src/protocol/records/crc.js';
import { readSlice } from '../src/storage/file-slice.js';
import { logConfig } from '../src/storage/log-config.js';
import { PartitionLog } from '../src/storage/partition-log.js';
import { NodeFileSystem } from '../src/util/node-file-system.js';
import { batchPool } from './support/batches.js';
import { MIB, mbPerSecond, median, seconds } from './support/measure.js';

const THROUGHPUT_BYTES = Number(process.env.GREGOR_BENCH_MB ?? 256) * MIB;
const RECOVERY_BYTES = Number(process.env.GREGOR_BENCH_RECOVERY_MB ?? 1024) * MIB;
const ROOT = fs.mkdtempSync(path.join(process.env.GREGOR_BENCH_DIR ?? os.tmpdir(), 'gregor-bench-'));
const REPEATS = 5;
const nodeFs = new NodeFileSystem();

function freshDir(name: string): string {
  const dir = path.join(ROOT, name);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

function rawWrite(pool: Buffer[], total: number): number {
  const file = path.join(freshDir('raw'), 'data');
  const fd = fs.openSync(file, 'w');
  const start = process.hrtime.bigint();
  let written = 0;
  for (let i = 0; written < total; i++) {
    const b = pool[i % pool.length];
    fs.writeSync(fd, b, 0, b.length, written);
    written += b.length;
  }
  const secs = seconds(start);
  fs.closeSync(fd);
  return mbPerSecond(written, secs);
}

async function openLog(dir: string, recoveryPoint = 0, hadCleanShutdown = false): Promise<PartitionLog> {
  return PartitionLog.open({
    fs: nodeFs,
    dir: path.join(dir, 'bench-0'),
    topicPartition: { topic: 'bench', partition: 0 },
    config: logConfig(),
    now: Date.now(),
    recoveryPoint,
    hadCleanShutdown,
  });
}

async function fillLog(dir: string, pool: Buffer[], total: number): Promise<{ log: PartitionLog; rate: number }> {
  const log = await openLog(dir);
  const now = Date.now();
  const start = process.hrtime.bigint();
  let written = 0;
  for (let i = 0; written < total; i++) {
    const b = pool[i % pool.length];
    b.fill(0, 0, 8); // a produced batch arrives with base offset 0; the pool reuses patched ones
    log.appendAsLeader(b, 0, now);
    written += b.length;
  }
  return { log, rate: mbPerSecond(written, seconds(start)) };
}

function rawRead(file: string): number {
  const fd = fs.openSync(file, 'r');
  const size = fs.fstatSync(fd).size;
  const buffer = Buffer.allocUnsafe(MIB);
  const start = process.hrtime.bigint();
  for (let position = 0; position < size; ) position += fs.readSync(fd, buffer, 0, MIB, position);
  const secs = seconds(start);
  fs.closeSync(fd);
  return mbPerSecond(size, secs);
}

/** Fetches the whole log in 1 MiB reads, as a consumer would, copying the slices into memory. */
function logRead(log: PartitionLog): number {
  const buffer = Buffer.allocUnsafe(2 * MIB);
  let offset = log.logStartOffset;
  let bytes = 0;
  const start = process.hrtime.bigint();
  while (offset < log.logEndOffset) {
    const { records } = log.read(offset, MIB);
    if (records === null) break;
    const data = readSlice(records, records.size <= buffer.length ? buffer : Buffer.allocUnsafe(records.size));
    bytes += data.length;
    offset = nextOffsetAfter(data);
  }
  return mbPerSecond(bytes, seconds(start));
}

function nextOffsetAfter(data: Buffer): number {
  let position = 0;
  let next = -1;
  while (position + BATCH_HEADER.size <= data.length) {
    const base = data.readInt32BE(position) * 2 ** 32 + data.readUInt32BE(position + 4);
    next = base + data.readInt32BE(position + BATCH_HEADER.lastOffsetDelta) + 1;
    position += data.readInt32BE(position + BATCH_HEADER.batchLength) + LOG_OVERHEAD;
  }
  return next;
}

async function throughput(label: string, batchBytes: number): Promise<void> {
  const pool = batchPool(batchBytes);
  const raw: number[] = [];
  const appended: number[] = [];
  const rawReads: number[] = [];
  const logReads: number[] = [];
  for (let r = 0; r < REPEATS; r++) {
    // Each timed run starts without dirty pages of the previous one (unlinking drops them), so
    // that kernel writeback throttling does not favour whichever side runs first.
    raw.push(rawWrite(pool, THROUGHPUT_BYTES));
    rawReads.push(rawRead(path.join(ROOT, 'raw', 'data')));
    freshDir('raw');
    const logDir = freshDir('log');
    const { log, rate } = await fillLog(logDir, pool, THROUGHPUT_BYTES);
    appended.push(rate);
    logReads.push(logRead(log));
    log.abandon();
    freshDir('log');
  }
  const report = (what: string, mine: number[], base: number[]): string =>
    `${label.padEnd(14)} ${what.padEnd(6)} log ${median(mine).toFixed(0).padStart(5)} MB/s   raw ${median(base).toFixed(0).padStart(5)} MB/s   ratio ${(median(mine) / median(base)).toFixed(2)}`;
  // Every append verifies each batch's CRC-32C, as Kafka does; a raw write does not. Writing and
  // checksumming the same bytes one after the other is the ceiling for an append.
  const crc = crcRate(pool);
  const ceiling = 1 / (1 / median(raw) + 1 / crc);
  console.log(
    `${report('append', appended, raw)}   (CRC-32C alone ${crc.toFixed(0)} MB/s; write + CRC ${ceiling.toFixed(0)} MB/s, log at ${(median(appended) / ceiling).toFixed(2)} of it)`,
  );
  console.log(report('read', logReads, rawReads));
}

/** How fast the batch CRC is computed on its own. */
function crcRate(pool: Buffer[]): number {
  const start = process.hrtime.bigint();
  let bytes = 0;
  for (let i = 0; bytes < THROUGHPUT_BYTES; i++) {
    const b = pool[i % pool.length];
    crc32c(b.subarray(BATCH_HEADER.attributes));
    bytes += b.length;
  }
  return mbPerSecond(bytes, seconds(start));
}

async function recovery(): Promise<void> {
  const dir = freshDir('recovery');
  const { log } = await fillLog(dir, batchPool(16 * 1024), RECOVERY_BYTES);
  const size = log.size;
  const logEnd = log.logEndOffset;
  await log.close(Date.now());
  const clean: number[] = [];
  const unclean: number[] = [];
  for (let r = 0; r < REPEATS; r++) {
    let start = process.hrtime.bigint();
    const trusted = await openLog(dir, logEnd, true);
    clean.push(seconds(start));
    trusted.abandon();
    start = process.hrtime.bigint();
    const recovered = await openLog(dir, 0, false);
    unclean.push(seconds(start));
    if (recovered.logEndOffset !== logEnd) throw new Error(`recovery lost data: ${recovered.logEndOffset} != ${logEnd}`);
    await recovered.close(Date.now());
  }
  console.log(`recovery of ${(size / MIB).toFixed(0)} MiB (16 KiB batches): clean ${(median(clean) * 1000).toFixed(1)} ms, unclean ${(median(unclean) * 1000).toFixed(0)} ms`);
}

try {
  console.log(`node ${process.version}, ${os.cpus().length} cores, ${os.cpus()[0]?.model ?? 'unknown cpu'}, data in ${ROOT}`);
  console.log(`throughput runs of ${THROUGHPUT_BYTES / MIB} MiB, 1 KiB records, median of ${REPEATS}`);
  await throughput('16 KiB batches', 16 * 1024);
  await throughput('1 MiB batches', MIB);
  await recovery();
} finally {
  fs.rmSync(ROOT, { recursive: true, force: true });
}
