import fs from 'node:fs';
import type { FileHandle, FileStat, FileSystem, OpenMode } from './file-system.js';

const OPEN_FLAGS: Record<OpenMode, number> = {
  read: fs.constants.O_RDONLY,
  readWrite: fs.constants.O_RDWR,
  create: fs.constants.O_RDWR | fs.constants.O_CREAT | fs.constants.O_TRUNC,
};

class NodeFileHandle implements FileHandle {
  constructor(
    readonly path: string,
    private readonly fd: number,
  ) {}

  read(target: Buffer, offset: number, length: number, position: number): number {
    return fs.readSync(this.fd, target, offset, length, position);
  }

  write(data: Buffer, position: number): void {
    let done = 0;
    while (done < data.length) {
      done += fs.writeSync(this.fd, data, done, data.length - done, position + done);
    }
  }

  size(): number {
    return fs.fstatSync(this.fd).size;
  }

  truncate(size: number): void {
    fs.ftruncateSync(this.fd, size);
  }

  sync(): Promise<void> {
    return new Promise((resolve, reject) => fs.fsync(this.fd, (err) => (err ? reject(err) : resolve())));
  }

  close(): void {
    fs.closeSync(this.fd);
  }
}

/** The FileSystem port on Node's fs: synchronous calls except the two that wait for the device. */
export class NodeFileSystem implements FileSystem {
  open(path: string, mode: OpenMode): FileHandle {
    return new NodeFileHandle(path, fs.openSync(path, OPEN_FLAGS[mode], 0o644));
  }

  readFile(path: string): Buffer {
    return fs.readFileSync(path);
  }

  exists(path: string): boolean {
    return fs.existsSync(path);
  }

  stat(path: string): FileStat {
    const s = fs.statSync(path);
    return { size: s.size, mtimeMs: Math.floor(s.mtimeMs), isDirectory: s.isDirectory() };
  }

  readdir(path: string): string[] {
    return fs.readdirSync(path);
  }

  mkdir(path: string): void {
    fs.mkdirSync(path, { recursive: true });
  }

  rename(from: string, to: string): void {
    fs.renameSync(from, to);
  }

  unlink(path: string): void {
    fs.unlinkSync(path);
  }

  rmdir(path: string): void {
    fs.rmdirSync(path);
  }

  async syncDir(path: string): Promise<void> {
    const dir = await fs.promises.open(path, 'r');
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
  }
}
