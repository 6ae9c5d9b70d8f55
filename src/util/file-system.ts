/**
 * The file operations storage needs, as a port: the broker uses the Node adapter
 * (node-file-system.ts), tests and simulations the in-memory one (memory-file-system.ts), which
 * can crash and lose what was never synced.
 *
 * Reads, writes, truncation and directory changes are synchronous: on a page-cache write they
 * take microseconds, less than a thread-pool round trip. Only the operations that wait for the
 * device (`sync`, `syncDir`) return promises.
 */
export interface FileSystem {
  /** `read`: an existing file, read-only. `readWrite`: an existing file. `create`: created or emptied. */
  open(path: string, mode: OpenMode): FileHandle;
  readFile(path: string): Buffer;
  exists(path: string): boolean;
  stat(path: string): FileStat;
  /** Names (not paths) of the entries of a directory. */
  readdir(path: string): string[];
  /** Creates the directory and any missing parents; an existing directory is fine. */
  mkdir(path: string): void;
  /** Replaces `to` if it exists. */
  rename(from: string, to: string): void;
  unlink(path: string): void;
  /** Removes an empty directory. */
  rmdir(path: string): void;
  /** Makes the directory's entries (files created, renamed, removed in it) durable. */
  syncDir(path: string): Promise<void>;
}

export type OpenMode = 'read' | 'readWrite' | 'create';

export interface FileStat {
  size: number;
  mtimeMs: number;
  isDirectory: boolean;
}

export interface FileHandle {
  readonly path: string;
  /** Reads up to `length` bytes at file `position` into `target` at `offset`; fewer at end of file. */
  read(target: Buffer, offset: number, length: number, position: number): number;
  /** Writes all of `data` at file `position`. */
  write(data: Buffer, position: number): void;
  size(): number;
  truncate(size: number): void;
  /** Makes the file's data and size durable. */
  sync(): Promise<void>;
  close(): void;
}

/** The POSIX code of a file-system error (`ENOENT`, `ENOSPC`, ...), as Node reports it. */
export function errorCode(err: unknown): string | undefined {
  if (typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string') return err.code;
  return undefined;
}

export function isNotFound(err: unknown): boolean {
  return errorCode(err) === 'ENOENT';
}

/** An error shaped like Node's, for file systems other than the Node adapter. */
export class FileSystemError extends Error {
  constructor(
    readonly code: string,
    readonly syscall: string,
    readonly path: string,
  ) {
    super(`${code}: ${syscall} '${path}'`);
    this.name = 'FileSystemError';
  }
}

/** Reads exactly `length` bytes at `position`, or fewer only at end of file. */
export function readFully(file: FileHandle, target: Buffer, offset: number, length: number, position: number): number {
  let done = 0;
  while (done < length) {
    const n = file.read(target, offset + done, length - done, position + done);
    if (n === 0) break;
    done += n;
  }
  return done;
}
