import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/util/clock.js';
import { MemoryFileSystem } from '../../src/util/memory-file-system.js';
import { SeededRandom } from '../../src/util/random.js';
import { OffsetIndex } from '../../src/storage/offset-index.js';
import { NO_TIMESTAMP, TimeIndex } from '../../src/storage/time-index.js';

function memoryFs(): MemoryFileSystem {
  const fs = new MemoryFileSystem(new ManualClock(), new SeededRandom(1));
  fs.mkdir('/p');
  return fs;
}

describe('OffsetIndex', () => {
  function index(fs = memoryFs(), maxBytes = 1024): OffsetIndex {
    const idx = new OffsetIndex(fs, '/p/00000000000000000100.index', 100, maxBytes);
    idx.reset();
    return idx;
  }

  it('finds the last entry at or before an offset, or the segment start', () => {
    const idx = index();
    idx.append(105, 0);
    idx.append(110, 4200);
    idx.append(130, 9000);
    expect(idx.lookup(99)).toEqual({ offset: 100, position: 0 });
    expect(idx.lookup(104)).toEqual({ offset: 100, position: 0 });
    expect(idx.lookup(110)).toEqual({ offset: 110, position: 4200 });
    expect(idx.lookup(129)).toEqual({ offset: 110, position: 4200 });
    expect(idx.lookup(1_000)).toEqual({ offset: 130, position: 9000 });
    expect(idx.lookupByPosition(4199)).toEqual({ offset: 105, position: 0 });
    expect(idx.lookupByPosition(9000)).toEqual({ offset: 130, position: 9000 });
    expect(idx.lastOffset).toBe(130);
  });

  it('stores relative offset and position as two big-endian u32 per entry', () => {
    const fs = memoryFs();
    const idx = index(fs);
    idx.append(105, 7);
    idx.append(300, 0x01020304);
    idx.persist();
    expect(fs.readFile(idx.path).toString('hex')).toBe('00000005' + '00000007' + '000000c8' + '01020304');
  });

  it('rejects entries out of order or beyond the int32 relative range', () => {
    const idx = index();
    idx.append(105, 0);
    expect(() => idx.append(105, 10)).toThrow();
    expect(idx.canAppendOffset(100 + 0x7fffffff)).toBe(true);
    expect(idx.canAppendOffset(100 + 0x80000000)).toBe(false);
    expect(idx.canAppendOffset(99)).toBe(false);
  });

  it('is full at segment.index.bytes / 8 entries', () => {
    const idx = index(memoryFs(), 24);
    idx.append(101, 0);
    idx.append(102, 10);
    expect(idx.isFull).toBe(false);
    idx.append(103, 20);
    expect(idx.isFull).toBe(true);
  });

  it('truncates entries at or after an offset, in memory and in the file', () => {
    const fs = memoryFs();
    const idx = index(fs);
    idx.append(105, 0);
    idx.append(110, 100);
    idx.append(120, 200);
    idx.persist();
    idx.truncateTo(110);
    expect(idx.entryCount).toBe(1);
    idx.append(111, 150);
    idx.persist();
    expect(fs.readFile(idx.path).length).toBe(16);
    const reloaded = new OffsetIndex(fs, idx.path, 100, 1024);
    expect(reloaded.load()).toBe(true);
    expect(reloaded.lookup(200)).toEqual({ offset: 111, position: 150 });
  });

  it('refuses to load a file that is not whole entries, and checks consistency', () => {
    const fs = memoryFs();
    fs.open('/p/00000000000000000100.index', 'create').write(Buffer.alloc(12), 0);
    const idx = new OffsetIndex(fs, '/p/00000000000000000100.index', 100, 1024);
    expect(idx.load()).toBe(false);
    const ok = index(fs);
    ok.append(101, 10);
    ok.append(102, 20);
    expect(ok.isConsistentWith(100, Infinity)).toBe(true);
    expect(ok.isConsistentWith(20, Infinity)).toBe(false);
    expect(ok.isConsistentWith(100, 102)).toBe(false);
  });

  it('releases its memory once persisted and reloads on demand', () => {
    const fs = memoryFs();
    const idx = index(fs);
    idx.append(101, 10);
    expect(() => idx.release()).toThrow();
    idx.persist();
    idx.release();
    expect(idx.isLoaded).toBe(false);
    expect(idx.load()).toBe(true);
    expect(idx.lookup(101)).toEqual({ offset: 101, position: 10 });
  });
});

describe('TimeIndex', () => {
  function index(fs = memoryFs(), maxBytes = 1200): TimeIndex {
    const idx = new TimeIndex(fs, '/p/00000000000000000100.timeindex', 100, maxBytes);
    idx.reset();
    return idx;
  }

  it('only appends timestamps that move forward', () => {
    const idx = index();
    idx.maybeAppend(1_000, 101);
    idx.maybeAppend(1_000, 102);
    idx.maybeAppend(900, 103);
    idx.maybeAppend(2_000, 104);
    expect(idx.entryCount).toBe(2);
    expect(idx.lastEntry).toEqual({ timestamp: 2_000, offset: 104 });
  });

  it('finds the last entry at or before a timestamp', () => {
    const idx = index();
    idx.maybeAppend(1_000, 101);
    idx.maybeAppend(2_000, 110);
    expect(idx.lookup(999)).toEqual({ timestamp: NO_TIMESTAMP, offset: 100 });
    expect(idx.lookup(1_500)).toEqual({ timestamp: 1_000, offset: 101 });
    expect(idx.lookup(5_000)).toEqual({ timestamp: 2_000, offset: 110 });
  });

  it('stores timestamp i64 and relative offset u32, and reads the last entry from the file', () => {
    const fs = memoryFs();
    const idx = index(fs);
    idx.maybeAppend(0x0102030405, 103);
    idx.persist();
    expect(fs.readFile(idx.path).toString('hex')).toBe('0000000102030405' + '00000003');
    const other = new TimeIndex(fs, idx.path, 100, 1200);
    expect(other.readLastEntry()).toEqual({ timestamp: 0x0102030405, offset: 103 });
  });

  it('keeps the last slot free for the entry written on roll', () => {
    const idx = index(memoryFs(), 36);
    idx.maybeAppend(1, 101);
    idx.maybeAppend(2, 102);
    expect(idx.isFull).toBe(true);
    expect(() => idx.maybeAppend(3, 103)).toThrow();
    idx.maybeAppend(3, 103, true);
    expect(idx.entryCount).toBe(3);
  });

  it('truncates entries at or after an offset', () => {
    const idx = index();
    idx.maybeAppend(1, 101);
    idx.maybeAppend(2, 105);
    idx.truncateTo(105);
    expect(idx.lastEntry).toEqual({ timestamp: 1, offset: 101 });
    expect(idx.isConsistentWith(102)).toBe(true);
    expect(idx.isConsistentWith(101)).toBe(false);
  });
});
