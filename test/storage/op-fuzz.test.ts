import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/util/clock.js';
import { MemoryFileSystem } from '../../src/util/memory-file-system.js';
import { SeededRandom } from '../../src/util/random.js';
import { readSlice } from '../../src/storage/file-slice.js';
import { DEFAULT_LOG_MANAGER_CONFIG, logConfig, NEVER, type LogConfig } from '../../src/storage/log-config.js';
import { LogManager } from '../../src/storage/log-manager.js';
import type { PartitionLog } from '../../src/storage/partition-log.js';
import { ProducerStateManager } from '../../src/storage/producer-state/producer-state-manager.js';
import { rebuildProducerState } from '../../src/storage/producer-state/rebuild.js';
import { batch, decodeRecords, splitBatches, type DecodedRecord } from './support/batches.js';
import { FuzzModel } from './support/fuzz-model.js';
import { readAll } from './support/memory-log.js';

/**
 * Seeded random operations against one partition in the style of Redpanda's op-fuzz, with the
 * invariants checked after every step. A failure names the seed; replay it with
 *   GREGOR_SEED=<seed> npx vitest run test/storage/op-fuzz.test.ts
 * Longer hunts: GREGOR_FUZZ_RUNS=<seeds> GREGOR_FUZZ_STEPS=<steps per seed>.
 */
const SEEDS =
  process.env.GREGOR_SEED !== undefined ? [Number(process.env.GREGOR_SEED)] : range(1, Number(process.env.GREGOR_FUZZ_RUNS ?? 60));
const STEPS = Number(process.env.GREGOR_FUZZ_STEPS ?? 250);
const TP = { topic: 'fuzz', partition: 0 };

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

class FuzzRun {
  readonly random: SeededRandom;
  readonly clock = new ManualClock(1_700_000_000_000);
  readonly fs: MemoryFileSystem;
  readonly model = new FuzzModel();
  readonly config: LogConfig;
  readonly steps: string[] = [];
  manager!: LogManager;
  /** The last batch each idempotent producer sent: its sequences and where it was stored. */
  readonly lastSent = new Map<number, { seq: number; count: number; firstOffset: number }>();
  /**
   * The highest log start offset so far. A crash can bring back batches below a log start that
   * was not checkpointed yet; the producer state of those, as in Kafka, may be gone.
   */
  highestLogStart = 0;

  constructor(readonly seed: number) {
    this.random = new SeededRandom(seed);
    this.fs = new MemoryFileSystem(this.clock, new SeededRandom(seed ^ 0x5eed));
    const r = this.random;
    this.config = logConfig({
      'segment.bytes': r.between(600, 3_000),
      'index.interval.bytes': r.between(1, 800),
      'segment.index.bytes': r.chance(0.3) ? r.between(24, 120) : 10 * 1024 * 1024,
      'segment.ms': r.chance(0.3) ? r.between(1_000, 30_000) : 7 * 24 * 3600 * 1000,
      'retention.ms': r.chance(0.5) ? r.between(5_000, 60_000) : -1,
      'retention.bytes': r.chance(0.3) ? r.between(1_000, 8_000) : -1,
      'flush.messages': r.chance(0.3) ? r.between(1, 20) : NEVER,
      'file.delete.delay.ms': r.pick([0, 5_000]),
      'message.timestamp.type': r.chance(0.2) ? 'LogAppendTime' : 'CreateTime',
      'cleanup.policy': r.pick([['delete'], ['compact'], ['compact', 'delete']] as const),
      'min.cleanable.dirty.ratio': r.pick([0, 0.2, 0.5]),
      'delete.retention.ms': r.pick([0, 10_000]),
      'min.compaction.lag.ms': r.pick([0, 0, 5_000]),
    });
  }

  get compacted(): boolean {
    return this.config['cleanup.policy'].includes('compact');
  }

  get log(): PartitionLog {
    return this.manager.getLog(TP)!;
  }

  async start(): Promise<void> {
    this.manager = await LogManager.start({
      fs: this.fs,
      config: { ...DEFAULT_LOG_MANAGER_CONFIG, 'log.dirs': ['/data'] },
      topicConfig: () => this.config,
      clusterId: 'fuzz',
      nodeId: 0,
      random: this.random,
      now: this.clock.now(),
    });
    await this.manager.getOrCreateLog(TP, this.clock.now());
  }

  readRecords(log = this.log): DecodedRecord[] {
    return decodeRecords(readAll(log)).filter((r) => r.offset >= log.logStartOffset);
  }

