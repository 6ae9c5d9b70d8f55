import { pino } from 'pino';
import pretty from 'pino-pretty';
import type { Logger } from '../util/logger.js';

export interface LoggingOptions {
  readonly level?: string;
  /** Human-readable lines instead of JSON; by default when stdout is a terminal. */
  readonly pretty?: boolean;
}

/** The broker's logger: structured JSON lines for machines, readable lines on a terminal. */
export function createLogger(options: LoggingOptions = {}): Logger {
  const level = options.level ?? process.env.GREGOR_LOG_LEVEL ?? 'info';
  const human = options.pretty ?? process.stdout.isTTY === true;
  if (!human) return pino({ level, base: { name: 'gregor' } });
  return pino({ level, base: undefined }, pretty({ colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname', sync: true }));
}
