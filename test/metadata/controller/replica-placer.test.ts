import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../../../src/util/random.js';
import { replicaPlacer } from '../../../src/metadata/controller/replica-placer.js';
import { clusterOf } from './support.js';

function place(image: ReturnType<typeof clusterOf>, numPartitions: number, replicationFactor: number, seed = 1): number[][] {
  const placer = replicaPlacer(image, new SeededRandom(seed), replicationFactor);
  if (!placer.ok) throw new Error(placer.reason);
  return placer.place(numPartitions);
}

describe('replicaPlacer', () => {
  const five = clusterOf(1, 2, 3, 4, 5);

  it('leads with every unfenced broker once per stripe', () => {
    const placements = place(five, 20, 3);
    for (let stripe = 0; stripe < 4; stripe++) {
      expect(placements.slice(stripe * 5, stripe * 5 + 5).map((r) => r[0]).sort()).toEqual([1, 2, 3, 4, 5]);
    }
    for (const replicas of placements) expect(new Set(replicas).size).toBe(3);
  });

  it('spreads replicas evenly and varies follower pairs between stripes', () => {
    const placements = place(five, 50, 3);
    const counts = [1, 2, 3, 4, 5].map((id) => placements.filter((r) => r.includes(id)).length);
    expect(counts).toEqual([30, 30, 30, 30, 30]);
    expect(new Set(placements.map((r) => r.join(','))).size).toBeGreaterThan(5);
  });

  it('is deterministic for a seed, and starts elsewhere for another', () => {
    expect(place(five, 10, 2, 3)).toEqual(place(five, 10, 2, 3));
    expect(place(five, 10, 2, 3)).not.toEqual(place(five, 10, 2, 4));
  });

  it('takes fenced brokers only as the last followers', () => {
    const image = clusterOf(1, { id: 2, fenced: true }, { id: 3, fenced: true });
    for (const replicas of place(image, 6, 3)) {
      expect(replicas[0]).toBe(1);
      expect(replicas.slice(1).sort()).toEqual([2, 3]);
    }
  });

  it('explains a replication factor it cannot meet', () => {
    const reason = (image: ReturnType<typeof clusterOf>, rf: number) => {
      const placer = replicaPlacer(image, new SeededRandom(1), rf);
      return placer.ok ? null : placer.reason;
    };
    expect(reason(five, 0)).toBe('Invalid replication factor 0: the replication factor must be positive.');
    expect(reason(five, 6)).toBe('The target replication factor of 6 cannot be reached because only 5 broker(s) are registered.');
    expect(reason(clusterOf({ id: 1, fenced: true }), 1)).toBe('All brokers are currently fenced.');
    expect(reason(five, 5)).toBeNull();
  });
});
