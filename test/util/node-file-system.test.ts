import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { errorCode, readFully } from '../../src/util/file-system.js';
import { NodeFileSystem } from '../../src/util/node-file-system.js';

describe('NodeFileSystem', () => {
  let dir: string;
  const fs = new NodeFileSystem();
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'gregor-nodefs-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes, reads, truncates and syncs a file', async () => {
    const file = fs.open(path.join(dir, 'a'), 'create');
    file.write(Buffer.from('hello world'), 0);
    file.write(Buffer.from('W'), 6);
    expect(file.size()).toBe(11);
    const target = Buffer.alloc(11);
    expect(readFully(file, target, 0, 11, 0)).toBe(11);
    expect(target.toString()).toBe('hello World');
    file.truncate(5);
    await file.sync();
    file.close();
    expect(fs.readFile(path.join(dir, 'a')).toString()).toBe('hello');
    expect(fs.stat(path.join(dir, 'a')).size).toBe(5);
  });

  it('manages directory entries and syncs directories', async () => {
    fs.mkdir(path.join(dir, 'x', 'y'));
    fs.open(path.join(dir, 'x', 'f'), 'create').close();
    fs.rename(path.join(dir, 'x', 'f'), path.join(dir, 'x', 'g'));
    expect(fs.readdir(path.join(dir, 'x')).sort()).toEqual(['g', 'y']);
    await fs.syncDir(path.join(dir, 'x'));
    fs.unlink(path.join(dir, 'x', 'g'));
    fs.rmdir(path.join(dir, 'x', 'y'));
    expect(fs.readdir(path.join(dir, 'x'))).toEqual([]);
    expect(fs.stat(path.join(dir, 'x')).isDirectory).toBe(true);
    let code: string | undefined;
    try {
      fs.open(path.join(dir, 'missing'), 'readWrite');
    } catch (err) {
      code = errorCode(err);
    }
    expect(code).toBe('ENOENT');
  });
});
