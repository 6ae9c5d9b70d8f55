import path from 'node:path';
import { isNotFound, type FileSystem } from './file-system.js';

/** Suffix of the temporary file a replacement is written to before the rename. */
export const TEMP_SUFFIX = '.tmp';

/**
 * Replaces a small file so that a crash leaves either the old or the new content, never a mix:
 * write a temporary file, fsync it, rename it over the target, fsync the directory.
 */
async function writeFileAtomically(fs: FileSystem, target: string, data: Buffer): Promise<void> {
  const temp = target + TEMP_SUFFIX;
  const file = fs.open(temp, 'create');
  try {
    file.write(data, 0);
    await file.sync();
  } finally {
    file.close();
  }
  fs.rename(temp, target);
  await fs.syncDir(path.dirname(target));
}

/**
 * One small durable file (a checkpoint, a metadata file). Replacements run one at a time in the
 * order they were asked for, so two writers never share the temporary file.
 */
export class AtomicFile {
  private last: Promise<void> = Promise.resolve();

  constructor(
    private readonly fs: FileSystem,
    readonly path: string,
  ) {}

  write(data: Buffer): Promise<void> {
    const next = this.last.then(() => writeFileAtomically(this.fs, this.path, data));
    this.last = next.catch(() => undefined);
    return next;
  }

  /** The current content, or null when the file does not exist. */
  read(): Buffer | null {
    try {
      return this.fs.readFile(this.path);
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
  }
}
