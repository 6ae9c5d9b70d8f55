import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CliResult } from './run-cli.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** A CLI child process that is still running: its output so far, and a way to wait for a line. */
export interface RunningCli {
  readonly child: ChildProcess;
  /** Resolves once stdout holds `count` complete lines. */
  lines(count: number): Promise<string[]>;
  /** Resolves with the result once the process exited. */
  readonly done: Promise<CliResult>;
}

/** Starts bin/<executable>.ts as a child process; `input` is written to its stdin, which is then closed. */
export function startCli(executable: string, args: readonly string[], input?: string | Buffer): RunningCli {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'bin', `${executable}.ts`), ...args], {
    cwd: ROOT,
    stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const waiters: { count: number; resolve: (lines: string[]) => void }[] = [];
  const complete = (): string[] => stdout.split('\n').slice(0, -1);
  child.stdout!.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    const lines = complete();
    for (let i = waiters.length - 1; i >= 0; i--) if (lines.length >= waiters[i].count) waiters.splice(i, 1)[0].resolve(lines);
  });
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  if (input !== undefined) child.stdin!.end(input);
  const done = new Promise<CliResult>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => {
      for (const w of waiters.splice(0)) w.resolve(complete());
      resolve({ code, stdout, stderr });
    });
  });
  return {
    child,
    done,
    lines: (count) => {
      const lines = complete();
      if (lines.length >= count) return Promise.resolve(lines);
      return new Promise((resolve) => waiters.push({ count, resolve }));
    },
  };
}

/** Runs bin/<executable>.ts to its end with `input` on stdin. */
export function runCliWithInput(executable: string, args: readonly string[], input: string | Buffer): Promise<CliResult> {
  return startCli(executable, args, input).done;
}
