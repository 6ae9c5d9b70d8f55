import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../../src/util/random.js';
import { TimerQueue } from '../../src/util/timer-queue.js';

describe('TimerQueue', () => {
  it('hands out due values earliest first, and equal deadlines in the order they were set', () => {
    const q = new TimerQueue<string>();
    q.set('c', 30, 'c');
    q.set('a', 10, 'a');
    q.set('b', 10, 'b');
    expect(q.nextDeadline()).toBe(10);
    expect(q.takeDue(9)).toBeUndefined();
    expect([q.takeDue(30), q.takeDue(30), q.takeDue(30), q.takeDue(30)]).toEqual(['a', 'b', 'c', undefined]);
    expect(q.size).toBe(0);
    expect(q.nextDeadline()).toBeUndefined();
  });

  it('replaces the deadline of a key set again, and forgets a deleted key', () => {
    const q = new TimerQueue<string>();
    q.set('a', 10, 'first');
    q.set('b', 20, 'b');
    q.set('a', 30, 'second');
    expect(q.deadlineOf('a')).toBe(30);
    expect(q.nextDeadline()).toBe(20);
    q.delete('b');
    expect(q.nextDeadline()).toBe(30);
    expect(q.takeDue(100)).toBe('second');
    expect(q.takeDue(100)).toBeUndefined();
  });

  it('agrees with a plain scan over random schedules, replacements and deletions', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const random = new SeededRandom(seed);
      const q = new TimerQueue<number>();
      const model = new Map<string, { at: number; seq: number }>();
      let seq = 0;
      for (let step = 0; step < 2_000; step++) {
        const key = `k${random.int(50)}`;
        const op = random.int(10);
        if (op < 6) {
          const at = random.int(1_000);
          q.set(key, at, seq);
          model.set(key, { at, seq: seq++ });
        } else if (op < 8) {
          q.delete(key);
          model.delete(key);
        } else {
          const now = random.int(1_000);
          const due = [...model.entries()].filter(([, t]) => t.at <= now).sort(([, x], [, y]) => x.at - y.at || x.seq - y.seq)[0];
          expect(q.takeDue(now), `seed ${seed} step ${step}`).toBe(due?.[1].seq);
          if (due !== undefined) model.delete(due[0]);
        }
        const earliest = Math.min(...[...model.values()].map((t) => t.at));
        expect(q.nextDeadline(), `seed ${seed} step ${step}`).toBe(model.size === 0 ? undefined : earliest);
        expect(q.size).toBe(model.size);
      }
    }
  });
});
