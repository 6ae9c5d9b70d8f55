import type { Logger } from '../util/logger.js';

/**
 * Background work on timers: each task runs every `intervalMs`, never overlapping itself, and a
 * failure is logged rather than stopping the broker. `stop` waits for runs in progress.
 */
export class PeriodicTasks {
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly running = new Set<Promise<void>>();
  private stopped = false;

  constructor(private readonly log: Logger) {}

  every(intervalMs: number, task: () => unknown): void {
    const schedule = (): void => {
      if (this.stopped) return;
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        const run = Promise.resolve()
          .then(task)
          .then(
            () => undefined,
            (err: Error) => this.log.warn({ err: err.message }, 'background task failed'),
          )
          .finally(() => {
            this.running.delete(run);
            schedule();
          });
        this.running.add(run);
      }, intervalMs);
      timer.unref();
      this.timers.add(timer);
    };
    schedule();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    await Promise.all(this.running);
  }
}
