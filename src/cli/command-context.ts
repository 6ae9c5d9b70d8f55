import type { Argv } from 'yargs';

/**
 * How a command prints: `table` and `json` for `gregor <command>` (chosen with --output),
 * `kafka` for the Kafka-named executables, which print what Kafka's own scripts print.
 */
export type OutputFormat = 'table' | 'json' | 'kafka';

/** What a command needs from the program that runs it. */
export interface CommandContext {
  /** The name errors are prefixed with: `gregor topics`, `kafka-topics`. */
  readonly program: string;
  /** True when invoked under a Kafka script's name. */
  readonly kafkaDialect: boolean;
  setExitCode(code: number): void;
}

/** Wrong or missing flags: reported like yargs' own usage errors, with exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export function outputOption<T>(y: Argv<T>, context: CommandContext): Argv<T & { output?: string }> {
  if (context.kafkaDialect) return y as Argv<T & { output?: string }>;
  return y.option('output', { choices: ['table', 'json'], default: 'table', describe: 'aligned tables, or JSON for scripts' }) as Argv<T & { output?: string }>;
}

export function outputFormat(context: CommandContext, output: string | undefined): OutputFormat {
  if (context.kafkaDialect) return 'kafka';
  return output === 'json' ? 'json' : 'table';
}

export function printLine(line: string): void {
  process.stdout.write(`${line}\n`);
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function warnLine(context: CommandContext): (line: string) => void {
  return (line) => process.stderr.write(`${context.program}: warning: ${line}\n`);
}

/**
 * Runs a command's action: a failure becomes one line on stderr, prefixed with the program
 * name, and a non-zero exit code (2 for usage errors, 1 for everything else).
 */
export async function runAction(context: CommandContext, action: () => Promise<void>): Promise<void> {
  try {
    await action();
  } catch (err) {
    const message = (err as Error).message.split('\n')[0];
    process.stderr.write(`${context.program}: ${message}\n`);
    context.setExitCode(err instanceof UsageError ? 2 : 1);
  }
}

/** Column-aligned rows under a header, two spaces between columns. */
export function formatTable(headers: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map(line)];
}

/** `--config a=b` style entries, split at the first '='. */
export function parseAssignment(text: string, flag: string): [string, string] {
  const eq = text.indexOf('=');
  if (eq <= 0) throw new UsageError(`${flag} takes name=value, got '${text}'`);
  return [text.slice(0, eq), text.slice(eq + 1)];
}
