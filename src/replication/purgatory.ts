import type { Scheduler } from './scheduler.js';

/**
 * A request held back until something happens (Kafka's DelayedOperation): a long-poll fetch
 * waiting for data, an acks=all produce waiting for the high watermark. `tryComplete` decides
 * from current state and answers the request itself when it can; `expire` answers it when its
 * time is up. The purgatory makes sure exactly one of them finishes it, once.
 */
export interface DelayedOperation {
  /** Completes the operation and returns true if it can be completed now. */
  tryComplete(): boolean;
  /** The timeout passed first: completes the operation with what there is. */
  expire(): void;
}

interface Watched {
  readonly operation: DelayedOperation;
  readonly keys: readonly string[];
  cancelTimer: () => void;
}

/**
 * Delayed operations watched by key (a partition), checked again whenever something changes
 * under a key (an append, a high watermark move, a leadership change) and expired by the
 * injected scheduler (Kafka's DelayedOperationPurgatory).
 */
export class Purgatory {
  private readonly watchers = new Map<string, Set<Watched>>();
  private readonly pending = new Set<Watched>();

  constructor(private readonly scheduler: Scheduler) {}

  /** Operations waiting. */
  get size(): number {
    return this.pending.size;
  }

  /** Completes `operation` at once if it can, or watches it under `keys` until it can or `timeoutMs` passes. */
  tryCompleteElseWatch(operation: DelayedOperation, keys: readonly string[], timeoutMs: number): void {
    if (operation.tryComplete()) return;
    const watched: Watched = { operation, keys, cancelTimer: () => {} };
    this.pending.add(watched);
    for (const key of keys) {
      let set = this.watchers.get(key);
      if (set === undefined) this.watchers.set(key, (set = new Set()));
      set.add(watched);
    }
    watched.cancelTimer = this.scheduler.schedule(timeoutMs, () => {
      if (this.unwatch(watched)) operation.expire();
    });
  }

  /** Gives every operation watching `key` a chance to complete; returns how many did. */
  checkAndComplete(key: string): number {
    const set = this.watchers.get(key);
    if (set === undefined) return 0;
    let completed = 0;
    for (const watched of [...set]) {
      if (!this.pending.has(watched) || !watched.operation.tryComplete()) continue;
      this.unwatch(watched);
      watched.cancelTimer();
      completed++;
    }
    return completed;
  }

  /** Expires every waiting operation now (shutdown). */
  expireAll(): void {
    for (const watched of [...this.pending]) {
      this.unwatch(watched);
      watched.cancelTimer();
      watched.operation.expire();
    }
  }

  /** Stops watching; false if the operation was already finished. */
  private unwatch(watched: Watched): boolean {
    if (!this.pending.delete(watched)) return false;
    for (const key of watched.keys) {
      const set = this.watchers.get(key);
      set?.delete(watched);
      if (set?.size === 0) this.watchers.delete(key);
    }
    return true;
  }
}
