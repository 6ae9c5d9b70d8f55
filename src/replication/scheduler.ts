/** Runs a task after a delay: delayed operations use it for their timeouts. */
export interface Scheduler {
  /** Runs `task` once `delayMs` has passed; the returned function cancels it. */
  schedule(delayMs: number, task: () => void): () => void;
}

/** The Node timer adapter. Timers are unref'd: a pending long poll never keeps the process alive. */
export const timerScheduler: Scheduler = {
  schedule(delayMs, task) {
    const timer = setTimeout(task, Math.max(0, delayMs));
    timer.unref();
    return () => clearTimeout(timer);
  },
};
