import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../../src/util/random.js';
import { RaftEnv, RecordingListener, values } from './support.js';

/**
 * Seeded power losses against the quorum of one: batches are appended, some commits awaited,
 * and the in-memory file system crashes after a random number of scheduler turns, before or
 * after the fsync. After every restart, each batch whose commit was acknowledged is there, the
 * history is a prefix of what was appended, and every batch is whole. A failure names the seed;
 * replay it with
 *   GREGOR_SEED=<seed> npx vitest run test/raft/crash.test.ts
 */
const SEEDS = process.env.GREGOR_SEED !== undefined ? [Number(process.env.GREGOR_SEED)] : Array.from({ length: 40 }, (_, i) => i + 1);
const CRASHES = 6;

async function run(seed: number): Promise<void> {
  const random = new SeededRandom(seed);
  const env = new RaftEnv(seed ^ 0x5eed, { segmentBytes: random.between(300, 2000) });
  /** Batches recovered at the last start: committed then, so they must survive every later crash. */
  let history: string[][] = [];
  /** Batches appended since, in order, and how many of them were acknowledged before the crash. */
  let appended: string[][] = [];
  let acknowledged = 0;
  for (let start = 0; start <= CRASHES; start++) {
    const raft = await env.startRaft();
    expect(raft.leaderAndEpoch.epoch, 'one epoch per start').toBe(start + 1);
    const listener = new RecordingListener();
    raft.register(listener);
    const recovered = listener.dataBatches;
    expect(recovered.slice(0, history.length), 'batches committed before survive').toEqual(history);
    const fromLastRun = recovered.slice(history.length);
    expect(fromLastRun, 'a prefix of what was appended, whole batches only').toEqual(appended.slice(0, fromLastRun.length));
    expect(fromLastRun.length, 'acknowledged batches survive').toBeGreaterThanOrEqual(acknowledged);
    if (start === CRASHES) return;

    history = recovered;
    appended = [];
    acknowledged = 0;
    const count = random.between(1, 8);
    for (let b = 0; b < count; b++) {
      const batch = Array.from({ length: random.between(1, 4) }, (_, i) => `s${start}-b${b}-${i}`);
      const { committed } = raft.append(values(...batch), { epoch: raft.leaderAndEpoch.epoch, baseOffset: raft.endOffset });
      appended.push(batch);
      const settled = committed.then(
        () => {
          acknowledged = b + 1;
        },
        () => undefined,
      );
      if (random.chance(0.3)) await settled;
    }
    // Zero turns crashes before the last fsync has begun; a few turns land in the middle of it.
    for (let turns = random.pick([0, 0, 1, 2, 3, 5, 8, 30]); turns > 0; turns--) await Promise.resolve();
    env.fs.crash();
  }
}

describe('SingleNodeRaft crash safety', () => {
  it(`keeps acknowledged batches and never half a batch over ${SEEDS.length} seeds`, async () => {
    for (const seed of SEEDS) {
      try {
        await run(seed);
      } catch (err) {
        throw new Error(`raft crash test failed with seed ${seed}; replay: GREGOR_SEED=${seed} npx vitest run test/raft/crash.test.ts\n${(err as Error).stack}`);
      }
    }
  });
});
