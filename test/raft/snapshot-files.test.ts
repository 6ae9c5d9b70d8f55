import { describe, expect, it } from 'vitest';
import { decodeBatchRecords } from '../../src/protocol/records/batch-records.js';
import { ControlRecordType, readControlRecordKey } from '../../src/protocol/records/control-record.js';
import { CorruptRaftLogError } from '../../src/raft/raft-client.js';
import { splitRecordBatches } from '../../src/raft/record-batches.js';
import { SnapshotFiles, parseSnapshotFileName, snapshotFileName } from '../../src/raft/snapshot-files.js';
import { ManualClock } from '../../src/util/clock.js';
import { MemoryFileSystem } from '../../src/util/memory-file-system.js';
import { SeededRandom } from '../../src/util/random.js';
import { values } from './support.js';

const DIR = '/meta';

async function files(seed = 1) {
  const clock = new ManualClock(5_000);
  const fs = new MemoryFileSystem(clock, new SeededRandom(seed));
  fs.mkdir(DIR);
  await fs.syncDir('/');
  return { fs, snapshots: new SnapshotFiles(fs, DIR) };
}

describe('snapshot files', () => {
  it("are named <20-digit end offset>-<10-digit epoch>.checkpoint, as Kafka's", () => {
    expect(snapshotFileName({ endOffset: 1234, epoch: 7 })).toBe('00000000000000001234-0000000007.checkpoint');
    expect(parseSnapshotFileName('00000000000000001234-0000000007.checkpoint')).toEqual({ endOffset: 1234, epoch: 7 });
    expect(parseSnapshotFileName('00000000000000001234-0000000007.checkpoint.part')).toBeNull();
    expect(parseSnapshotFileName('00000000000000001234.log')).toBeNull();
  });

  it('hold a header batch, the data batches and a footer batch, all at the snapshot epoch', async () => {
    const { fs, snapshots } = await files();
    await snapshots.write({ endOffset: 10, epoch: 3 }, 4_000, values('a', 'b', 'c'), 5_000);
    const batches = splitRecordBatches(fs.readFile(`${DIR}/00000000000000000010-0000000003.checkpoint`));
    const kinds = batches.map((b) => {
      const records = decodeBatchRecords(b);
      return b.isControl ? readControlRecordKey(records[0].key).type : records.map((r) => r.value!.toString()).join('');
    });
    expect(kinds).toEqual([ControlRecordType.SnapshotHeader, 'abc', ControlRecordType.SnapshotFooter]);
    expect(batches.map((b) => b.baseOffset)).toEqual([0, 1, 4]);
    expect(batches.every((b) => b.partitionLeaderEpoch === 3)).toBe(true);
  });

  it('read back what was written, with the header timestamp', async () => {
    const { snapshots } = await files();
    const records = Array.from({ length: 3000 }, (_, i) => Buffer.alloc(1000, i % 251));
    await snapshots.write({ endOffset: 99, epoch: 2 }, 4_000, records, 5_000);
    const reader = snapshots.open({ endOffset: 99, epoch: 2 });
    expect(reader.lastContainedLogTimestamp).toBe(4_000);
    const read = [...reader.records()];
    expect(read).toHaveLength(records.length);
    expect(read.every((r, i) => r.equals(records[i]))).toBe(true);
  });

  it('list the complete snapshots, oldest first, and remove what an interrupted write left', async () => {
    const { fs, snapshots } = await files();
    await snapshots.write({ endOffset: 20, epoch: 2 }, 0, values('x'), 0);
    await snapshots.write({ endOffset: 5, epoch: 1 }, 0, values('y'), 0);
    fs.open(`${DIR}/00000000000000000030-0000000002.checkpoint.part`, 'create').close();
    expect(snapshots.list()).toEqual([
      { endOffset: 5, epoch: 1 },
      { endOffset: 20, epoch: 2 },
    ]);
    snapshots.removeLeftovers();
    expect(fs.readdir(DIR)).toEqual(['00000000000000000005-0000000001.checkpoint', '00000000000000000020-0000000002.checkpoint']);
    expect(snapshots.latest()).toEqual({ endOffset: 20, epoch: 2 });
  });

  it('never appear half-written after a crash', async () => {
    for (let seed = 1; seed <= 20; seed++) {
      const { fs, snapshots } = await files(seed);
      const writing = snapshots.write({ endOffset: 8, epoch: 1 }, 0, values('p', 'q'), 0);
      fs.crash();
      await writing.catch(() => undefined);
      const names = fs.readdir(DIR).filter((n) => n.endsWith('.checkpoint'));
      for (const name of names) expect([...snapshots.open(parseSnapshotFileName(name)!).records()].map(String)).toEqual(['p', 'q']);
    }
  });

  it('report a corrupt or incomplete file in one line naming it', async () => {
    const { fs, snapshots } = await files();
    const id = { endOffset: 10, epoch: 3 };
    await snapshots.write(id, 0, values('a', 'b'), 0);
    const path = `${DIR}/00000000000000000010-0000000003.checkpoint`;
    const whole = fs.readFile(path);
    const footerSize = splitRecordBatches(whole).at(-1)!.sizeInBytes;

    const rewrite = (bytes: Buffer) => {
      const file = fs.open(path, 'create');
      file.write(bytes, 0);
      file.close();
    };
    rewrite(whole.subarray(0, whole.length - footerSize));
    expect(() => [...snapshots.open(id).records()]).toThrow(new CorruptRaftLogError(`corrupt snapshot ${path}: no snapshot footer: the file is incomplete`));

    const flipped = Buffer.from(whole);
    flipped[flipped.length - footerSize - 3] ^= 0xff;
    rewrite(flipped);
    expect(() => [...snapshots.open(id).records()]).toThrow(/^corrupt snapshot \/meta\/00000000000000000010-0000000003\.checkpoint: batch at byte \d+: CRC mismatch/);

    rewrite(Buffer.alloc(0));
    expect(() => snapshots.open(id)).toThrow(`corrupt snapshot ${path}: empty file`);
  });
});
