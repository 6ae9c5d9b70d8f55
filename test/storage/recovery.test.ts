import { describe, expect, it } from 'vitest';
import { RecordBatchHeader } from '../../src/protocol/records/batch-header.js';
import { offsetFileName } from '../../src/storage/file-names.js';
import { decodeRecords, sizedBatch, splitBatches } from './support/batches.js';
import { memoryEnv, openLog, PARTITION_DIR, readAll, type MemoryLogEnv } from './support/memory-log.js';

const CONFIG = { 'segment.bytes': 600, 'index.interval.bytes': 100 };

function overwrite(env: MemoryLogEnv, name: string, position: number, bytes: Buffer): void {
  const file = env.fs.open(`${PARTITION_DIR}/${name}`, 'readWrite');
  file.write(bytes, position);
  file.close();
}

/** Appends `count` distinct batches and returns their bytes in offset order. */
function appendBatches(log: Awaited<ReturnType<typeof openLog>>, count: number, tag: number): Buffer[] {
  const appended: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    const b = sizedBatch(1 + (i % 3), 20 + ((i * 7 + tag) % 50), 1_000 + i);
    log.appendAsLeader(b, 1, 0);
    appended.push(b);
  }
  return appended;
}

describe('recovery after a crash', () => {
  it('keeps every flushed batch and a valid prefix of the rest, whatever the crash tore', async () => {
    for (let seed = 1; seed <= 40; seed++) {
      const env = await memoryEnv(seed);
      const log = await openLog(env, CONFIG);
      const appended = appendBatches(log, 12, seed);
      await log.flush(0);
      const flushedEnd = log.recoveryPoint;
      appended.push(...appendBatches(log, 10, seed + 1));
      env.fs.crash();
      const recovered = await openLog(env, CONFIG, { recoveryPoint: flushedEnd });
      const batches = splitBatches(readAll(recovered)).map((b) => Buffer.from(b.bytes));
      expect(recovered.logEndOffset, `seed ${seed}`).toBeGreaterThanOrEqual(flushedEnd);
      expect(batches.length, `seed ${seed}`).toBeGreaterThanOrEqual(12);
      batches.forEach((b, i) => expect(b.equals(appended[i]), `seed ${seed} batch ${i}`).toBe(true));
      const last = batches.length > 0 ? new RecordBatchHeader(batches[batches.length - 1]).lastOffset + 1 : 0;
      expect(recovered.logEndOffset).toBe(last);
      expect(recovered.appendAsLeader(sizedBatch(1, 5), 2, 0).firstOffset).toBe(last);
    }
  });

  it('cuts the log at a corrupt batch and drops the segments after it', async () => {
    const env = await memoryEnv();
    const log = await openLog(env, CONFIG);
    appendBatches(log, 20, 0);
    const segments = log.segmentBaseOffsets;
    expect(segments.length).toBeGreaterThan(2);
    const firstBatchSize = new RecordBatchHeader(sizedBatch(1, 20)).sizeInBytes;
    const [secondBatch] = splitBatches(readAll(log)).slice(1, 2);
    await log.close(0);
    overwrite(env, offsetFileName(0, '.log'), firstBatchSize + 70, Buffer.from('garbage'));
    const recovered = await openLog(env, CONFIG);
    expect(recovered.logEndOffset).toBe(secondBatch.baseOffset);
    expect(recovered.segmentBaseOffsets).toEqual([0]);
    expect(recovered.recoveryProblems.join('\n')).toMatch(/CRC mismatch/);
    expect(env.fs.readdir(PARTITION_DIR).filter((n) => n.endsWith('.log'))).toEqual([offsetFileName(0, '.log')]);
  });

  it('trusts the log after a clean shutdown and re-validates it after an unclean one', async () => {
    const env = await memoryEnv();
    const log = await openLog(env, CONFIG);
    appendBatches(log, 3, 0);
    await log.close(0);
    overwrite(env, offsetFileName(0, '.log'), 70, Buffer.from('X'));
    const trusted = await openLog(env, CONFIG, { hadCleanShutdown: true, recoveryPoint: 3 });
    expect(trusted.logEndOffset).toBe(6);
    trusted.abandon();
    const checked = await openLog(env, CONFIG, { hadCleanShutdown: false, recoveryPoint: 0 });
    expect(checked.logEndOffset).toBe(0);
  });

  it('only re-reads segments from the one holding the recovery point', async () => {
    const env = await memoryEnv();
    const log = await openLog(env, CONFIG);
    appendBatches(log, 20, 0);
    const [, second] = log.segmentBaseOffsets;
    await log.close(0);
    overwrite(env, offsetFileName(0, '.log'), 70, Buffer.from('X'));
    const recovered = await openLog(env, CONFIG, { recoveryPoint: second });
    expect(recovered.logEndOffset).toBe(log.logEndOffset);
  });

  it('rebuilds a missing index and one that does not match the log', async () => {
    const env = await memoryEnv();
    const log = await openLog(env, CONFIG);
    appendBatches(log, 20, 0);
    const expected = decodeRecords(readAll(log));
    const timeAnswer = log.offsetForTimestamp(1_005);
    await log.close(0);
    const index = offsetFileName(0, '.index');
    const original = env.fs.readFile(`${PARTITION_DIR}/${index}`);
    env.fs.unlink(`${PARTITION_DIR}/${index}`);
    overwrite(env, offsetFileName(0, '.timeindex'), 0, Buffer.alloc(12, 0xff));
    const reopened = await openLog(env, CONFIG, { hadCleanShutdown: true, recoveryPoint: log.logEndOffset });
    expect(decodeRecords(readAll(reopened))).toEqual(expected);
    expect(reopened.offsetForTimestamp(1_005)).toEqual(timeAnswer);
    await reopened.close(0);
    expect(env.fs.readFile(`${PARTITION_DIR}/${index}`)).toEqual(original);

    overwrite(env, index, 0, Buffer.from([0, 0, 0, 2, 0, 0, 0, 3]));
    const again = await openLog(env, CONFIG, { hadCleanShutdown: true, recoveryPoint: log.logEndOffset });
    expect(decodeRecords(readAll(again))).toEqual(expected);
  });

  it('rebuilds a missing leader epoch checkpoint from the batches', async () => {
    const env = await memoryEnv();
    const log = await openLog(env, CONFIG);
    log.appendAsLeader(sizedBatch(2, 5), 1, 0);
    log.appendAsLeader(sizedBatch(2, 5), 4, 0);
    await log.close(0);
    env.fs.unlink(`${PARTITION_DIR}/leader-epoch-checkpoint`);
    const reopened = await openLog(env, CONFIG, { hadCleanShutdown: true, recoveryPoint: 4 });
    expect(reopened.epochCache.entries).toEqual([
      { epoch: 1, startOffset: 0 },
      { epoch: 4, startOffset: 2 },
    ]);
  });

  it('removes leftovers of interrupted deletions, cleanings and checkpoint writes', async () => {
    const env = await memoryEnv();
    const log = await openLog(env, CONFIG);
    appendBatches(log, 3, 0);
    await log.close(0);
    for (const name of ['00000000000000000099.log.deleted', '00000000000000000000.log.cleaned', 'leader-epoch-checkpoint.tmp']) {
      env.fs.open(`${PARTITION_DIR}/${name}`, 'create').close();
    }
    await openLog(env, CONFIG, { hadCleanShutdown: true, recoveryPoint: 6 });
    expect(env.fs.readdir(PARTITION_DIR).filter((n) => /deleted|cleaned|tmp/.test(n))).toEqual([]);
  });

  it('completes an interrupted swap: the swap segment replaces the segments in its range', async () => {
    const env = await memoryEnv();
    const log = await openLog(env, CONFIG);
    appendBatches(log, 20, 0);
    const [first, second, third] = log.segmentBaseOffsets;
    const all = splitBatches(readAll(log));
    const kept = all.filter((b) => b.lastOffset < third && b.baseOffset % 2 === 0);
    await log.close(0);
    const swap = env.fs.open(`${PARTITION_DIR}/${offsetFileName(first, '.log.swap')}`, 'create');
    swap.write(Buffer.concat(kept.map((b) => b.bytes)), 0);
    swap.close();
    const reopened = await openLog(env, CONFIG, { hadCleanShutdown: true, recoveryPoint: log.logEndOffset });
    expect(reopened.segmentBaseOffsets.slice(0, 2)).toEqual([first, third]);
    expect(reopened.segmentBaseOffsets).not.toContain(second);
    const batches = splitBatches(readAll(reopened));
    expect(batches.filter((b) => b.lastOffset < third).map((b) => b.baseOffset)).toEqual(kept.map((b) => b.baseOffset));
    expect(batches[batches.length - 1].lastOffset).toBe(log.logEndOffset - 1);
    expect(env.fs.readdir(PARTITION_DIR).some((n) => n.endsWith('.swap'))).toBe(false);
  });

  it('keeps the checkpointed log start offset', async () => {
    const env = await memoryEnv();
    const log = await openLog(env, CONFIG);
    appendBatches(log, 5, 0);
    await log.close(0);
    const reopened = await openLog(env, CONFIG, { hadCleanShutdown: true, recoveryPoint: 8, logStartOffset: 4 });
    expect(reopened.logStartOffset).toBe(4);
  });
});
