import path from 'node:path';
import type { Clock } from './clock.js';
import { FileSystemError, type FileHandle, type FileStat, type FileSystem, type OpenMode } from './file-system.js';
import type { Random } from './random.js';

interface FileNode {
  kind: 'file';
  data: Buffer;
  length: number;
  /** The content a crash falls back to: what the last sync made durable. */
  durable: Buffer;
  /** Lowest byte changed since the last sync; Infinity when the file is clean. */
  dirtyFrom: number;
  mtimeMs: number;
}

interface DirNode {
  kind: 'dir';
  entries: Map<string, Node>;
  /** The entries a crash falls back to: what the last syncDir made durable. */
  durableEntries: Map<string, Node>;
  mtimeMs: number;
}

type Node = FileNode | DirNode;

export type FaultOperation = 'open' | 'read' | 'write' | 'truncate' | 'sync' | 'rename' | 'unlink';

/**
 * An in-memory FileSystem that models what a power loss does to a real one. Written data lives in
 * the page cache until `sync`; directory entries (creations, renames, removals) until `syncDir`
 * of their directory. `crash()` keeps what was made durable and, for each file written since its
 * last sync, a random outcome: nothing of the new writes, or a prefix of them, possibly ending in
 * zeros (size extended, data blocks never written). Handles opened before a crash stop working.
 *
 * Faults for error-path tests: `failNext` makes one operation fail with an errno code, and
 * `capacity` makes writes beyond it fail with ENOSPC after writing what fits.
 */
export class MemoryFileSystem implements FileSystem {
  private root: DirNode;
  private generation = 0;
  private usedBytes = 0;
  private readonly faults: { op: FaultOperation; code: string; skip: number }[] = [];
  /** Total bytes of file data the "disk" holds; null is unlimited. */
  capacity: number | null = null;

  constructor(
    private readonly clock: Clock,
    private readonly random: Random,
  ) {
    this.root = { kind: 'dir', entries: new Map(), durableEntries: new Map(), mtimeMs: clock.now() };
  }

  /** Makes an `op` fail with `code`: the next one, or the one after `skip` more have succeeded. */
  failNext(op: FaultOperation, code = 'EIO', skip = 0): void {
    this.faults.push({ op, code, skip });
  }

  /** Drops faults that no operation has met yet. */
  clearFaults(): void {
    this.faults.length = 0;
  }

  get used(): number {
    return this.usedBytes;
  }

  open(p: string, mode: OpenMode): FileHandle {
    this.maybeFail('open', p);
    const { parent, name } = this.parentOf(p);
    let node = parent.entries.get(name);
    if (node === undefined) {
      if (mode !== 'create') throw new FileSystemError('ENOENT', 'open', p);
      node = { kind: 'file', data: Buffer.alloc(0), length: 0, durable: Buffer.alloc(0), dirtyFrom: Infinity, mtimeMs: this.clock.now() };
      parent.entries.set(name, node);
    } else if (node.kind === 'dir') {
      throw new FileSystemError('EISDIR', 'open', p);
    } else if (mode === 'create') {
      this.resize(node, 0);
    }
    return new MemoryFileHandle(this, node, p, this.generation, mode !== 'read');
  }

  readFile(p: string): Buffer {
    const node = this.lookup(p, 'open');
    if (node.kind === 'dir') throw new FileSystemError('EISDIR', 'read', p);
    this.maybeFail('read', p);
    return Buffer.from(node.data.subarray(0, node.length));
  }

  exists(p: string): boolean {
    return this.find(p) !== undefined;
  }

  stat(p: string): FileStat {
    const node = this.lookup(p, 'stat');
    return {
      size: node.kind === 'file' ? node.length : 0,
      mtimeMs: node.mtimeMs,
      isDirectory: node.kind === 'dir',
    };
  }

  readdir(p: string): string[] {
    const node = this.lookup(p, 'scandir');
    if (node.kind !== 'dir') throw new FileSystemError('ENOTDIR', 'scandir', p);
    return [...node.entries.keys()].sort();
  }

  mkdir(p: string): void {
    let dir = this.root;
    for (const part of splitPath(p)) {
      let next = dir.entries.get(part);
      if (next === undefined) {
        next = { kind: 'dir', entries: new Map(), durableEntries: new Map(), mtimeMs: this.clock.now() };
        dir.entries.set(part, next);
      } else if (next.kind !== 'dir') {
        throw new FileSystemError('EEXIST', 'mkdir', p);
      }
      dir = next;
    }
  }

