import { describe, expect, it } from 'vitest';
import { createQuorumStateData } from '../../src/protocol/generated/raft/quorum-state-data.js';
import { QuorumStateFile } from '../../src/raft/quorum-state.js';
import { BatchTooLargeError, CorruptRaftLogError, NotLeaderError, UnexpectedBaseOffsetError } from '../../src/raft/raft-client.js';
import { NODE_ID, RaftEnv, RecordingListener, leaderChanges, readWholeLog, values } from './support.js';

const PARTITION_DIR = '/data/meta/__cluster_metadata-0';

describe('SingleNodeRaft', () => {
  it('starts epoch 1 with a LeaderChange batch, committed, and records the vote in quorum-state', async () => {
    const env = new RaftEnv();
    const log = await env.openLog();
    const raft = await env.startRaft(log);
    expect(raft.leaderAndEpoch).toEqual({ leaderId: NODE_ID, epoch: 1 });
    expect([raft.highWatermark, raft.endOffset]).toEqual([1, 1]);
    const [change] = leaderChanges(readWholeLog(log));
    expect(change).toMatchObject({ offset: 0, epoch: 1, message: { leaderId: NODE_ID, voters: [{ voterId: NODE_ID }], grantingVoters: [{ voterId: NODE_ID }] } });
    expect(JSON.parse(env.fs.readFile(`${PARTITION_DIR}/quorum-state`).toString())).toEqual({
      clusterId: '',
      leaderId: NODE_ID,
      leaderEpoch: 1,
      votedId: NODE_ID,
      appliedOffset: 0,
      currentVoters: [{ voterId: NODE_ID }],
      data_version: 0,
    });
  });

  it('gives each batch its offsets at once and commits batches in order once fsynced', async () => {
    const env = new RaftEnv();
    const raft = await env.startRaft();
    const listener = new RecordingListener();
    raft.register(listener);
    const first = raft.append(values('a', 'b'), { epoch: 1, baseOffset: 1 });
    const second = raft.append(values('c'), { epoch: 1, baseOffset: 3 });
    expect([first.baseOffset, first.lastOffset, second.baseOffset, second.lastOffset]).toEqual([1, 2, 3, 3]);
    expect(raft.highWatermark).toBe(1);

    const order: string[] = [];
    await Promise.all([first.committed.then(() => order.push('first')), second.committed.then(() => order.push('second'))]);
    expect(order).toEqual(['first', 'second']);
    expect(raft.highWatermark).toBe(4);
    expect(listener.dataBatches).toEqual([['a', 'b'], ['c']]);
    expect(listener.batches.map((b) => [b.baseOffset, b.lastOffset, b.epoch, b.isControl])).toEqual([
      [0, 0, 1, true],
      [1, 2, 1, false],
      [3, 3, 1, false],
    ]);
    expect(listener.leaders).toEqual([{ leaderId: NODE_ID, epoch: 1 }]);
  });

  it('hands a listener its commits before the appender learns of them', async () => {
    const env = new RaftEnv();
    const raft = await env.startRaft();
    const listener = new RecordingListener();
    raft.register(listener);
    const seenAtCommit: number[] = [];
    const appended = raft.append(values('x'), { epoch: 1, baseOffset: 1 });
    await appended.committed.then(() => seenAtCommit.push(listener.batches.length));
    expect(seenAtCommit).toEqual([2]);
  });

  it('bumps the epoch at every start and writes a LeaderChange batch at the new epoch', async () => {
    const env = new RaftEnv();
    const log = await env.openLog();
    const raft = await env.startRaft(log);
    await raft.append(values('one'), { epoch: 1, baseOffset: 1 }).committed;
    await raft.close();

    const reopened = await env.openLog();
    const restarted = await env.startRaft(reopened);
    expect(restarted.leaderAndEpoch).toEqual({ leaderId: NODE_ID, epoch: 2 });
    expect(leaderChanges(readWholeLog(reopened)).map((c) => [c.offset, c.epoch])).toEqual([
      [0, 1],
      [2, 2],
    ]);
    const listener = new RecordingListener();
    restarted.register(listener);
    expect(listener.dataBatches).toEqual([['one']]);
    expect(listener.leaders).toEqual([{ leaderId: NODE_ID, epoch: 2 }]);
    expect(new QuorumStateFile(env.fs, PARTITION_DIR).read()?.leaderEpoch).toBe(2);
  });

  it('starts above the epoch in quorum-state even when the log has no batch of it', async () => {
    const env = new RaftEnv();
    const log = await env.openLog();
    await new QuorumStateFile(env.fs, log.dir).write(createQuorumStateData({ leaderId: NODE_ID, leaderEpoch: 7, votedId: NODE_ID }));
    const raft = await env.startRaft(log);
    expect(raft.leaderAndEpoch.epoch).toBe(8);
  });

  it('refuses a quorum-state that names other voters', async () => {
    const env = new RaftEnv();
    const log = await env.openLog();
    await new QuorumStateFile(env.fs, log.dir).write(
      createQuorumStateData({ leaderEpoch: 3, currentVoters: [{ voterId: NODE_ID }, { voterId: 2 }] }),
    );
    await expect(env.startRaft(log)).rejects.toThrow(`${PARTITION_DIR}/quorum-state names voters 1,2, but this quorum is node 1 alone`);
  });

  it('appends nothing for a stale epoch, an unexpected offset, an empty or an oversized batch', async () => {
    const env = new RaftEnv(1, { segmentBytes: 4096 });
    const raft = await env.startRaft();
    expect(() => raft.append(values('a'), { epoch: 2, baseOffset: 1 })).toThrow(NotLeaderError);
    expect(() => raft.append(values('a'), { epoch: 1, baseOffset: 5 })).toThrow(UnexpectedBaseOffsetError);
    expect(() => raft.append([], { epoch: 1, baseOffset: 1 })).toThrow(RangeError);
    expect(() => raft.append([Buffer.alloc(5000)], { epoch: 1, baseOffset: 1 })).toThrow(BatchTooLargeError);
    expect(raft.endOffset).toBe(1);
    await raft.append(values('fine'), { epoch: 1, baseOffset: 1 }).committed;
    expect(env.fatalErrors).toEqual([]);
  });

  it('resigns into a new epoch in which the earlier batches are committed too', async () => {
    const env = new RaftEnv();
    const raft = await env.startRaft();
    const listener = new RecordingListener();
    raft.register(listener);
    const appended = raft.append(values('before'), { epoch: 1, baseOffset: 1 });
    raft.resign(1);
    expect(raft.leaderAndEpoch.leaderId).toBeNull();
    expect(() => raft.append(values('refused'), { epoch: 1, baseOffset: 2 })).toThrow(NotLeaderError);
    await appended.committed;
    await until(() => listener.leaders.length === 2);
    expect(listener.leaders).toEqual([
      { leaderId: NODE_ID, epoch: 1 },
      { leaderId: NODE_ID, epoch: 2 },
    ]);
    expect(raft.leaderAndEpoch).toEqual({ leaderId: NODE_ID, epoch: 2 });
    expect(listener.dataBatches).toEqual([['before']]);
    raft.resign(1);
    expect(raft.leaderAndEpoch).toEqual({ leaderId: NODE_ID, epoch: 2 });
  });

  it('fails for good when an fsync fails: pending batches fail, later appends are refused', async () => {
    const env = new RaftEnv();
    const raft = await env.startRaft();
    env.fs.failNext('sync');
    const appended = raft.append(values('lost'), { epoch: 1, baseOffset: 1 });
    await expect(appended.committed).rejects.toThrow(/EIO/);
    expect(env.fatalErrors).toHaveLength(1);
    expect(raft.leaderAndEpoch.leaderId).toBeNull();
    expect(() => raft.append(values('later'), { epoch: 1, baseOffset: 2 })).toThrow(/the quorum failed/);
  });

  it('treats a listener that throws on a commit as fatal', async () => {
    const env = new RaftEnv();
    const raft = await env.startRaft();
    const listener = new RecordingListener();
    raft.register(listener);
    listener.handleCommit = () => {
      throw new Error('listener broke');
    };
    await expect(raft.append(values('x'), { epoch: 1, baseOffset: 1 }).committed).rejects.toThrow('listener broke');
    expect(env.fatalErrors.map((e) => e.message)).toEqual(['listener broke']);
  });

  it('names the file and offset of a committed batch that cannot be read back', async () => {
    const env = new RaftEnv();
    const raft = await env.startRaft();
    await raft.append(values('good'), { epoch: 1, baseOffset: 1 }).committed;
    const segment = env.fs.open(`${PARTITION_DIR}/00000000000000000000.log`, 'readWrite');
    const at = segment.size() - 2;
    const byte = Buffer.alloc(1);
    segment.read(byte, 0, 1, at);
    segment.write(Buffer.from([byte[0] ^ 0xff]), at);
    segment.close();
    const register = () => raft.register(new RecordingListener());
    expect(register).toThrow(CorruptRaftLogError);
    expect(register).toThrow(new RegExp(`^corrupt Raft log ${PARTITION_DIR}/00000000000000000000\\.log at offset 1: CRC mismatch`));
  });
});

