import { describe, expect, it } from 'vitest';
import { AtomicFile } from '../../src/util/atomic-file.js';
import { ManualClock } from '../../src/util/clock.js';
import { MemoryFileSystem } from '../../src/util/memory-file-system.js';
import { SeededRandom } from '../../src/util/random.js';

describe('AtomicFile', () => {
  it('replaces content durably and reads null when absent', async () => {
    const fs = new MemoryFileSystem(new ManualClock(), new SeededRandom(1));
    fs.mkdir('/d');
    await fs.syncDir('/');
    const file = new AtomicFile(fs, '/d/checkpoint');
    expect(file.read()).toBeNull();
    await file.write(Buffer.from('one'));
    fs.crash();
    expect(file.read()?.toString()).toBe('one');
    expect(fs.readdir('/d')).toEqual(['checkpoint']);
  });

  it('runs overlapping writes one after the other, the last one winning', async () => {
    const fs = new MemoryFileSystem(new ManualClock(), new SeededRandom(1));
    fs.mkdir('/d');
    const file = new AtomicFile(fs, '/d/c');
    await Promise.all([file.write(Buffer.from('a')), file.write(Buffer.from('b')), file.write(Buffer.from('c'))]);
    expect(file.read()?.toString()).toBe('c');
  });

  it('never leaves a mix of old and new content after a crash mid-write', async () => {
    for (let seed = 1; seed <= 30; seed++) {
      const fs = new MemoryFileSystem(new ManualClock(), new SeededRandom(seed));
      fs.mkdir('/d');
      await fs.syncDir('/');
      const file = new AtomicFile(fs, '/d/c');
      await file.write(Buffer.from('old content'));
      fs.failNext('sync');
      await expect(file.write(Buffer.from('new content!'))).rejects.toThrow();
      fs.crash();
      expect(file.read()?.toString()).toBe('old content');
    }
  });
});