  async step(): Promise<void> {
    const r = this.random;
    const op = r.pick([
      'append', 'append', 'append', 'append', 'append', 'append', 'read', 'read', 'roll', 'truncate', 'deleteRecords',
      'retention', 'advanceClock', 'advanceClock', 'flush', 'tick', 'crash', 'restart', 'clean', 'clean',
    ] as const);
    await this[op]();
  }

  private note(text: string): void {
    this.steps.push(text);
  }

  async append(): Promise<void> {
    const count = this.random.between(1, 4);
    const now = this.clock.now();
    const records = Array.from({ length: count }, () => ({
      key: `k${this.random.int(8)}`,
      value: this.random.chance(0.1) ? null : 'v'.repeat(this.random.int(60)) + this.random.int(1000),
      timestamp: now - this.random.int(1_000),
    }));
    const compression = this.random.pick([0, 0, 0, 1, 2, 3, 4]);
    const producerId = this.random.chance(0.4) ? 1 + this.random.int(2) : -1;
    const entry = producerId < 0 ? undefined : this.log.producerState.lastEntry(producerId);
    const sent = this.lastSent.get(producerId);
    if (sent !== undefined && entry?.findDuplicateBatch(0, sent.seq, sent.seq + sent.count - 1) && this.random.chance(0.3)) {
      // A producer retrying its last batch: acknowledged with the original offset, nothing written.
      const retry = batch(records.slice(0, 1).concat(Array(sent.count - 1).fill(records[0])), { producerId, producerEpoch: 0, baseSequence: sent.seq });
      const end = this.log.logEndOffset;
      const info = this.log.appendAsLeader(retry, 1, now);
      this.note(`retry of producer ${producerId} seq ${sent.seq}: duplicate of ${info.firstOffset}`);
      expect([info.duplicate, info.firstOffset, this.log.logEndOffset]).toEqual([true, sent.firstOffset, end]);
      return;
    }
    const seq = entry === undefined || entry.lastSeq < 0 ? 0 : entry.lastSeq + 1;
    const options = producerId < 0 ? { compression } : { compression, producerId, producerEpoch: 0, baseSequence: seq };
    const info = this.log.appendAsLeader(batch(records, options), 1, now);
    if (producerId >= 0) this.lastSent.set(producerId, { seq, count, firstOffset: info.firstOffset });
    this.note(`append ${count} records at ${info.firstOffset}${producerId < 0 ? '' : ` from producer ${producerId} seq ${seq}`}`);
    const stamped = records.map((rec, i) => ({
      offset: info.firstOffset + i,
      key: rec.key,
      value: rec.value,
      timestamp: info.logAppendTime >= 0 ? info.logAppendTime : rec.timestamp,
    }));
    this.model.appended(stamped, info.lastOffset + 1);
    this.log.updateHighWatermark(this.log.logEndOffset);
    if (this.log.isFlushDue(now) && this.config['flush.messages'] !== NEVER) await this.log.flush(now);
  }

  async read(): Promise<void> {
    const { logStart, logEnd } = this.model;
    const offset = this.random.between(logStart, logEnd);
    const maxBytes = this.random.between(1, 2_000);
    this.note(`read ${offset} max ${maxBytes}`);
    const { records } = this.log.read(offset, maxBytes);
    if (offset === logEnd || records === null) {
      // Nothing to read only at the end, or in a compacted gap that reaches the end.
      expect(this.model.records.filter((rec) => rec.offset >= offset)).toEqual([]);
      if (offset === logEnd) expect(records).toBeNull();
      return;
    }
    const bytes = readSlice(records!);
    const batches = splitBatches(bytes);
    expect(batches.length).toBeGreaterThan(0);
    expect(batches.reduce((n, b) => n + b.sizeInBytes, 0)).toBe(bytes.length);
    if (batches.length > 1) expect(bytes.length).toBeLessThanOrEqual(maxBytes);
    // The batch holding the offset, or with compaction's gaps the first one after it.
    if (!this.compacted) expect(batches[0].baseOffset).toBeLessThanOrEqual(offset);
    expect(batches[0].lastOffset).toBeGreaterThanOrEqual(offset);
    const previous = this.model.records.filter((rec) => rec.offset < batches[0].baseOffset && rec.offset >= offset);
    expect(previous, 'records skipped by the read').toEqual([]);
    const expected = this.model.records.filter((rec) => rec.offset >= batches[0].baseOffset);
    const got = decodeRecords(bytes).filter((rec) => rec.offset >= logStart);
    expect(got).toEqual(expected.slice(0, got.length));
  }

  async roll(): Promise<void> {
    this.note('roll');
    this.log.roll(this.clock.now());
  }

