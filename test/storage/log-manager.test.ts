import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/util/clock.js';
import { MemoryFileSystem } from '../../src/util/memory-file-system.js';
import { SeededRandom } from '../../src/util/random.js';
import { KafkaStorageError } from '../../src/storage/errors.js';
import { DEFAULT_LOG_MANAGER_CONFIG, logConfig, type LogConfig } from '../../src/storage/log-config.js';
import { LogManager } from '../../src/storage/log-manager.js';
import { sizedBatch } from './support/batches.js';

const TP = { topic: 'orders', partition: 0 };

async function setup(dirs = ['/disk1/data']) {
  const clock = new ManualClock(1_000_000);
  const fs = new MemoryFileSystem(clock, new SeededRandom(9));
  fs.mkdir('/disk1');
  fs.mkdir('/disk2');
  await fs.syncDir('/');
  const topicConfigs = new Map<string, Partial<LogConfig>>();
  const start = () =>
    LogManager.start({
      fs,
      config: { ...DEFAULT_LOG_MANAGER_CONFIG, 'log.dirs': dirs },
      topicConfig: (topic) => logConfig(topicConfigs.get(topic) ?? {}),
      clusterId: 'cluster-a',
      nodeId: 1,
      random: new SeededRandom(5),
      now: clock.now(),
    });
  return { clock, fs, topicConfigs, start };
}

