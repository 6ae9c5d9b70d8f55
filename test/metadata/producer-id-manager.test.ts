import { describe, expect, it } from 'vitest';
import { ProducerIdManager, type ProducerIdRange } from '../../src/metadata/producer-id-manager.js';
import { ErrorCode } from '../../src/protocol/generated/error-codes.js';
import { KafkaError } from '../../src/util/kafka-error.js';

/** A controller handing out blocks of `size` ids, answering when the test says so. */
function controller(size: number) {
  let next = 0;
  const pending: Array<{ resolve: (r: ProducerIdRange) => void; reject: (e: Error) => void }> = [];
  let automatic = true;
  let failing = false;
  const allocate = (): Promise<ProducerIdRange> => {
    if (failing) return Promise.reject(new Error('STALE_BROKER_EPOCH'));
    const block = { start: next, length: size };
    next += size;
    if (automatic) return Promise.resolve(block);
    return new Promise((resolve, reject) => pending.push({ resolve: () => resolve(block), reject }));
  };
  return {
    allocate,
    calls: () => next / size,
    hold: () => (automatic = false),
    release: () => pending.splice(0).forEach((p) => p.resolve({ start: 0, length: 0 })),
    fail: (value: boolean) => (failing = value),
  };
}

describe('ProducerIdManager', () => {
  it('hands out every id once, fetching the next block ahead at 90%', async () => {
    const c = controller(10);
    const manager = new ProducerIdManager(c.allocate);
    const ids: number[] = [];
    for (let i = 0; i < 9; i++) ids.push(await manager.generateProducerId());
    expect(c.calls()).toBe(1);
    ids.push(await manager.generateProducerId());
    // Id 9 is the 90% mark of block [0, 10): the next block is on its way.
    expect(c.calls()).toBe(2);
    for (let i = 0; i < 15; i++) ids.push(await manager.generateProducerId());
    expect(ids).toEqual(Array.from({ length: 25 }, (_, i) => i));
  });

  it('lets concurrent callers wait for the same block', async () => {
    const c = controller(100);
    c.hold();
    const manager = new ProducerIdManager(c.allocate);
    const waiting = Promise.all([manager.generateProducerId(), manager.generateProducerId(), manager.generateProducerId()]);
    c.release();
    expect((await waiting).sort()).toEqual([0, 1, 2]);
    expect(c.calls()).toBe(1);
  });

  it('answers COORDINATOR_LOAD_IN_PROGRESS when the controller cannot allocate, and recovers', async () => {
    const c = controller(5);
    const manager = new ProducerIdManager(c.allocate);
    c.fail(true);
    const error = await manager.generateProducerId().catch((err: unknown) => err);
    expect(error).toBeInstanceOf(KafkaError);
    expect((error as KafkaError).errorCode).toBe(ErrorCode.COORDINATOR_LOAD_IN_PROGRESS);
    c.fail(false);
    expect(await manager.generateProducerId()).toBe(0);
  });
});
