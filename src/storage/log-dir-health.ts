import { errorCode } from '../util/file-system.js';
import { KafkaStorageError } from './errors.js';

/**
 * Whether a log directory can still be used. The first I/O error on any of its files takes the
 * whole directory offline (Kafka's LogDirFailureChannel): every later operation on its logs
 * fails with KAFKA_STORAGE_ERROR instead of writing after a failure whose effects are unknown.
 */
export class LogDirHealth {
  private failure: unknown = null;
  private readonly listeners: ((dir: string, cause: unknown) => void)[] = [];

  constructor(readonly dir: string) {}

  get isOffline(): boolean {
    return this.failure !== null;
  }

  onOffline(listener: (dir: string, cause: unknown) => void): void {
    this.listeners.push(listener);
  }

  markOffline(cause: unknown): void {
    if (this.failure !== null) return;
    this.failure = cause;
    for (const listener of this.listeners) listener(this.dir, cause);
  }

  check(): void {
    if (this.failure !== null) throw new KafkaStorageError(`log directory ${this.dir} is offline`, { cause: this.failure });
  }

  /**
   * Turns a file-system error into a KafkaStorageError that takes the directory offline; other
   * errors (bugs, validation) pass through unchanged.
   */
  storageError(err: unknown, what: string): unknown {
    if (err instanceof KafkaStorageError || errorCode(err) === undefined) return err;
    this.markOffline(err);
    return new KafkaStorageError(`${what} failed in ${this.dir}: ${(err as Error).message}`, { cause: err });
  }
}
