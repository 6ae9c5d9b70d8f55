import { rmSync } from 'node:fs';
import { type Broker, startBroker } from '../../../src/index.js';
import type { Logger } from '../../../src/util/logger.js';
import { tempDataDir } from './broker-process.js';

/** A broker started in this process, on 127.0.0.1 and a free port, with its data in a new temp dir. */
export interface EmbeddedBroker {
  readonly broker: Broker;
  readonly port: number;
  /** Its log.dirs, one directory. */
  readonly dataDir: string;
  /** `127.0.0.1:<port>`, for clients' bootstrap lists. */
  readonly bootstrap: string;
  /** Every warn and error line the broker logged, in order. */
  readonly warnings: string[];
  /** Stops the broker and deletes its data directory. */
  stop(): Promise<void>;
}

/** A logger that keeps warn and error messages and drops the rest. */
function recordingLogger(lines: string[]): Logger {
  const keep = (obj: object | string, msg?: string) => lines.push(msg ?? (typeof obj === 'string' ? obj : JSON.stringify(obj)));
  const logger: Logger = { debug: () => {}, info: () => {}, warn: keep, error: keep, child: () => logger };
  return logger;
}

export async function startEmbeddedBroker(properties: Record<string, string> = {}): Promise<EmbeddedBroker> {
  const warnings: string[] = [];
  const dataDir = tempDataDir();
  const broker = await startBroker({
    logger: recordingLogger(warnings),
    properties: { 'log.dirs': dataDir, listeners: 'PLAINTEXT://127.0.0.1:0', ...properties },
  });
  const port = broker.listeners[0].port;
  const stop = async (): Promise<void> => {
    await broker.stop();
    rmSync(dataDir, { recursive: true, force: true });
  };
  return { broker, port, dataDir, bootstrap: `127.0.0.1:${port}`, warnings, stop };
}
