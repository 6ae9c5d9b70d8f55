import zstd from 'zstd-napi';
import binding from 'zstd-napi/binding.js';
import { DecodeError } from '../../decode-error.js';
import { corruptData, describe, outputTooLarge } from './codec-error.js';

/** Output chunk for frames that do not declare their size (zstd's recommended streaming size). */
const STREAM_CHUNK_SIZE = binding.dStreamOutSize();

/** zstd's default level (3), the level Kafka producers use unless configured otherwise. */
export function compressZstd(data: Buffer): Buffer {
  return zstd.compress(data);
}

let sharedContext: binding.DCtx | undefined;

/**
 * Streams the frames through a reused decompression context into chunks that never add up to
 * more than maxOutputBytes + 1, so a frame that lies about or omits its size cannot make us
 * allocate past the limit. Java producers stream frames without a content size.
 */
export function decompressZstd(data: Buffer, maxOutputBytes: number): Buffer {
  const context = (sharedContext ??= new binding.DCtx());
  const chunks: Buffer[] = [];
  let total = 0;
  let lastChunkFilled = false;
  let input = data;
  try {
    context.reset(binding.ResetDirective.sessionOnly);
    let chunkSize = Math.max(1, binding.getFrameContentSize(data) ?? STREAM_CHUNK_SIZE);
    for (;;) {
      const out = Buffer.allocUnsafe(Math.min(chunkSize, maxOutputBytes - total + 1));
      const [frameRemaining, produced, consumed] = context.decompressStream(out, input);
      input = input.subarray(consumed);
      lastChunkFilled = produced === out.length;
      if (produced > 0) chunks.push(out.subarray(0, produced));
      total += produced;
      if (total > maxOutputBytes) throw outputTooLarge('zstd', maxOutputBytes);
      if (frameRemaining === 0 && input.length === 0) break;
      if (input.length === 0 && produced < out.length) throw corruptData('zstd', 'truncated frame', data.length);
      chunkSize = STREAM_CHUNK_SIZE;
    }
  } catch (cause) {
    throw cause instanceof DecodeError ? cause : corruptData('zstd', describe(cause), data.length - input.length);
  }
  // Partly filled chunks are copied out, so callers never retain the unused part of an allocation.
  return chunks.length === 1 && lastChunkFilled ? chunks[0] : Buffer.concat(chunks, total);
}
