import { isNotFound, type FileHandle, type FileSystem } from '../util/file-system.js';

const INITIAL_CAPACITY_BYTES = 4096;

/**
 * Fixed-size entries of one index file, held in memory and written to the file on `persist`.
 * Kafka maps index files into memory; Node cannot, so the entries live in a Buffer that is
 * loaded on first use and may be released again (see LogSegment). Entries are written out
 * when the segment is flushed, rolled or closed: an index is only trusted after a clean
 * shutdown or below the recovery point, and anything newer is rebuilt from the log.
 */
export abstract class IndexFile {
  protected entries: Buffer | null = null;
  protected count = 0;
  /** Entries the file already holds, identical to the first `persisted` in memory. */
  private persisted = 0;
  /** The file may hold more than `persisted` entries (after a truncation or a rebuild). */
  private fileHasExtra = false;
  private handle: FileHandle | null = null;

  constructor(
    protected readonly fs: FileSystem,
    private filePath: string,
    readonly entrySize: number,
    readonly maxEntries: number,
  ) {}

  get path(): string {
    return this.filePath;
  }

  get isLoaded(): boolean {
    return this.entries !== null;
  }

  get entryCount(): number {
    return this.count;
  }

  get isFull(): boolean {
    return this.count >= this.maxEntries;
  }

  /** Reads the file into memory. False when it is missing or not a whole number of entries. */
  load(): boolean {
    let bytes: Buffer;
    try {
      bytes = this.fs.readFile(this.filePath);
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
    if (bytes.length % this.entrySize !== 0) return false;
    this.entries = bytes.length > 0 ? bytes : Buffer.alloc(INITIAL_CAPACITY_BYTES);
    this.count = bytes.length / this.entrySize;
    this.persisted = this.count;
    this.fileHasExtra = false;
    return true;
  }

  /** Starts over with no entries; the file is overwritten on the next persist. */
  reset(): void {
    this.entries = Buffer.alloc(INITIAL_CAPACITY_BYTES);
    this.count = 0;
    this.persisted = 0;
    this.fileHasExtra = true;
  }

  /** Drops the in-memory copy (the file must be persisted); the next use loads it again. */
  release(): void {
    if (this.persisted !== this.count || this.fileHasExtra) throw new Error(`releasing unpersisted index ${this.filePath}`);
    this.entries = null;
  }

  truncateToEntries(n: number): void {
    if (n >= this.count) return;
    this.count = n;
    if (n < this.persisted) {
      this.persisted = n;
      this.fileHasExtra = true;
    }
  }

  /** Writes entries not yet in the file and cuts off any the file has beyond them; true if it wrote. */
  persist(): boolean {
    if (this.entries === null || (this.persisted === this.count && !this.fileHasExtra)) return false;
    const file = this.openFile();
    if (this.count > this.persisted) {
      file.write(
        this.entries.subarray(this.persisted * this.entrySize, this.count * this.entrySize),
        this.persisted * this.entrySize,
      );
    }
    if (this.fileHasExtra) file.truncate(this.count * this.entrySize);
    this.persisted = this.count;
    this.fileHasExtra = false;
    return true;
  }

  /** Makes persisted entries durable; the file handle is only held between persist and sync. */
  async sync(): Promise<void> {
    const file = this.handle;
    if (file === null) return;
    this.handle = null;
    try {
      await file.sync();
    } finally {
      file.close();
    }
  }

  /** Points the index at a renamed file (suffix changes on delete and swap). */
  renamed(newPath: string): void {
    this.closeFile();
    this.filePath = newPath;
  }

  closeFile(): void {
    this.handle?.close();
    this.handle = null;
  }

  protected slot(): number {
    const entries = this.entries;
    if (entries === null) throw new Error(`index ${this.filePath} is not loaded`);
    const at = this.count * this.entrySize;
    if (at + this.entrySize > entries.length) {
      const grown = Buffer.alloc(Math.max(entries.length * 2, at + this.entrySize));
      entries.copy(grown, 0, 0, at);
      this.entries = grown;
    }
    this.count++;
    return at;
  }

  protected get bytes(): Buffer {
    if (this.entries === null) throw new Error(`index ${this.filePath} is not loaded`);
    return this.entries;
  }

  private openFile(): FileHandle {
    if (this.handle === null) {
      this.handle = this.fs.open(this.filePath, this.fs.exists(this.filePath) ? 'readWrite' : 'create');
    }
    return this.handle;
  }
}
