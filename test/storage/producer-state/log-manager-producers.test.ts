import { describe, expect, it } from 'vitest';
import { buildRecordBatch } from '../../../src/protocol/records/batch-builder.js';
import { ManualClock } from '../../../src/util/clock.js';
import { MemoryFileSystem } from '../../../src/util/memory-file-system.js';
import { SeededRandom } from '../../../src/util/random.js';
import { DEFAULT_LOG_MANAGER_CONFIG, logConfig } from '../../../src/storage/log-config.js';
import { LogManager } from '../../../src/storage/log-manager.js';

const TP = { topic: 'orders', partition: 0 };

function idempotent(producerId: number, seq: number, timestamp: number): Buffer {
  return buildRecordBatch({ records: [{ key: null, value: Buffer.from('v'), timestamp }], producerId, producerEpoch: 0, baseSequence: seq });
}

describe('LogManager producer state', () => {
  it('expires idle producers every producer.id.expiration.check.interval.ms, with the expiration read when it runs', async () => {
    const clock = new ManualClock(1_000_000);
    const fs = new MemoryFileSystem(clock, new SeededRandom(3));
    fs.mkdir('/data');
    await fs.syncDir('/');
    let expirationMs = 60_000;
    const start = () =>
      LogManager.start({
        fs,
        config: { ...DEFAULT_LOG_MANAGER_CONFIG, 'log.dirs': ['/data'], 'producer.id.expiration.check.interval.ms': 10_000 },
        topicConfig: () => logConfig(),
        clusterId: 'c',
        nodeId: 1,
        random: new SeededRandom(4),
        now: clock.now(),
        producerIdExpirationMs: () => expirationMs,
      });
    const manager = await start();
    const log = await manager.getOrCreateLog(TP, clock.now());
    log.appendAsLeader(idempotent(1, 0, clock.now()), 0, clock.now());
    log.appendAsLeader(idempotent(2, 0, clock.now() + 30_000), 0, clock.now());
    clock.advance(65_000);
    // Not yet due: the check runs every 10 s from the start.
    await manager.tick(clock.now() - 60_000);
    expect(log.producerState.producerIdCount).toBe(2);
    await manager.tick(clock.now());
    expect([...log.producerState.activeProducers().keys()]).toEqual([2]);

    // Producer 2 survives a clean restart (snapshot at the log end); a longer expiration applies at once.
    await manager.shutdown(clock.now());
    expirationMs = 3_600_000;
    const restarted = await start();
    const reopened = restarted.getLog(TP)!;
    expect([...reopened.producerState.activeProducers().keys()]).toEqual([2]);
    expect(reopened.appendAsLeader(idempotent(2, 0, clock.now()), 0, clock.now())).toMatchObject({ duplicate: true, firstOffset: 1 });
    clock.advance(3_600_000);
    expect(restarted.removeExpiredProducers(clock.now())).toBe(1);
  });
});