  rename(from: string, to: string): void {
    this.maybeFail('rename', from);
    const source = this.parentOf(from);
    const node = source.parent.entries.get(source.name);
    if (node === undefined) throw new FileSystemError('ENOENT', 'rename', from);
    const target = this.parentOf(to);
    const replaced = target.parent.entries.get(target.name);
    if (replaced?.kind === 'dir') throw new FileSystemError('EISDIR', 'rename', to);
    source.parent.entries.delete(source.name);
    target.parent.entries.set(target.name, node);
    if (replaced !== undefined && replaced !== node) this.usedBytes -= replaced.length;
  }

  unlink(p: string): void {
    this.maybeFail('unlink', p);
    const { parent, name } = this.parentOf(p);
    const node = parent.entries.get(name);
    if (node === undefined) throw new FileSystemError('ENOENT', 'unlink', p);
    if (node.kind === 'dir') throw new FileSystemError('EISDIR', 'unlink', p);
    parent.entries.delete(name);
    this.usedBytes -= node.length;
  }

  rmdir(p: string): void {
    const { parent, name } = this.parentOf(p);
    const node = parent.entries.get(name);
    if (node === undefined) throw new FileSystemError('ENOENT', 'rmdir', p);
    if (node.kind !== 'dir') throw new FileSystemError('ENOTDIR', 'rmdir', p);
    if (node.entries.size > 0) throw new FileSystemError('ENOTEMPTY', 'rmdir', p);
    parent.entries.delete(name);
  }

  async syncDir(p: string): Promise<void> {
    const node = this.lookup(p, 'fsync');
    if (node.kind !== 'dir') throw new FileSystemError('ENOTDIR', 'fsync', p);
    this.maybeFail('sync', p);
    node.durableEntries = new Map(node.entries);
  }

  /**
   * Power loss: every directory falls back to its durable entries, every file to its durable
   * content plus a random part of what was written since. Open handles become invalid.
   */
  crash(): void {
    this.generation++;
    this.usedBytes = 0;
    this.faults.length = 0;
    const seen = new Set<Node>();
    const visit = (node: Node): void => {
      if (seen.has(node)) return;
      seen.add(node);
      if (node.kind === 'file') {
        this.crashFile(node);
        this.usedBytes += node.length;
        return;
      }
      node.entries = new Map(node.durableEntries);
      for (const child of node.entries.values()) visit(child);
    };
    visit(this.root);
  }

  private crashFile(node: FileNode): void {
    if (node.dirtyFrom === Infinity) return;
    const stable = Math.min(node.dirtyFrom, node.durable.length, node.length);
    let content: Buffer;
    if (this.random.chance(1 / 3)) {
      content = node.durable;
    } else {
      const kept = this.random.between(stable, node.length);
      content = Buffer.from(node.data.subarray(0, kept));
      if (kept > stable && this.random.chance(0.25)) {
        content.fill(0, kept - this.random.between(1, kept - stable));
      }
    }
    node.data = Buffer.from(content);
    node.length = content.length;
    node.durable = Buffer.from(content);
    node.dirtyFrom = Infinity;
  }

  /**
   * The file system as one process sees it: every call fails with EBADF after the next crash, as
   * the process that made it died in it. Without this, work a crashed instance still had queued
   * (an async flush) would go on writing next to the instance started after the crash.
   */
  process(): FileSystem {
    const generation = this.generation;
    const alive = (p: string): void => this.checkGeneration(generation, p);
    return {
      open: (p, mode) => (alive(p), this.open(p, mode)),
      readFile: (p) => (alive(p), this.readFile(p)),
      exists: (p) => (alive(p), this.exists(p)),
      stat: (p) => (alive(p), this.stat(p)),
      readdir: (p) => (alive(p), this.readdir(p)),
      mkdir: (p) => (alive(p), this.mkdir(p)),
      rename: (from, to) => (alive(from), this.rename(from, to)),
      unlink: (p) => (alive(p), this.unlink(p)),
      rmdir: (p) => (alive(p), this.rmdir(p)),
      syncDir: async (p) => {
        alive(p);
        await this.syncDir(p);
        alive(p);
      },
    };
  }

  /** @internal used by handles */
  checkGeneration(generation: number, p: string): void {
    if (generation !== this.generation) throw new FileSystemError('EBADF', 'handle', p);
  }

