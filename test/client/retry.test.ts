import { describe, expect, it } from 'vitest';
import { KafkaProtocolError } from '../../src/client/errors.js';
import { ExponentialBackoff, withRetries } from '../../src/client/retry.js';
import { ErrorCode } from '../../src/protocol/generated/error-codes.js';
import { SeededRandom } from '../../src/util/random.js';

/** A Random whose next() is fixed: 0.5 makes the jitter factor exactly 1. */
function fixedRandom(value: number): SeededRandom {
  const random = new SeededRandom(0);
  random.next = () => value;
  return random;
}

describe('ExponentialBackoff', () => {
  it('doubles from retry.backoff.ms up to retry.backoff.max.ms', () => {
    const backoff = new ExponentialBackoff(100, 1_000, fixedRandom(0.5));
    expect([0, 1, 2, 3, 4, 5].map((n) => backoff.delay(n))).toEqual([100, 200, 400, 800, 1_000, 1_000]);
  });

  it('spreads each delay by up to 20% either way, never above the ceiling', () => {
    expect(new ExponentialBackoff(100, 1_000, fixedRandom(0)).delay(1)).toBe(160);
    expect(new ExponentialBackoff(100, 1_000, fixedRandom(0.999999)).delay(1)).toBe(240);
    expect(new ExponentialBackoff(100, 1_000, fixedRandom(0.999999)).delay(9)).toBe(1_000);
  });

  it('uses the ceiling throughout when it is below retry.backoff.ms, as Kafka does', () => {
    const backoff = new ExponentialBackoff(5_000, 1_000, fixedRandom(0.5));
    expect([0, 1].map((n) => backoff.delay(n))).toEqual([1_000, 1_000]);
  });
});

describe('withRetries', () => {
  const policy = (retries: number, delays: number[]) => ({
    retries,
    backoff: new ExponentialBackoff(10, 100, fixedRandom(0.5)),
    sleep: async (ms: number) => void delays.push(ms),
  });

  it('retries retriable errors, telling beforeRetry about each', async () => {
    const delays: number[] = [];
    const seen: number[] = [];
    let attempts = 0;
    const result = await withRetries(
      policy(5, delays),
      async () => {
        if (++attempts < 3) throw new KafkaProtocolError(ErrorCode.REQUEST_TIMED_OUT, 'x');
        return 'done';
      },
      (_err, retry) => seen.push(retry),
    );
    expect(result).toBe('done');
    expect(seen).toEqual([0, 1]);
    expect(delays).toEqual([10, 20]);
  });

  it('throws at once what is not retriable, and the last error when retries run out', async () => {
    const fatal = new Error('bug');
    await expect(withRetries(policy(5, []), () => Promise.reject(fatal), () => {})).rejects.toBe(fatal);
    let attempts = 0;
    const last = withRetries(policy(2, []), () => Promise.reject(new KafkaProtocolError(ErrorCode.NOT_CONTROLLER, `attempt ${++attempts}`)), () => {});
    await expect(last).rejects.toThrow(/^attempt 3:/);
  });
});