describe('SingleNodeRaft snapshots', () => {
  it('writes a snapshot, lets the log before it go, and starts new listeners from it', async () => {
    const env = new RaftEnv(1, { segmentBytes: 300 });
    const log = await env.openLog();
    const raft = await env.startRaft(log);
    for (let i = 1; i <= 12; i++) await raft.append(values(`record-${i}`.padEnd(40, '.')), { epoch: 1, baseOffset: i }).committed;
    expect(log.startOffset).toBe(0);

    expect(await raft.createSnapshot({ endOffset: 10, epoch: 1 }, 123, values('state-at-10'))).toBe(true);
    expect(env.fs.readdir(PARTITION_DIR)).toContain('00000000000000000010-0000000001.checkpoint');
    expect(log.startOffset).toBe(10);
    const segments = env.fs.readdir(PARTITION_DIR).filter((n) => n.endsWith('.log'));
    expect(Math.min(...segments.map((n) => Number(n.slice(0, 20))))).toBeLessThanOrEqual(10);
    expect(segments.length).toBeLessThan(6);

    const listener = new RecordingListener();
    raft.register(listener);
    expect(listener.snapshots).toEqual([{ endOffset: 10, epoch: 1, values: ['state-at-10'] }]);
    expect(listener.batches[0].baseOffset).toBe(10);
    expect(listener.dataBatches.map((b) => b[0].slice(0, 9))).toEqual(['record-10', 'record-11', 'record-12']);
  });

  it('keeps only the latest snapshot and refuses one that is not newer or not committed', async () => {
    const env = new RaftEnv();
    const raft = await env.startRaft();
    for (let i = 1; i <= 4; i++) await raft.append(values(`r${i}`), { epoch: 1, baseOffset: i }).committed;
    await raft.createSnapshot({ endOffset: 2, epoch: 1 }, 0, values('s2'));
    await raft.createSnapshot({ endOffset: 4, epoch: 1 }, 0, values('s4'));
    expect(await raft.createSnapshot({ endOffset: 3, epoch: 1 }, 0, values('s3'))).toBe(false);
    await expect(raft.createSnapshot({ endOffset: 9, epoch: 1 }, 0, values('s9'))).rejects.toThrow(/past the high watermark 5/);
    expect(env.fs.readdir(PARTITION_DIR).filter((n) => n.endsWith('.checkpoint'))).toEqual(['00000000000000000004-0000000001.checkpoint']);
  });

  it('restarts from the latest snapshot and the log after it', async () => {
    const env = new RaftEnv(1, { segmentBytes: 300 });
    const raft = await env.startRaft();
    for (let i = 1; i <= 8; i++) await raft.append(values(`record-${i}`.padEnd(40, '.')), { epoch: 1, baseOffset: i }).committed;
    await raft.createSnapshot({ endOffset: 6, epoch: 1 }, 0, values('state-at-6'));
    await raft.close();

    const restarted = await env.startRaft();
    const listener = new RecordingListener();
    restarted.register(listener);
    expect(listener.snapshots.map((s) => s.values)).toEqual([['state-at-6']]);
    expect(listener.dataBatches.map((b) => b[0].slice(0, 8))).toEqual(['record-6', 'record-7', 'record-8']);
    expect(restarted.leaderAndEpoch.epoch).toBe(2);
  });

  it('restarts the log at the snapshot when the snapshot is ahead of the whole log', async () => {
    const env = new RaftEnv();
    const raft = await env.startRaft();
    for (let i = 1; i <= 3; i++) await raft.append(values(`r${i}`), { epoch: 1, baseOffset: i }).committed;
    await raft.createSnapshot({ endOffset: 4, epoch: 1 }, 0, values('s4'));
    await raft.close();
    for (const name of env.fs.readdir(PARTITION_DIR)) {
      if (/\.(log|index|timeindex)$/.test(name) || name === 'leader-epoch-checkpoint') env.fs.unlink(`${PARTITION_DIR}/${name}`);
    }
    const log = await env.openLog();
    const restarted = await env.startRaft(log);
    expect(log.startOffset).toBe(4);
    expect(restarted.leaderAndEpoch).toEqual({ leaderId: NODE_ID, epoch: 2 });
    expect(leaderChanges(readWholeLog(log)).map((c) => c.offset)).toEqual([4]);
  });

  it('refuses a log whose beginning no snapshot covers', async () => {
    const env = new RaftEnv(1, { segmentBytes: 300 });
    const raft = await env.startRaft();
    for (let i = 1; i <= 8; i++) await raft.append(values(`record-${i}`.padEnd(40, '.')), { epoch: 1, baseOffset: i }).committed;
    await raft.createSnapshot({ endOffset: 8, epoch: 1 }, 0, values('state'));
    await raft.close();
    env.fs.unlink(`${PARTITION_DIR}/00000000000000000008-0000000001.checkpoint`);
    await expect(env.startRaft()).rejects.toThrow(CorruptRaftLogError);
    await expect(env.startRaft()).rejects.toThrow(/starts at offset \d+, but no snapshot covers them: records are missing$/);
  });
});

/** Lets queued fsyncs and commits run until `done` holds (no timers: the file system is in memory). */
async function until(done: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !done(); i++) await Promise.resolve();
  if (!done()) throw new Error('condition never held');
}
