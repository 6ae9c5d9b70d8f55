import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

export function tempDataDir(): string {
  return mkdtempSync(path.join(tmpdir(), 'gregor-e2e-'));
}

/** `gregor server` as a child process, the way a user runs it. */
export class BrokerProcess {
  readonly output: string[] = [];
  private exitCode: Promise<number | null>;

  private constructor(
    readonly child: ChildProcess,
    readonly port: number,
  ) {
    this.exitCode = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  }

  /** Starts a broker on 127.0.0.1 (port 0 unless given) with its data in `dataDir`; resolves once it listens. */
  static async start(dataDir: string, overrides: Record<string, string> = {}, port = 0): Promise<BrokerProcess> {
    const args = ['--import', 'tsx', path.join(ROOT, 'bin/gregor.ts'), 'server'];
    const properties = { 'log.dirs': dataDir, listeners: `PLAINTEXT://127.0.0.1:${port}`, ...overrides };
    for (const [name, value] of Object.entries(properties)) args.push('--override', `${name}=${value}`);
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, GREGOR_LOG_LEVEL: 'info' } });
    const lines: string[] = [];
    const started = new Promise<number>((resolve, reject) => {
      let buffered = '';
      const onData = (chunk: Buffer): void => {
        buffered += chunk.toString();
        let newline;
        while ((newline = buffered.indexOf('\n')) >= 0) {
          const line = buffered.slice(0, newline);
          buffered = buffered.slice(newline + 1);
          lines.push(line);
          const match = /listening on PLAINTEXT:\/\/127\.0\.0\.1:(\d+)/.exec(line);
          if (match) resolve(Number(match[1]));
        }
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', onData);
      child.once('exit', (code) => reject(new Error(`broker exited with ${code} before listening:\n${lines.join('\n')}`)));
    });
    const broker = new BrokerProcess(child, await started);
    broker.output.push(...lines);
    child.stdout!.on('data', (c: Buffer) => broker.output.push(c.toString()));
    child.stderr!.on('data', (c: Buffer) => broker.output.push(c.toString()));
    return broker;
  }

  /** Sends `signal` and resolves with the exit code (null when the signal killed it). */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    this.child.kill(signal);
    return this.exitCode;
  }
}

/** Runs `gregor` with `args` to completion. */
export function runGregor(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'bin/gregor.ts'), ...args], { cwd: ROOT, env: process.env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}
