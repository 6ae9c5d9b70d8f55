import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import { NodeFileSystem } from '../../src/util/node-file-system.js';
import { logConfig } from '../../src/storage/log-config.js';
import { PartitionLog } from '../../src/storage/partition-log.js';
import { decodeRecords } from './support/batches.js';
import { readAll } from './support/memory-log.js';
import { RECORDS_PER_BATCH } from './support/numbered-batch.js';

const CHILD = path.join(import.meta.dirname, 'support', 'append-child.ts');

/** Runs the appending child until it has flushed `flushes` times, then SIGKILLs it mid-append. */
async function appendUntilKilled(dir: string, flushes: number): Promise<{ flushed: number; appended: number }> {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dir], { stdio: ['ignore', 'pipe', 'inherit'] });
  let flushed = 0;
  let appended = 0;
  let seenFlushes = 0;
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
  for await (const line of createInterface({ input: child.stdout })) {
    const [what, offset] = line.split(' ');
    appended = Math.max(appended, Number(offset));
    if (what === 'flushed') {
      flushed = Number(offset);
      if (++seenFlushes === flushes) {
        child.kill('SIGKILL');
        break;
      }
    }
  }
  expect(await exited).toBe('SIGKILL');
  return { flushed, appended };
}

function openLog(dir: string, recoveryPoint: number): Promise<PartitionLog> {
  return PartitionLog.open({
    fs: new NodeFileSystem(),
    dir: path.join(dir, 'events-0'),
    topicPartition: { topic: 'events', partition: 0 },
    config: logConfig({ 'segment.bytes': 256 * 1024 }),
    now: Date.now(),
    recoveryPoint,
  });
}

describe('recovery from SIGKILL on a real disk', () => {
  let dir: string;
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('recovers every batch the killed process wrote, and cuts a torn tail', async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'gregor-sigkill-'));
    const { flushed, appended } = await appendUntilKilled(dir, 8);
    expect(flushed).toBeGreaterThan(0);

    const log = await openLog(dir, flushed);
    // The page cache survives a killed process, so nothing it wrote is lost.
    expect(log.logEndOffset).toBeGreaterThanOrEqual(appended);
    expect(log.logEndOffset % RECORDS_PER_BATCH).toBe(0);
    const records = decodeRecords(readAll(log));
    expect(records.length).toBe(log.logEndOffset);
    records.forEach((r, offset) => {
      expect(r.offset).toBe(offset);
      const batchNo = Math.floor(offset / RECORDS_PER_BATCH);
      expect(r.key).toBe(`key-${batchNo}-${offset % RECORDS_PER_BATCH}`);
    });
    const logEnd = log.logEndOffset;
    await log.close(Date.now());

    // A write torn by the kill (or a power loss) leaves a partial batch at the end.
    const segments = readdirSync(path.join(dir, 'events-0')).filter((n) => n.endsWith('.log')).sort();
    const active = path.join(dir, 'events-0', segments[segments.length - 1]);
    const sizeBefore = statSync(active).size;
    const partial = readFileSync(path.join(dir, 'events-0', segments[0])).subarray(0, 700);
    const fd = openSync(active, 'r+');
    writeSync(fd, partial, 0, partial.length, sizeBefore);
    closeSync(fd);
    const recovered = await openLog(dir, 0);
    expect(recovered.logEndOffset).toBe(logEnd);
    expect(statSync(active).size).toBe(sizeBefore);
    expect(recovered.recoveryProblems.length).toBe(1);
    await recovered.close(Date.now());
  }, 60_000);
});