  async truncate(): Promise<void> {
    const bases = splitBatches(readAll(this.log)).map((b) => b.baseOffset).filter((b) => b > this.model.logStart);
    if (bases.length === 0) return;
    const target = this.random.pick(bases);
    this.note(`truncate to ${target}`);
    await this.manager.truncateTo(TP, target, this.clock.now());
    this.model.truncatedTo(target);
    this.forgetSentFrom(target);
  }

  async deleteRecords(): Promise<void> {
    const target = this.random.between(this.model.logStart, this.log.highWatermark);
    this.note(`delete records before ${target}`);
    this.log.advanceLogStartOffset(target);
    this.model.startMovedTo(Math.max(target, this.model.logStart));
  }

  async retention(): Promise<void> {
    const before = this.log.logStartOffset;
    const deleted = this.manager.runRetention(this.clock.now());
    this.note(`retention deleted ${deleted} segments`);
    expect(this.log.logStartOffset).toBeGreaterThanOrEqual(before);
    expect(this.log.logStartOffset).toBeLessThanOrEqual(this.log.highWatermark);
    this.model.startMovedTo(this.log.logStartOffset);
  }

  async advanceClock(): Promise<void> {
    const ms = this.random.between(1, 20_000);
    this.note(`clock +${ms}`);
    this.clock.advance(ms);
  }

  async flush(): Promise<void> {
    this.note('flush');
    await this.log.flush(this.clock.now());
    expect(this.log.recoveryPoint).toBe(this.log.logEndOffset);
  }

  async tick(): Promise<void> {
    this.note('tick');
    await this.manager.tick(this.clock.now());
    this.model.startMovedTo(this.log.logStartOffset);
  }

  async crash(): Promise<void> {
    const durable = this.log.recoveryPoint;
    this.note(`crash (recovery point ${durable})`);
    this.log.abandon();
    this.fs.crash();
    await this.start();
    const log = this.log;
    const recovered = this.readRecords(log);
    for (const rec of recovered) expect(this.model.everAppended(rec), `record ${JSON.stringify(rec)} was never appended`).toBe(true);
    const present = new Set(recovered.map((rec) => rec.offset));
    for (const rec of this.model.records) {
      const compactedAway = this.compacted && (this.model.superseded(rec) || rec.value === null);
      if (rec.offset < durable && rec.offset >= log.logStartOffset && !present.has(rec.offset) && !compactedAway) {
        throw new Error(`flushed record at offset ${rec.offset} lost in the crash`);
      }
    }
    expect(log.logStartOffset).toBeLessThanOrEqual(Math.max(this.model.logStart, log.segmentBaseOffsets[0]));
    this.model.replaceWith(recovered, log.logStartOffset, log.logEndOffset);
    log.updateHighWatermark(log.logEndOffset);
    this.forgetSentFrom(log.logEndOffset);
  }

  /** Batches at or after `offset` are gone: their producers cannot retry them as duplicates. */
  private forgetSentFrom(offset: number): void {
    for (const [producerId, sent] of this.lastSent) if (sent.firstOffset >= offset) this.lastSent.delete(producerId);
  }

  /**
   * A few bounded cleaner steps, sometimes with an I/O fault injected mid-cleaning (which takes
   * the directory offline and is followed by a crash and restart). Compaction may only remove
   * records that a later record of the same key supersedes, or tombstones.
   */
  async clean(): Promise<void> {
    if (!this.compacted) return;
    const fault = this.random.chance(0.15) ? this.random.pick(['sync', 'rename', 'write'] as const) : null;
    const steps = this.random.between(1, 6);
    this.note(`clean ${steps} steps${fault === null ? '' : `, failing the next ${fault}`}`);
    if (fault !== null) this.fs.failNext(fault, 'EIO');
    for (let i = 0; i < steps && !this.log.health.isOffline; i++) {
      await this.manager.cleaner!.work(this.clock.now(), this.random.between(200, 5_000));
    }
    this.fs.clearFaults();
    if (this.log.health.isOffline) {
      await this.crash();
      return;
    }
    const log = this.log;
    const actual = this.readRecords(log);
    const byOffset = new Map(this.model.records.map((rec) => [rec.offset, rec]));
    for (const rec of actual) expect(rec, 'compaction changed a record').toEqual(byOffset.get(rec.offset));
    const kept = new Set(actual.map((rec) => rec.offset));
    for (const rec of this.model.records) {
      if (!kept.has(rec.offset) && !this.model.superseded(rec) && rec.value !== null) {
        throw new Error(`compaction removed the latest record of key ${rec.key} at offset ${rec.offset}`);
      }
    }
    this.model.replaceWith(actual, log.logStartOffset, log.logEndOffset);
  }

