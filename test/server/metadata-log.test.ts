import { describe, expect, it } from 'vitest';
import { buildDataBatch, splitRecordBatches } from '../../src/raft/record-batches.js';
import { MetadataLog } from '../../src/server/metadata-log.js';
import { ManualClock } from '../../src/util/clock.js';
import { MemoryFileSystem } from '../../src/util/memory-file-system.js';
import { SeededRandom } from '../../src/util/random.js';

const DIR = '/data/meta';
const PARTITION_DIR = `${DIR}/__cluster_metadata-0`;

function env() {
  const clock = new ManualClock(1_000_000);
  const fs = new MemoryFileSystem(clock, new SeededRandom(3));
  const open = (segmentBytes = 1 << 30) => MetadataLog.open({ fs, metadataLogDir: DIR, clock, segmentBytes, segmentMs: 7 * 24 * 3600 * 1000 });
  return { clock, fs, open };
}

function batchOf(epoch: number, ...texts: string[]): Buffer {
  return buildDataBatch(
    texts.map((t) => Buffer.from(t)),
    epoch,
    1_000,
  );
}

describe('MetadataLog', () => {
  it('keeps the metadata partition in __cluster_metadata-0 under metadata.log.dir', async () => {
    const { fs, open } = env();
    const log = await open();
    expect(log.dir).toBe(PARTITION_DIR);
    expect(fs.readdir(PARTITION_DIR)).toContain('00000000000000000000.log');
    expect([log.startOffset, log.endOffset, log.flushedOffset, log.lastEpoch]).toEqual([0, 0, 0, -1]);
  });

  it('appends batches at the log end, stamped with the epoch, and reads whole batches below a bound', async () => {
    const { open } = env();
    const log = await open();
    expect(log.appendAsLeader(batchOf(1, 'a'), 1)).toEqual({ baseOffset: 0, lastOffset: 0 });
    expect(log.appendAsLeader(batchOf(1, 'b', 'c'), 1)).toEqual({ baseOffset: 1, lastOffset: 2 });
    expect(log.appendAsLeader(batchOf(2, 'd'), 2)).toEqual({ baseOffset: 3, lastOffset: 3 });
    expect(log.lastEpoch).toBe(2);

    const bounded = splitRecordBatches(log.read(0, 3, 1 << 20));
    expect(bounded.map((b) => [b.baseOffset, b.lastOffset, b.partitionLeaderEpoch])).toEqual([
      [0, 0, 1],
      [1, 2, 1],
    ]);
    expect(splitRecordBatches(log.read(3, 4, 1 << 20)).map((b) => b.baseOffset)).toEqual([3]);
    expect(log.read(4, 4, 1 << 20)).toHaveLength(0);
  });

  it('moves the flushed offset only with a flush', async () => {
    const { open } = env();
    const log = await open();
    log.appendAsLeader(batchOf(1, 'a'), 1);
    expect(log.flushedOffset).toBe(0);
    await log.flush();
    expect(log.flushedOffset).toBe(1);
  });

  it('names the segment file holding an offset', async () => {
    const { open } = env();
    const log = await open(200);
    for (let i = 0; i < 6; i++) log.appendAsLeader(batchOf(1, `record-${i}`.padEnd(60, '.')), 1);
    expect(log.fileOf(0)).toBe(`${PARTITION_DIR}/00000000000000000000.log`);
    expect(log.fileOf(5)).toMatch(new RegExp(`^${PARTITION_DIR}/0000000000000000000[1-5]\\.log$`));
  });

  it('lets whole segments below a committed offset go', async () => {
    const { fs, open } = env();
    const log = await open(200);
    for (let i = 0; i < 6; i++) log.appendAsLeader(batchOf(1, `record-${i}`.padEnd(60, '.')), 1);
    await log.flush();
    log.updateHighWatermark(5);
    log.deleteBefore(5);
    expect(log.startOffset).toBe(5);
    const segments = fs.readdir(PARTITION_DIR).filter((n) => n.endsWith('.log'));
    expect(segments.every((n) => Number(n.slice(0, 20)) >= 4)).toBe(true);
    expect(() => log.deleteBefore(6)).toThrow(/high watermark/);
  });

  it('restarts empty at an offset, durably', async () => {
    const { fs, open } = env();
    const log = await open();
    log.appendAsLeader(batchOf(1, 'a', 'b'), 1);
    await log.flush();
    await log.truncateFullyAndStartAt(40);
    expect([log.startOffset, log.endOffset]).toEqual([40, 40]);
    fs.crash();
    const reopened = await open();
    expect([reopened.startOffset, reopened.endOffset]).toEqual([40, 40]);
  });

  it('recovers after a crash: flushed batches stay, a torn one is cut off', async () => {
    const { fs, open } = env();
    const log = await open();
    log.appendAsLeader(batchOf(1, 'a'), 1);
    await log.flush();
    log.appendAsLeader(batchOf(1, 'b'), 1);
    fs.crash();
    const reopened = await open();
    expect(reopened.endOffset === 1 || reopened.endOffset === 2).toBe(true);
    expect(reopened.lastEpoch).toBe(1);
  });

  it('accepts batches up to 8 MiB, or the segment size when smaller', async () => {
    const { open } = env();
    expect((await open()).maxBatchBytes).toBe(8 * 1024 * 1024);
    const { open: openSmall } = env();
    expect((await openSmall(4096)).maxBatchBytes).toBe(4096);
  });
});
