import { constants as bufferConstants } from 'node:buffer';
import { gunzipSync, gzipSync } from 'node:zlib';
import { corruptData, describe, outputTooLarge } from './codec-error.js';

/** Deflate level Java's GZIPOutputStream uses, which is what Kafka producers write. */
const GZIP_LEVEL = 6;

export function compressGzip(data: Buffer): Buffer {
  return gzipSync(data, { level: GZIP_LEVEL });
}

/** Inflates a gzip stream (multi-member streams included), never past `maxOutputBytes`. */
export function decompressGzip(data: Buffer, maxOutputBytes: number): Buffer {
  const maxOutputLength = Math.min(Math.max(1, maxOutputBytes), bufferConstants.MAX_LENGTH);
  let out: Buffer;
  try {
    out = gunzipSync(data, { maxOutputLength });
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
      throw outputTooLarge('gzip', maxOutputBytes);
    }
    throw corruptData('gzip', describe(cause));
  }
  if (out.length > maxOutputBytes) throw outputTooLarge('gzip', maxOutputBytes);
  return out;
}
