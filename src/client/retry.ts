import type { Random } from '../util/random.js';
import { isRetriable } from './errors.js';

/** Waits `ms` milliseconds; injected so tests can retry without waiting. */
export type Sleep = (ms: number) => Promise<void>;

export const timerSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Spread of the random factor applied to each delay, as in Kafka's clients. */
const JITTER = 0.2;

/**
 * Kafka's retry backoff (KIP-580): retry.backoff.ms doubled per attempt up to retry.backoff.max.ms,
 * each delay scaled by a random factor in [0.8, 1.2] (and kept under the ceiling) so that many
 * clients failing together do not retry in lockstep.
 */
export class ExponentialBackoff {
  constructor(
    private readonly initialMs: number,
    private readonly maxMs: number,
    private readonly random: Random,
  ) {}

  /** The delay before retry number `attempt` (0 for the first retry). */
  delay(attempt: number): number {
    const base = Math.min(this.maxMs, this.initialMs * 2 ** attempt);
    return Math.min(this.maxMs, Math.round(base * (1 - JITTER + 2 * JITTER * this.random.next())));
  }
}

export interface RetryPolicy {
  /** Retries after the first attempt. */
  readonly retries: number;
  readonly backoff: ExponentialBackoff;
  readonly sleep: Sleep;
}

/**
 * Runs `attempt` until it succeeds, fails with an error that is not retriable, or has been
 * retried `policy.retries` times; the last error is thrown. `beforeRetry` sees each retriable
 * error before the backoff, to drop whatever routing the error proved stale.
 */
export async function withRetries<T>(
  policy: RetryPolicy,
  attempt: () => Promise<T>,
  beforeRetry: (err: unknown, retry: number) => void,
): Promise<T> {
  for (let retry = 0; ; retry++) {
    try {
      return await attempt();
    } catch (err) {
      if (retry >= policy.retries || !isRetriable(err)) throw err;
      beforeRetry(err, retry);
      await policy.sleep(policy.backoff.delay(retry));
    }
  }
}
