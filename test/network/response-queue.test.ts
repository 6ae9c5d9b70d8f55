import { describe, expect, it } from 'vitest';
import { ResponseQueue } from '../../src/network/response-queue.js';

const chunk = (s: string): Buffer[] => [Buffer.from(s)];

describe('ResponseQueue', () => {
  it('sends responses in reservation order whatever order they complete in', () => {
    const sent: string[] = [];
    const queue = new ResponseQueue((frame) => sent.push(Buffer.concat(frame).toString()));
    const [a, b, c] = [queue.reserve(), queue.reserve(), queue.reserve()];
    c.complete(chunk('c'));
    b.complete(chunk('b'));
    expect(sent).toEqual([]);
    expect(queue.inFlight).toBe(3);
    a.complete(chunk('a'));
    expect(sent).toEqual(['a', 'b', 'c']);
    expect(queue.inFlight).toBe(0);
  });

  it('keeps the place of a request that gets no response', () => {
    const sent: string[] = [];
    const queue = new ResponseQueue((frame) => sent.push(Buffer.concat(frame).toString()));
    const [a, silent, c] = [queue.reserve(), queue.reserve(), queue.reserve()];
    c.complete(chunk('c'));
    silent.complete(null);
    expect(sent).toEqual([]);
    a.complete(chunk('a'));
    expect(sent).toEqual(['a', 'c']);
  });

  it('refuses to complete a slot twice', () => {
    const queue = new ResponseQueue(() => {});
    const slot = queue.reserve();
    slot.complete(null);
    expect(() => slot.complete(null)).toThrow(/twice/);
  });

  it('stays correct across many pipelined requests that never let the queue empty', () => {
    const sent: number[] = [];
    const queue = new ResponseQueue((frame) => sent.push(frame[0].readInt32BE(0)));
    let previous = queue.reserve();
    for (let i = 0; i < 5000; i++) {
      const next = queue.reserve();
      const b = Buffer.alloc(4);
      b.writeInt32BE(i, 0);
      previous.complete([b]);
      previous = next;
    }
    expect(sent).toEqual(Array.from({ length: 5000 }, (_, i) => i));
    expect(queue.inFlight).toBe(1);
  });
});
