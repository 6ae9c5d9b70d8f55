import { describe, expect, it } from 'vitest';
import { coordinatorPartitionFor, javaStringHash } from '../../src/util/coordinator-partition.js';

describe('coordinatorPartitionFor', () => {
  it("hashes as Java's String.hashCode, with Kafka's Utils.abs", () => {
    expect(javaStringHash('hello')).toBe(99162322);
    expect(coordinatorPartitionFor('hello', 50)).toBe(99162322 % 50);
    // "polygenelubricants".hashCode() is Integer.MIN_VALUE, which Utils.abs maps to 0.
    expect(javaStringHash('polygenelubricants')).toBe(-2147483648);
    expect(coordinatorPartitionFor('polygenelubricants', 50)).toBe(0);
    expect(javaStringHash('zzzzzzzz')).toBeLessThan(0);
    expect(coordinatorPartitionFor('zzzzzzzz', 50)).toBe(Math.abs(javaStringHash('zzzzzzzz')) % 50);
    expect(coordinatorPartitionFor('', 50)).toBe(0);
  });
});
