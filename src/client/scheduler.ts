/** Runs a task after a delay; injected so that tests fire timers by hand. */
export interface Scheduler {
  /** Runs `task` once `delayMs` has passed; the returned function cancels it. */
  schedule(delayMs: number, task: () => void): () => void;
}

/** The Node timer adapter. */
export const timerScheduler: Scheduler = {
  schedule(delayMs, task) {
    const timer = setTimeout(task, Math.max(0, delayMs));
    return () => clearTimeout(timer);
  },
};
