import { expect } from 'vitest';
import { DecodeError } from '../../../src/protocol/decode-error.js';

/** Deterministic bytes: text-like and compressible, but not trivially so. */
export function sampleBytes(length: number, seed = 1): Buffer {
  const words = ['kafka', 'gregor', 'record', 'batch', 'offset', 'topic', 'partition', '{"id":', '}', ' '];
  const out = Buffer.allocUnsafe(length);
  let state = seed >>> 0;
  let pos = 0;
  while (pos < length) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    const word = words[state % words.length] + String(state % 97);
    pos += out.write(word, pos, 'latin1');
  }
  return out;
}

/** Bytes that do not compress. */
export function noiseBytes(length: number, seed = 7): Buffer {
  const out = Buffer.allocUnsafe(length);
  let state = seed >>> 0;
  for (let i = 0; i < length; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    out[i] = state & 0xff;
  }
  return out;
}

/** Asserts that `fn` fails with a DecodeError (never a RangeError or a native error). */
export function expectDecodeError(fn: () => unknown, message?: RegExp): DecodeError {
  let thrown: unknown;
  try {
    fn();
  } catch (error) {
    thrown = error;
  }
  expect(thrown, 'expected a DecodeError').toBeInstanceOf(DecodeError);
  if (message) expect((thrown as DecodeError).message).toMatch(message);
  return thrown as DecodeError;
}

/** Byte equality without a per-element diff, which is slow on megabyte buffers. */
export function expectBytes(actual: Buffer, expected: Buffer): void {
  expect(actual.length, 'length').toBe(expected.length);
  expect(Buffer.compare(actual, expected), 'bytes differ').toBe(0);
}
