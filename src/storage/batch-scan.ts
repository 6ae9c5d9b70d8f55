import { readFully, type FileHandle } from '../util/file-system.js';
import { BATCH_HEADER, LOG_OVERHEAD, RecordBatchHeader } from '../protocol/records/batch-header.js';

export const CURRENT_MAGIC = 2;
const DEFAULT_CHUNK_BYTES = 4 * 1024 * 1024;

/** Reads the v2 header of the batch at `position` into `scratch`; null when fewer bytes remain. */
export function readBatchHeader(file: FileHandle, position: number, scratch: Buffer): RecordBatchHeader | null {
  const n = readFully(file, scratch, 0, BATCH_HEADER.size, position);
  return n < BATCH_HEADER.size ? null : new RecordBatchHeader(scratch.subarray(0, BATCH_HEADER.size));
}

export function newHeaderScratch(): Buffer {
  return Buffer.allocUnsafe(BATCH_HEADER.size);
}

/**
 * Why the bytes at the start of `bytes` are not a complete, intact v2 batch, or null when they
 * are. Checks the sizes first so that a torn or zeroed tail is never read as a header.
 */
export function batchProblem(bytes: Buffer, verifyCrc: boolean): string | null {
  if (bytes.length < LOG_OVERHEAD) return `only ${bytes.length} bytes left, less than a log overhead`;
  const batchLength = bytes.readInt32BE(BATCH_HEADER.batchLength);
  if (batchLength < BATCH_HEADER.size - LOG_OVERHEAD) return `batch length ${batchLength} is below the v2 header size`;
  if (batchLength + LOG_OVERHEAD > bytes.length) {
    return `batch of ${batchLength + LOG_OVERHEAD} bytes but only ${bytes.length} bytes left`;
  }
  const batch = new RecordBatchHeader(bytes);
  if (batch.magic !== CURRENT_MAGIC) return `magic ${batch.magic} where ${CURRENT_MAGIC} was expected`;
  if (batch.lastOffsetDelta < 0) return `negative last offset delta ${batch.lastOffsetDelta}`;
  if (verifyCrc && !batch.isCrcValid()) return `CRC mismatch (stored ${batch.crc}, computed ${batch.computeCrc()})`;
  return null;
}

export interface ScanResult {
  /** Where the scan stopped: the end of the region, or the start of the first bad batch. */
  readonly end: number;
  readonly problem: string | null;
}

/**
 * Walks the batches of `file` between `start` and `end` with large reads, checking each one's
 * sizes, magic and (if asked) CRC. `visit` sees a view of every good batch that is only valid
 * during the call; returning false stops the walk there.
 */
export function scanBatches(
  file: FileHandle,
  start: number,
  end: number,
  verifyCrc: boolean,
  visit: (batch: RecordBatchHeader, position: number) => boolean | void,
  chunkBytes = DEFAULT_CHUNK_BYTES,
): ScanResult {
  let chunk = Buffer.allocUnsafe(Math.min(chunkBytes, Math.max(end - start, BATCH_HEADER.size)));
  let chunkStart = start;
  let chunkLength = 0;
  let position = start;
  const fill = (from: number, minimum: number): void => {
    if (minimum > chunk.length) chunk = Buffer.allocUnsafe(minimum);
    chunkStart = from;
    chunkLength = readFully(file, chunk, 0, Math.min(chunk.length, end - from), from);
  };
  while (position < end) {
    if (position - chunkStart + BATCH_HEADER.size > chunkLength) fill(position, BATCH_HEADER.size);
    const inChunk = position - chunkStart;
    const available = Math.min(chunkLength - inChunk, end - position);
    let size = available >= LOG_OVERHEAD ? chunk.readInt32BE(inChunk + BATCH_HEADER.batchLength) + LOG_OVERHEAD : 0;
    if (size > available && position + size <= end && size > BATCH_HEADER.size) {
      fill(position, size);
      size = chunk.readInt32BE(BATCH_HEADER.batchLength) + LOG_OVERHEAD;
    }
    const at = position - chunkStart;
    const view = chunk.subarray(at, Math.min(chunkLength, at + (end - position)));
    const problem = batchProblem(view, verifyCrc);
    if (problem !== null) return { end: position, problem };
    const batch = new RecordBatchHeader(view.subarray(0, size));
    if (visit(batch, position) === false) return { end: position, problem: null };
    position += size;
  }
  return { end: position, problem: null };
}
