import path from 'node:path';
import { AtomicFile } from '../../util/atomic-file.js';
import { isNotFound, type FileSystem } from '../../util/file-system.js';
import { offsetFileName, parseSegmentFileName } from '../file-names.js';
import type { SnapshotStore } from './producer-state-manager.js';

export const SNAPSHOT_SUFFIX = '.snapshot';

interface Snapshot {
  /** Bytes not yet on disk, or null once the file is durable. */
  pending: Buffer | null;
}

/**
 * The `<20-digit offset>.snapshot` files of a partition directory. A new snapshot is held in
 * memory and written (tmp -> fsync -> rename -> fsync dir) by `writePending`, which the log calls
 * when it flushes: a roll happens in the middle of an append, which must not wait for a disk.
 */
export class SnapshotFiles implements SnapshotStore {
  private readonly snapshots = new Map<number, Snapshot>();

  constructor(
    private readonly fs: FileSystem,
    private readonly dir: string,
    /** Called when a file was removed, so the log syncs its directory at the next flush. */
    public onDirChange: () => void = () => {},
  ) {
    for (const name of fs.readdir(dir)) {
      const parsed = parseSegmentFileName(name);
      if (parsed !== null && parsed.suffix === SNAPSHOT_SUFFIX) this.snapshots.set(parsed.baseOffset, { pending: null });
    }
  }

  private fileOf(offset: number): string {
    return path.join(this.dir, offsetFileName(offset, SNAPSHOT_SUFFIX));
  }

  offsets(): number[] {
    return [...this.snapshots.keys()].sort((a, b) => a - b);
  }

  get hasPending(): boolean {
    for (const snapshot of this.snapshots.values()) if (snapshot.pending !== null) return true;
    return false;
  }

  read(offset: number): Buffer {
    const snapshot = this.snapshots.get(offset);
    if (snapshot === undefined) throw new Error(`no producer snapshot at offset ${offset} in ${this.dir}`);
    return snapshot.pending ?? this.fs.readFile(this.fileOf(offset));
  }

  write(offset: number, bytes: Buffer): void {
    this.snapshots.set(offset, { pending: bytes });
  }

  delete(offset: number): void {
    const snapshot = this.snapshots.get(offset);
    if (snapshot === undefined) return;
    this.snapshots.delete(offset);
    if (snapshot.pending !== null) return;
    try {
      this.fs.unlink(this.fileOf(offset));
      this.onDirChange();
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  /** Makes the snapshots taken since the last call durable, in offset order. */
  async writePending(): Promise<void> {
    for (const offset of this.offsets()) {
      const snapshot = this.snapshots.get(offset);
      const bytes = snapshot?.pending ?? null;
      if (snapshot === undefined || bytes === null) continue;
      await new AtomicFile(this.fs, this.fileOf(offset)).write(bytes);
      if (this.snapshots.get(offset) === snapshot) {
        if (snapshot.pending === bytes) snapshot.pending = null;
      } else if (!this.snapshots.has(offset)) {
        // Deleted (a truncation) while it was being written.
        this.fs.unlink(this.fileOf(offset));
        this.onDirChange();
      }
    }
  }

  /** Forgets snapshots not yet written (the log is abandoned). */
  dropPending(): void {
    for (const [offset, snapshot] of this.snapshots) if (snapshot.pending !== null) this.snapshots.delete(offset);
  }
}