  async restart(): Promise<void> {
    this.note('clean restart');
    const hw = this.log.highWatermark;
    await this.manager.shutdown(this.clock.now());
    if (this.random.chance(0.5)) this.fs.crash();
    await this.start();
    const log = this.log;
    if (log.logEndOffset !== this.model.logEnd) {
      // The log end is where the last batch ends; a truncation into a compacted gap put it further.
      expect(this.compacted).toBe(true);
      expect(log.logEndOffset).toBeLessThan(this.model.logEnd);
      expect(log.logEndOffset).toBeGreaterThan(this.model.records.at(-1)?.offset ?? -1);
      this.model.logEnd = log.logEndOffset;
    }
    expect(log.highWatermark).toBe(Math.min(hw, log.logEndOffset));
    log.updateHighWatermark(log.logEndOffset);
    this.forgetSentFrom(log.logEndOffset);
  }

  /** The invariants that hold after every step. */
  check(): void {
    const log = this.log;
    expect(log.logStartOffset).toBe(this.model.logStart);
    expect(log.logEndOffset).toBe(this.model.logEnd);
    expect(log.recoveryPoint).toBeLessThanOrEqual(log.logEndOffset);
    const batches = splitBatches(readAll(log));
    for (let i = 1; i < batches.length; i++) {
      const expected = batches[i - 1].lastOffset + 1;
      // Compaction leaves gaps between batches; otherwise offsets are contiguous.
      if (this.compacted) expect(batches[i].baseOffset, 'offsets increasing').toBeGreaterThanOrEqual(expected);
      else expect(batches[i].baseOffset, 'offsets contiguous').toBe(expected);
    }
    if (batches.length > 0) {
      const end = batches[batches.length - 1].lastOffset + 1;
      // A truncation into a compacted range may end the log in a gap.
      if (this.compacted) expect(end).toBeLessThanOrEqual(log.logEndOffset);
      else expect(end).toBe(log.logEndOffset);
    }
    expect(this.readRecords()).toEqual(this.model.records);
    // The producer state agrees with the log about every producer with batches in it. Not checked
    // for compacted logs: the cleaner keeps each producer's last batch, but a truncation after a
    // cleaning can cut a producer back to a batch the cleaning removed (snapshots still know it).
    this.highestLogStart = Math.max(this.highestLogStart, log.logStartOffset);
    if (!this.compacted) {
      const live = producerSummary(log.producerState);
      for (const [producerId, last] of Object.entries(replayedProducers(log))) {
        if (last[2] < this.highestLogStart) continue;
        expect(live[Number(producerId)], `state of producer ${producerId}`).toEqual(last);
      }
    }
  }
}

/** Per producer id: epoch, last sequence, last offset. */
function producerSummary(manager: ProducerStateManager): Record<number, [number, number, number]> {
  const out: Record<number, [number, number, number]> = {};
  for (const [id, e] of manager.activeProducers()) out[id] = [e.producerEpoch, e.lastSeq, e.lastDataOffset];
  return out;
}

/** The producer state a replay of the whole log gives. */
function replayedProducers(log: PartitionLog): Record<number, [number, number, number]> {
  const store = { offsets: () => [], read: () => Buffer.alloc(0), write: () => {}, delete: () => {} };
  const manager = new ProducerStateManager('replay', store, { producerIdExpirationMs: () => Number.MAX_SAFE_INTEGER });
  rebuildProducerState(manager, {
    segments: log.segmentList,
    logStartOffset: log.logStartOffset,
    lastOffset: log.logEndOffset,
    reloadFromCleanShutdown: false,
    now: 0,
  });
  return producerSummary(manager);
}

describe('storage op-fuzz', () => {
  it(`keeps its invariants over ${SEEDS.length} seeds x ${STEPS} random operations`, async () => {
    for (const seed of SEEDS) {
      const run = new FuzzRun(seed);
      try {
        await run.start();
        for (let i = 0; i < STEPS; i++) {
          await run.step();
          run.check();
        }
      } catch (err) {
        const recent = run.steps.slice(-15).join('\n  ');
        throw new Error(
          `op-fuzz failed with seed ${seed} after ${run.steps.length} steps; replay: GREGOR_SEED=${seed} npx vitest run test/storage/op-fuzz.test.ts\n` +
            `last steps:\n  ${recent}\n${(err as Error).stack}`,
        );
      }
    }
  }, Math.max(120_000, SEEDS.length * STEPS * 5));
});
