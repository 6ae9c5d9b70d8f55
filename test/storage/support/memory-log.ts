import { ManualClock } from '../../../src/util/clock.js';
import { MemoryFileSystem } from '../../../src/util/memory-file-system.js';
import { SeededRandom } from '../../../src/util/random.js';
import { logConfig, type LogConfig } from '../../../src/storage/log-config.js';
import { PartitionLog, type OpenLogParams } from '../../../src/storage/partition-log.js';
import { readSlice } from '../../../src/storage/file-slice.js';
import { splitBatches } from './batches.js';

export const LOG_DIR = '/data';
export const PARTITION_DIR = '/data/events-0';

export interface MemoryLogEnv {
  fs: MemoryFileSystem;
  clock: ManualClock;
}

/** A clock and an in-memory file system holding a durable, empty log directory. */
export async function memoryEnv(seed = 1, start = 1_000_000): Promise<MemoryLogEnv> {
  const clock = new ManualClock(start);
  const fs = new MemoryFileSystem(clock, new SeededRandom(seed));
  fs.mkdir(LOG_DIR);
  await fs.syncDir('/');
  return { fs, clock };
}

export function openLog(env: MemoryLogEnv, config: Partial<LogConfig> = {}, extra: Partial<OpenLogParams> = {}): Promise<PartitionLog> {
  return PartitionLog.open({
    fs: env.fs,
    dir: PARTITION_DIR,
    topicPartition: { topic: 'events', partition: 0 },
    config: logConfig(config),
    now: env.clock.now(),
    ...extra,
  });
}

/** Every byte from `offset` to the log end, following reads across segments. */
export function readAll(log: PartitionLog, offset = log.logStartOffset): Buffer {
  const chunks: Buffer[] = [];
  let next = offset;
  while (next < log.logEndOffset) {
    const { records } = log.read(next, 1 << 20);
    if (records === null) break;
    const bytes = readSlice(records);
    chunks.push(bytes);
    next = lastOffsetIn(bytes) + 1;
  }
  return Buffer.concat(chunks);
}

function lastOffsetIn(bytes: Buffer): number {
  const batches = splitBatches(bytes);
  return batches.length === 0 ? -1 : batches[batches.length - 1].lastOffset;
}
