import { describe, expect, it } from 'vitest';
import { FrameSplitter, InvalidFrameSizeError } from '../../src/protocol/frame-splitter.js';
import { sizePrefixed } from '../support/frames.js';


describe('FrameSplitter', () => {
  it('returns several frames that arrive in one chunk', () => {
    const splitter = new FrameSplitter(1024);
    const frames = splitter.push(Buffer.concat([sizePrefixed('one'), sizePrefixed(''), sizePrefixed('three')]));
    expect(frames.map((f) => f.toString())).toEqual(['one', '', 'three']);
    expect(splitter.buffered).toBe(0);
  });

  it('joins a frame split byte by byte, size prefix included', () => {
    const splitter = new FrameSplitter(1024);
    const bytes = Buffer.concat([sizePrefixed('hello'), sizePrefixed('world')]);
    const frames: string[] = [];
    for (const b of bytes) frames.push(...splitter.push(Buffer.from([b])).map((f) => f.toString()));
    expect(frames).toEqual(['hello', 'world']);
  });

  it('returns a frame that arrived whole as a view of the chunk', () => {
    const chunk = sizePrefixed('zero-copy');
    const [out] = new FrameSplitter(1024).push(chunk);
    expect(out.buffer).toBe(chunk.buffer);
  });

  it('rejects an oversized size prefix as soon as it arrives, before the body', () => {
    const splitter = new FrameSplitter(100);
    const prefix = Buffer.alloc(4);
    prefix.writeInt32BE(0x7fffffff, 0);
    expect(() => splitter.push(prefix)).toThrow(InvalidFrameSizeError);
    expect(() => new FrameSplitter(100).push(Buffer.from([0, 0, 0, 101]))).toThrow(/exceeds socket.request.max.bytes=100/);
  });

  it('rejects a negative size prefix', () => {
    expect(() => new FrameSplitter(100).push(Buffer.from([0xff, 0xff, 0xff, 0xfe]))).toThrow(/negative/);
  });

  it('accepts a frame of exactly the maximum size', () => {
    const [out] = new FrameSplitter(5).push(sizePrefixed('12345'));
    expect(out.toString()).toBe('12345');
  });
});