describe('LogManager', () => {
  it('formats new directories and creates logs with partition.metadata', async () => {
    const { fs, clock, start } = await setup();
    const manager = await start();
    expect(fs.readFile('/disk1/data/meta.properties').toString()).toMatch(/cluster.id=cluster-a\ndirectory.id=\S{22}\nnode.id=1\nversion=1/);
    const log = await manager.getOrCreateLog(TP, clock.now(), 'AAAAAAAAAAAAAAAAAAAAAQ');
    expect(await manager.getOrCreateLog(TP, clock.now())).toBe(log);
    expect(fs.readFile('/disk1/data/orders-0/partition.metadata').toString()).toBe('version: 0\ntopic_id: AAAAAAAAAAAAAAAAAAAAAQ\n');
  });

  it('applies a changed topic config to the topic\'s logs', async () => {
    const { clock, topicConfigs, start } = await setup();
    const manager = await start();
    const log = await manager.getOrCreateLog(TP, clock.now());
    topicConfigs.set('orders', { 'retention.ms': 5 });
    manager.updateTopicConfig('orders');
    expect(log.config['retention.ms']).toBe(5);
  });

  it('refuses a directory formatted for another cluster or node', async () => {
    const { fs, start } = await setup();
    await start();
    const props = fs.readFile('/disk1/data/meta.properties').toString();
    const file = fs.open('/disk1/data/meta.properties', 'create');
    file.write(Buffer.from(props.replace('cluster-a', 'cluster-b')), 0);
    file.close();
    await expect(start()).rejects.toThrow(/cluster.id cluster-b/);
  });

  it('shuts down cleanly with checkpoints and the marker, and restarts without recovery', async () => {
    const { fs, clock, start } = await setup();
    const manager = await start();
    const log = await manager.getOrCreateLog(TP, clock.now());
    log.appendAsLeader(sizedBatch(3, 10), 0, clock.now());
    log.updateHighWatermark(3);
    await manager.shutdown(clock.now());
    expect(fs.readFile('/disk1/data/recovery-point-offset-checkpoint').toString()).toBe('0\n1\norders 0 3\n');
    expect(fs.readFile('/disk1/data/log-start-offset-checkpoint').toString()).toBe('0\n1\norders 0 0\n');
    expect(fs.readFile('/disk1/data/replication-offset-checkpoint').toString()).toBe('0\n1\norders 0 3\n');
    expect(JSON.parse(fs.readFile('/disk1/data/.kafka_cleanshutdown').toString())).toEqual({ version: 0, brokerEpoch: -1 });
    fs.crash();
    const restarted = await start();
    expect(fs.exists('/disk1/data/.kafka_cleanshutdown')).toBe(false);
    const reloaded = restarted.getLog(TP)!;
    expect([reloaded.logEndOffset, reloaded.recoveryPoint, reloaded.highWatermark]).toEqual([3, 3, 3]);
  });

  it('recovers everything when a checkpoint is malformed', async () => {
    const { fs, clock, start } = await setup();
    const manager = await start();
    const log = await manager.getOrCreateLog(TP, clock.now());
    log.appendAsLeader(sizedBatch(3, 10), 0, clock.now());
    await manager.tick(clock.now() + 120_000);
    const bad = fs.open('/disk1/data/recovery-point-offset-checkpoint', 'create');
    bad.write(Buffer.from('0\n7\nnonsense'), 0);
    bad.close();
    log.abandon();
    const restarted = await start();
    expect(restarted.getLog(TP)!.logEndOffset).toBe(3);
  });

  it('runs retention, flushes and checkpoints when they are due', async () => {
    const { fs, clock, topicConfigs, start } = await setup();
    topicConfigs.set('orders', { 'segment.bytes': 200, 'retention.ms': 60_000, 'file.delete.delay.ms': 1_000 });
    const manager = await start();
    const log = await manager.getOrCreateLog(TP, clock.now());
    for (let i = 0; i < 5; i++) log.appendAsLeader(sizedBatch(2, 40, clock.now()), 0, clock.now());
    log.updateHighWatermark(log.logEndOffset);
    clock.advance(100_000);
    await manager.tick(clock.now());
    expect(log.recoveryPoint).toBeGreaterThan(0);
    expect(log.segmentBaseOffsets.length).toBe(5);
    expect(fs.readFile('/disk1/data/recovery-point-offset-checkpoint').toString()).toContain(`orders 0 ${log.recoveryPoint}`);
    clock.advance(300_000);
    await manager.tick(clock.now());
    expect(log.segmentBaseOffsets).toEqual([10]);
    expect(fs.readdir('/disk1/data/orders-0').some((n) => n.endsWith('.deleted'))).toBe(true);
    clock.advance(1_000);
    await manager.tick(clock.now());
    expect(fs.readdir('/disk1/data/orders-0').some((n) => n.endsWith('.deleted'))).toBe(false);
  });

  it('checkpoints recovery points as soon as a log is truncated', async () => {
    const { fs, clock, start } = await setup();
    const manager = await start();
    const log = await manager.getOrCreateLog(TP, clock.now());
    log.appendAsLeader(sizedBatch(6, 10), 0, clock.now());
    log.appendAsLeader(sizedBatch(6, 10), 0, clock.now());
    await log.flush(clock.now());
    await manager.checkpointRecoveryPoints();
    expect(await manager.truncateTo(TP, 6, clock.now())).toBe(true);
    expect(fs.readFile('/disk1/data/recovery-point-offset-checkpoint').toString()).toBe('0\n1\norders 0 6\n');
    fs.crash();
    const restarted = await start();
    expect(restarted.getLog(TP)!.logEndOffset).toBe(6);
  });

  it('spreads logs over directories and takes only the failed one offline', async () => {
    const { fs, clock, start } = await setup(['/disk1/data', '/disk2/data']);
    const manager = await start();
    const a = await manager.getOrCreateLog({ topic: 'a', partition: 0 }, clock.now());
    const b = await manager.getOrCreateLog({ topic: 'b', partition: 0 }, clock.now());
    expect(a.dir.startsWith('/disk1/')).toBe(true);
    expect(b.dir.startsWith('/disk2/')).toBe(true);
    fs.failNext('write', 'EIO');
    expect(() => a.appendAsLeader(sizedBatch(1, 1), 0, clock.now())).toThrow(KafkaStorageError);
    expect(manager.offlineDirs).toEqual(['/disk1/data']);
    b.appendAsLeader(sizedBatch(1, 1), 0, clock.now());
    const c = await manager.getOrCreateLog({ topic: 'c', partition: 0 }, clock.now());
    expect(c.dir.startsWith('/disk2/')).toBe(true);
    await manager.shutdown(clock.now());
    expect(fs.exists('/disk1/data/.kafka_cleanshutdown')).toBe(false);
    expect(fs.exists('/disk2/data/.kafka_cleanshutdown')).toBe(true);
  });

  it('leaves the metadata quorum\'s __cluster_metadata-0 in a log dir alone', async () => {
    const { fs, clock, start } = await setup();
    const first = await start();
    await first.shutdown(clock.now());
    fs.mkdir('/disk1/data/__cluster_metadata-0');
    const segment = fs.open('/disk1/data/__cluster_metadata-0/00000000000000000000.log', 'create');
    segment.write(Buffer.from('not a partition of the LogManager'), 0);
    segment.close();
    const manager = await start();
    expect(manager.getLog({ topic: '__cluster_metadata', partition: 0 })).toBeUndefined();
    expect(manager.allLogs).toHaveLength(0);
  });
});
