export interface WaitOptions {
  readonly timeoutMs?: number;
  readonly everyMs?: number;
  /** What to print about the state when the wait times out. */
  readonly describe?: () => unknown;
}

/**
 * Polls `probe` until it yields something other than undefined or false, and returns that: the way
 * tests wait for an observable condition instead of sleeping. A probe that throws is retried; the
 * last error, and `describe`'s state, are in the timeout's message.
 */
export async function waitFor<T>(
  what: string,
  probe: () => T | Promise<T>,
  { timeoutMs = 30_000, everyMs = 50, describe }: WaitOptions = {},
): Promise<Exclude<T, undefined | false>> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value as Exclude<T, undefined | false>;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      const error = lastError === undefined ? '' : `; last error: ${String(lastError)}`;
      const state = describe ? `; last state: ${JSON.stringify(describe())}` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${error}${state}`);
    }
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
