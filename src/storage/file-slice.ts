import { readFully, type FileHandle } from '../util/file-system.js';

/**
 * Bytes of a segment file handed to a reader without copying them first: Fetch sends them
 * straight from the file. The slice stays readable after its segment is deleted for
 * file.delete.delay.ms, which is what that delay is for.
 */
export interface FileSlice {
  readonly file: FileHandle;
  readonly position: number;
  readonly size: number;
}

/** Copies a slice into memory; shorter than `size` only if the file was truncated meanwhile. */
export function readSlice(slice: FileSlice, target: Buffer = Buffer.allocUnsafe(slice.size)): Buffer {
  const n = readFully(slice.file, target, 0, slice.size, slice.position);
  return target.subarray(0, n);
}