  /** @internal used by handles */
  maybeFail(op: FaultOperation, p: string): void {
    const fault = this.faults.find((f) => f.op === op);
    if (fault === undefined) return;
    if (fault.skip-- > 0) return;
    this.faults.splice(this.faults.indexOf(fault), 1);
    throw new FileSystemError(fault.code, op, p);
  }

  /** @internal used by handles */
  writeAt(node: FileNode, data: Buffer, position: number, p: string): void {
    let length = data.length;
    const growth = Math.max(0, position + length - node.length);
    let full = false;
    if (this.capacity !== null && this.usedBytes + growth > this.capacity) {
      length = Math.max(0, Math.min(length, node.length + this.capacity - this.usedBytes - position));
      full = true;
    }
    if (length > 0) {
      const end = position + length;
      if (end > node.data.length) {
        const grown = Buffer.alloc(Math.max(end, node.data.length * 2));
        node.data.copy(grown, 0, 0, node.length);
        node.data = grown;
      }
      if (position > node.length) node.data.fill(0, node.length, position);
      data.copy(node.data, position, 0, length);
      if (end > node.length) {
        this.usedBytes += end - node.length;
        node.length = end;
      }
      node.dirtyFrom = Math.min(node.dirtyFrom, position);
      node.mtimeMs = this.clock.now();
    }
    if (full) throw new FileSystemError('ENOSPC', 'write', p);
  }

  /** @internal used by handles */
  resize(node: FileNode, size: number): void {
    if (size > node.data.length) {
      const grown = Buffer.alloc(size);
      node.data.copy(grown, 0, 0, node.length);
      node.data = grown;
    } else if (size > node.length) {
      node.data.fill(0, node.length, size);
    }
    this.usedBytes += size - node.length;
    node.dirtyFrom = Math.min(node.dirtyFrom, size, node.length);
    node.length = size;
    node.mtimeMs = this.clock.now();
  }

  /** @internal used by handles */
  syncFile(node: FileNode): void {
    node.durable = Buffer.from(node.data.subarray(0, node.length));
    node.dirtyFrom = Infinity;
  }

  private find(p: string): Node | undefined {
    let node: Node = this.root;
    for (const part of splitPath(p)) {
      if (node.kind !== 'dir') return undefined;
      const next: Node | undefined = node.entries.get(part);
      if (next === undefined) return undefined;
      node = next;
    }
    return node;
  }

  private lookup(p: string, syscall: string): Node {
    const node = this.find(p);
    if (node === undefined) throw new FileSystemError('ENOENT', syscall, p);
    return node;
  }

  private parentOf(p: string): { parent: DirNode; name: string } {
    const parts = splitPath(p);
    const name = parts.pop();
    if (name === undefined) throw new FileSystemError('EISDIR', 'open', p);
    const parent = this.find('/' + parts.join('/'));
    if (parent === undefined) throw new FileSystemError('ENOENT', 'open', p);
    if (parent.kind !== 'dir') throw new FileSystemError('ENOTDIR', 'open', p);
    return { parent, name };
  }
}

class MemoryFileHandle implements FileHandle {
  private closed = false;

  constructor(
    private readonly fs: MemoryFileSystem,
    private readonly node: FileNode,
    readonly path: string,
    private readonly generation: number,
    private readonly writable: boolean,
  ) {}

  private check(): void {
    if (this.closed) throw new FileSystemError('EBADF', 'handle', this.path);
    this.fs.checkGeneration(this.generation, this.path);
  }

  private checkWritable(): void {
    this.check();
    if (!this.writable) throw new FileSystemError('EBADF', 'write', this.path);
  }

  read(target: Buffer, offset: number, length: number, position: number): number {
    this.check();
    this.fs.maybeFail('read', this.path);
    const end = Math.min(position + length, this.node.length);
    if (end <= position) return 0;
    return this.node.data.copy(target, offset, position, end);
  }

  write(data: Buffer, position: number): void {
    this.checkWritable();
    this.fs.maybeFail('write', this.path);
    this.fs.writeAt(this.node, data, position, this.path);
  }

  size(): number {
    this.check();
    return this.node.length;
  }

  truncate(size: number): void {
    this.checkWritable();
    this.fs.maybeFail('truncate', this.path);
    this.fs.resize(this.node, size);
  }

  async sync(): Promise<void> {
    this.check();
    this.fs.maybeFail('sync', this.path);
    this.fs.syncFile(this.node);
  }

  close(): void {
    this.closed = true;
  }
}

function splitPath(p: string): string[] {
  return path.posix
    .resolve('/', p)
    .split('/')
    .filter((part) => part.length > 0);
}
