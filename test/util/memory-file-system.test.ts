import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/util/clock.js';
import { errorCode } from '../../src/util/file-system.js';
import { MemoryFileSystem } from '../../src/util/memory-file-system.js';
import { SeededRandom } from '../../src/util/random.js';

async function freshFs(seed = 1): Promise<MemoryFileSystem> {
  const fs = new MemoryFileSystem(new ManualClock(1_000), new SeededRandom(seed));
  fs.mkdir('/d');
  await fs.syncDir('/');
  return fs;
}

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return errorCode(err);
  }
  return undefined;
}

describe('MemoryFileSystem', () => {
  it('reads back what was written, at any position', async () => {
    const fs = await freshFs();
    const f = fs.open('/d/a', 'create');
    f.write(Buffer.from('hello'), 0);
    f.write(Buffer.from('XY'), 7);
    expect(f.size()).toBe(9);
    expect(fs.readFile('/d/a')).toEqual(Buffer.from('hello\0\0XY'));
    const target = Buffer.alloc(4);
    expect(f.read(target, 0, 4, 7)).toBe(2);
    f.truncate(3);
    expect(fs.readFile('/d/a').toString()).toBe('hel');
    expect(fs.stat('/d/a')).toMatchObject({ size: 3, isDirectory: false, mtimeMs: 1_000 });
  });

  it('gives each process a view that dies with the next crash, while a process started after it works', async () => {
    const fs = await freshFs();
    const crashed = fs.process();
    crashed.open('/d/a', 'create').close();
    fs.crash();
    expect(codeOf(() => crashed.open('/d/b', 'create'))).toBe('EBADF');
    expect(codeOf(() => crashed.rename('/d/a', '/d/c'))).toBe('EBADF');
    await expect(crashed.syncDir('/d')).rejects.toMatchObject({ code: 'EBADF' });
    const restarted = fs.process();
    restarted.open('/d/b', 'create').close();
    expect(restarted.readdir('/d')).toEqual(['b']);
  });

  it('lists, renames and removes entries', async () => {
    const fs = await freshFs();
    fs.open('/d/b', 'create').close();
    fs.open('/d/a', 'create').close();
    expect(fs.readdir('/d')).toEqual(['a', 'b']);
    fs.rename('/d/a', '/d/c');
    expect(fs.readdir('/d')).toEqual(['b', 'c']);
    fs.unlink('/d/b');
    expect(fs.exists('/d/b')).toBe(false);
    expect(codeOf(() => fs.open('/d/b', 'read'))).toBe('ENOENT');
    expect(codeOf(() => fs.rmdir('/d'))).toBe('ENOTEMPTY');
    fs.unlink('/d/c');
    fs.rmdir('/d');
    expect(fs.exists('/d')).toBe(false);
  });

  it('keeps synced data and entries through a crash and loses the rest', async () => {
    const fs = await freshFs();
    const f = fs.open('/d/kept', 'create');
    f.write(Buffer.from('durable'), 0);
    await f.sync();
    await fs.syncDir('/d');
    fs.open('/d/lost', 'create').write(Buffer.from('never synced'), 0);
    fs.crash();
    expect(fs.readdir('/d')).toEqual(['kept']);
    expect(fs.readFile('/d/kept').toString()).toBe('durable');
    expect(codeOf(() => f.size())).toBe('EBADF');
  });

  it('brings back renamed and removed entries whose directory was not synced', async () => {
    const fs = await freshFs();
    fs.open('/d/a', 'create').close();
    await fs.syncDir('/d');
    fs.rename('/d/a', '/d/b');
    fs.crash();
    expect(fs.readdir('/d')).toEqual(['a']);
    fs.unlink('/d/a');
    fs.crash();
    expect(fs.readdir('/d')).toEqual(['a']);
  });

  it('leaves an unsynced tail as nothing, a prefix, or a prefix ending in zeros', async () => {
    const outcomes = new Set<string>();
    for (let seed = 1; seed <= 60; seed++) {
      const fs = await freshFs(seed);
      const f = fs.open('/d/f', 'create');
      f.write(Buffer.from('AAAA'), 0);
      await f.sync();
      await fs.syncDir('/d');
      f.write(Buffer.from('BBBBBBBB'), 4);
      fs.crash();
      const content = fs.readFile('/d/f').toString('latin1');
      expect(content.startsWith('AAAA')).toBe(true);
      expect(/^AAAAB*\0*$/.test(content)).toBe(true);
      outcomes.add(content.length === 4 ? 'none' : content.includes('\0') ? 'zeros' : 'prefix');
    }
    expect(outcomes).toEqual(new Set(['none', 'prefix', 'zeros']));
  });

  it('fails writes beyond its capacity with ENOSPC after writing what fits', async () => {
    const fs = await freshFs();
    fs.capacity = 10;
    const f = fs.open('/d/f', 'create');
    f.write(Buffer.alloc(6, 1), 0);
    expect(codeOf(() => f.write(Buffer.alloc(6, 2), 6))).toBe('ENOSPC');
    expect(f.size()).toBe(10);
    expect(fs.used).toBe(10);
  });

  it('injects a single failure into the next matching operation', async () => {
    const fs = await freshFs();
    const f = fs.open('/d/f', 'create');
    fs.failNext('write', 'EIO');
    expect(codeOf(() => f.write(Buffer.from('x'), 0))).toBe('EIO');
    f.write(Buffer.from('x'), 0);
    fs.failNext('sync');
    await expect(f.sync()).rejects.toMatchObject({ code: 'EIO' });
    fs.failNext('write', 'ENOSPC', 2);
    f.write(Buffer.from('a'), 0);
    f.write(Buffer.from('b'), 0);
    expect(codeOf(() => f.write(Buffer.from('c'), 0))).toBe('ENOSPC');
    fs.failNext('write');
    fs.clearFaults();
    f.write(Buffer.from('d'), 0);
  });

  it('refuses writes through a read-only handle', async () => {
    const fs = await freshFs();
    fs.open('/d/f', 'create').close();
    const f = fs.open('/d/f', 'read');
    expect(codeOf(() => f.write(Buffer.from('x'), 0))).toBe('EBADF');
  });
});
