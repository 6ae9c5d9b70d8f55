import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/protocol/generated/error-codes.js';
import { Purgatory } from '../../src/replication/purgatory.js';
import { deleteDirName } from '../../src/storage/log-manager.js';
import { ManualClock } from '../../src/util/clock.js';
import { SeededRandom } from '../../src/util/random.js';
import { batchOf, DataPlane, LOG_DIR, ManualScheduler } from './support.js';

describe('ReplicaManager.applyImage', () => {
  it('creates logs for the partitions this broker replicates, with partition.metadata, and no others', async () => {
    const plane = await DataPlane.start({ brokers: [1, 2] });
    const topicId = await plane.createTopic('orders', { partitions: 2 });
    await plane.createTopic('remote', { replicas: [2] });
    expect(plane.fs.readdir(LOG_DIR).filter((n) => !n.includes('checkpoint') && !n.startsWith('meta'))).toEqual(['orders-0', 'orders-1']);
    expect(plane.fs.readFile(`${LOG_DIR}/orders-0/partition.metadata`).toString()).toBe(`version: 0\ntopic_id: ${topicId}\n`);
    expect(plane.replicas.hostedPartition({ topic: 'remote', partition: 0 })).toBeUndefined();
  });

  it('starts each leader epoch at the log end offset, in the epoch cache too', async () => {
    const plane = await DataPlane.start();
    await plane.createTopic('orders', { leaderEpoch: 4 });
    await plane.produce('orders', 0, batchOf(['a', 'b']));
    await plane.changeLeader('orders', 0, 1);
    const partition = plane.replicas.hostedPartition({ topic: 'orders', partition: 0 })!;
    expect(partition.leaderEpoch).toBe(5);
    expect(partition.leaderEpochStartOffset).toBe(2);
    expect(partition.log.epochCache.entries).toEqual([
      { epoch: 4, startOffset: 0 },
      { epoch: 5, startOffset: 2 },
    ]);
  });

  it('applies topic config changes to the partition and its log', async () => {
    const plane = await DataPlane.start();
    await plane.createTopic('orders');
    const partition = plane.replicas.hostedPartition({ topic: 'orders', partition: 0 })!;
    expect(partition.config['retention.ms']).toBe(7 * 24 * 3600 * 1000);
    await plane.setConfig('orders', 'retention.ms', '1000');
    await plane.setConfig('orders', 'compression.type', 'gzip');
    expect(partition.log.config['retention.ms']).toBe(1000);
    expect(partition.config['compression.type']).toBe('gzip');
  });

  it('stops leading when leadership moves, and answers produces with NOT_LEADER_OR_FOLLOWER', async () => {
    const plane = await DataPlane.start({ brokers: [1, 2] });
    await plane.createTopic('orders', { replicas: [1, 2] });
    await plane.changeLeader('orders', 0, 2);
    expect((await plane.produce('orders', 0, batchOf(['a']))).errorCode).toBe(ErrorCode.NOT_LEADER_OR_FOLLOWER);
    expect(plane.replicas.currentLeader({ topic: 'orders', partition: 0 }, 'PLAINTEXT')).toEqual({
      leaderId: 2,
      leaderEpoch: 1,
      node: { nodeId: 2, host: 'localhost', port: 9094, rack: plane.image.brokers.get(2)!.rack },
    });
    expect(plane.replicas.currentLeader({ topic: 'orders', partition: 0 }, 'OTHER').node).toBeNull();
  });

  it('renames a deleted topic\'s logs with the -delete suffix at once and removes them after file.delete.delay.ms', async () => {
    const plane = await DataPlane.start();
    await plane.createTopic('orders', { configs: { 'file.delete.delay.ms': '1000' } });
    await plane.produce('orders', 0, batchOf(['a']));
    await plane.deleteTopic('orders');
    expect(plane.replicas.hostedPartition({ topic: 'orders', partition: 0 })).toBeUndefined();
    expect(plane.logManager.getLog({ topic: 'orders', partition: 0 })).toBeUndefined();
    const [renamed] = plane.fs.readdir(LOG_DIR).filter((n) => n.startsWith('orders'));
    expect(renamed).toMatch(/^orders-0\.[0-9a-f]{32}-delete$/);
    expect((await plane.produce('orders', 0, batchOf(['b']))).errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    await plane.logManager.tick(plane.clock.now() + 999);
    expect(plane.fs.exists(`${LOG_DIR}/${renamed}`)).toBe(true);
    await plane.logManager.tick(plane.clock.now() + 1000);
    expect(plane.fs.exists(`${LOG_DIR}/${renamed}`)).toBe(false);
  });

  it('gives a topic created again under a deleted name a fresh log', async () => {
    const plane = await DataPlane.start();
    await plane.createTopic('orders');
    await plane.produce('orders', 0, batchOf(['old', 'older']));
    await plane.deleteTopic('orders');
    const topicId = await plane.createTopic('orders');
    expect((await plane.produce('orders', 0, batchOf(['new']))).baseOffset).toBe(0);
    expect(plane.fs.readFile(`${LOG_DIR}/orders-0/partition.metadata`).toString()).toContain(topicId);
  });

  it('removes deleted partition directories left over by a shutdown before their delay', async () => {
    const plane = await DataPlane.start();
    await plane.createTopic('orders');
    await plane.deleteTopic('orders');
    await plane.logManager.shutdown(plane.clock.now());
    expect(plane.fs.readdir(LOG_DIR).some((n) => n.endsWith('-delete'))).toBe(true);
    const restarted = await DataPlane.start({ fs: plane.fs, clock: plane.clock });
    expect(restarted.fs.readdir(LOG_DIR).some((n) => n.endsWith('-delete'))).toBe(false);
  });

  it('leaves logs on disk alone when the image does not give them to this broker', async () => {
    const plane = await DataPlane.start();
    await plane.createTopic('orders');
    await plane.produce('orders', 0, batchOf(['a']));
    await plane.logManager.shutdown(plane.clock.now());
    const restarted = await DataPlane.start({ fs: plane.fs, clock: plane.clock });
    expect(restarted.logManager.getLog({ topic: 'orders', partition: 0 })!.logEndOffset).toBe(1);
    expect(restarted.replicas.hostedPartition({ topic: 'orders', partition: 0 })).toBeUndefined();
  });

  it('keeps Kafka\'s name for deleted directories within 255 characters', () => {
    const name = deleteDirName({ topic: 't'.repeat(249), partition: 12 }, new SeededRandom(1));
    expect(name).toHaveLength(255);
    expect(name).toMatch(/^t+-12\.[0-9a-f]{32}-delete$/);
  });

  it('answers waiting fetches and produces at shutdown', async () => {
    const plane = await DataPlane.start({ brokers: [1, 2] });
    await plane.createTopic('orders', { replicas: [1, 2] });
    const produce = plane.replicas.appendRecords({
      acks: -1,
      timeoutMs: 60_000,
      internalTopicsAllowed: false,
      entries: [{ topic: 'orders', partition: 0, records: batchOf(['a']) }],
    });
    expect(plane.replicas.delayedCount).toBe(1);
    plane.replicas.expireDelayed();
    expect((await produce)[0].errorCode).toBe(ErrorCode.REQUEST_TIMED_OUT);
    expect(plane.scheduler.pending).toBe(0);
  });
});

describe('Purgatory', () => {
  it('completes an operation once, whether by a check or by its timeout', () => {
    const clock = new ManualClock(0);
    const scheduler = new ManualScheduler(clock);
    const purgatory = new Purgatory(scheduler);
    let ready = false;
    const outcomes: string[] = [];
    const operation = {
      tryComplete: () => {
        if (ready) outcomes.push('completed');
        return ready;
      },
      expire: () => outcomes.push('expired'),
    };
    purgatory.tryCompleteElseWatch(operation, ['a', 'b'], 100);
    expect(purgatory.size).toBe(1);
    expect(purgatory.checkAndComplete('a')).toBe(0);
    ready = true;
    expect(purgatory.checkAndComplete('b')).toBe(1);
    expect(purgatory.checkAndComplete('a')).toBe(0);
    scheduler.advance(100);
    expect(outcomes).toEqual(['completed']);

    ready = false;
    purgatory.tryCompleteElseWatch(operation, ['a'], 100);
    scheduler.advance(100);
    expect(purgatory.checkAndComplete('a')).toBe(0);
    expect(outcomes).toEqual(['completed', 'expired']);
    expect(purgatory.size).toBe(0);
  });
});
