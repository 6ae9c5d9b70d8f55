const SIZE_PREFIX = 4;

/** A size prefix that is negative or above `socket.request.max.bytes`. */
export class InvalidFrameSizeError extends Error {
  override readonly name = 'InvalidFrameSizeError';
  constructor(
    readonly size: number,
    readonly max: number,
  ) {
    super(size < 0 ? `invalid negative frame size ${size}` : `frame of ${size} bytes exceeds socket.request.max.bytes=${max}`);
  }
}

/**
 * Cuts a byte stream into size-prefixed frames. The size is checked against the limit as soon as
 * its four bytes arrive, before any buffer is sized from it; memory grows only with bytes actually
 * received. A frame that arrived in one chunk is returned as a view of it.
 */
export class FrameSplitter {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private frameSize = -1;

  constructor(private readonly maxFrameBytes: number) {}

  /** Bytes received that do not yet form a whole frame. */
  get buffered(): number {
    return this.pendingBytes;
  }

  push(chunk: Buffer): Buffer[] {
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    const frames: Buffer[] = [];
    for (;;) {
      if (this.frameSize < 0) {
        if (this.pendingBytes < SIZE_PREFIX) break;
        const size = this.take(SIZE_PREFIX).readInt32BE(0);
        if (size < 0 || size > this.maxFrameBytes) throw new InvalidFrameSizeError(size, this.maxFrameBytes);
        this.frameSize = size;
      }
      if (this.pendingBytes < this.frameSize) break;
      frames.push(this.take(this.frameSize));
      this.frameSize = -1;
    }
    return frames;
  }

  private take(n: number): Buffer {
    const first = this.pending[0];
    let out: Buffer;
    if (first.length >= n) {
      out = first.subarray(0, n);
      if (first.length === n) this.pending.shift();
      else this.pending[0] = first.subarray(n);
    } else {
      out = Buffer.allocUnsafe(n);
      let filled = 0;
      while (filled < n) {
        const head = this.pending[0];
        const used = Math.min(head.length, n - filled);
        head.copy(out, filled, 0, used);
        filled += used;
        if (used === head.length) this.pending.shift();
        else this.pending[0] = head.subarray(used);
      }
    }
    this.pendingBytes -= n;
    return out;
  }
}
