/** Helpers for consumer-group end-to-end tests. */
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');


/** A line the child member (support/group-member.ts) reports. */
export type ChildEvent =
  | { event: 'join'; memberId: string; assignment: Record<string, number[]> }
  | { event: 'message'; partition: number; offset: string; key: string | null }
  | { event: 'committed'; partition: number; offset: string }
  | { event: 'commit-failed'; partition: number; offset: string; error: string }
  | { event: 'running' };

/** A kafkajs group member in a child process, which the test can SIGKILL. */
export class ChildMember {
  readonly events: ChildEvent[] = [];
  readonly stderr: string[] = [];
  private readonly exited: Promise<void>;

  readonly child: ChildProcess;

  /** `stallAt`: the member stops, without committing, at its stallAt-th message (0: never). */
  constructor(bootstrap: string, groupId: string, topic: string, stallAt: number, onEvent: (event: ChildEvent) => void = () => {}) {
    const script = path.join(ROOT, 'test/e2e/support/group-member.ts');
    const child = spawn(process.execPath, ['--import', 'tsx', script, bootstrap, groupId, topic, String(stallAt)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    let buffered = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      let newline;
      while ((newline = buffered.indexOf('\n')) >= 0) {
        const event = JSON.parse(buffered.slice(0, newline)) as ChildEvent;
        buffered = buffered.slice(newline + 1);
        this.events.push(event);
        onEvent(event);
      }
    });
    child.stderr!.on('data', (chunk: Buffer) => this.stderr.push(chunk.toString()));
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
  }

  /** The assignment of its latest join. */
  get assignment(): Record<string, number[]> | undefined {
    return this.events.filter((e) => e.event === 'join').at(-1)?.assignment;
  }

  get memberId(): string | undefined {
    return this.events.filter((e) => e.event === 'join').at(-1)?.memberId;
  }

  /** SIGKILLs it (no LeaveGroup, no last commit) and resolves once it is gone. */
  async kill(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    await this.exited;
  }
}
