import { compressSync, uncompressSync } from 'snappy';
import { Reader } from '../../reader.js';
import { corruptData, describe, outputTooLarge } from './codec-error.js';

/**
 * snappy-java's stream framing ("xerial"), which the Java client and most others send:
 * magic, int32 version, int32 minimum compatible version, then [int32 length][raw snappy block]*.
 */
const XERIAL_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);
const XERIAL_VERSION = 1;
const XERIAL_MIN_COMPATIBLE_VERSION = 1;
const XERIAL_HEADER_SIZE = 16;
/** snappy-java's default block size, so our blocks look like the Java producer's. */
const XERIAL_BLOCK_SIZE = 32 * 1024;

const XERIAL_HEADER = Buffer.alloc(XERIAL_HEADER_SIZE);
XERIAL_MAGIC.copy(XERIAL_HEADER, 0);
XERIAL_HEADER.writeInt32BE(XERIAL_VERSION, 8);
XERIAL_HEADER.writeInt32BE(XERIAL_MIN_COMPATIBLE_VERSION, 12);

/** Compresses into xerial framing, as Kafka's Java producer does. */
export function compressSnappy(data: Buffer): Buffer {
  const parts: Buffer[] = [XERIAL_HEADER];
  for (let pos = 0; pos < data.length; pos += XERIAL_BLOCK_SIZE) {
    const block = compressSync(data.subarray(pos, pos + XERIAL_BLOCK_SIZE));
    const length = Buffer.allocUnsafe(4);
    length.writeInt32BE(block.length);
    parts.push(length, block);
  }
  return Buffer.concat(parts);
}

/** Accepts both xerial framing and a single raw snappy block (what librdkafka may send). */
export function decompressSnappy(data: Buffer, maxOutputBytes: number): Buffer {
  if (isXerial(data)) return decompressXerial(data, maxOutputBytes);
  if (uncompressedLength(data, 0) > maxOutputBytes) throw outputTooLarge('snappy', maxOutputBytes);
  return inflateRaw(data, 0);
}

function isXerial(data: Buffer): boolean {
  return data.length >= XERIAL_MAGIC.length && XERIAL_MAGIC.equals(data.subarray(0, XERIAL_MAGIC.length));
}

function decompressXerial(data: Buffer, maxOutputBytes: number): Buffer {
  if (data.length < XERIAL_HEADER_SIZE) throw corruptData('snappy', 'truncated xerial header');
  const blocks: Buffer[] = [];
  let total = 0;
  for (let pos = XERIAL_HEADER_SIZE; pos < data.length; ) {
    if (pos + 4 > data.length) throw corruptData('snappy', 'truncated xerial block length', pos);
    const length = data.readInt32BE(pos);
    if (length < 0 || length > data.length - pos - 4) {
      throw corruptData('snappy', `xerial block length ${length} exceeds the ${data.length - pos - 4} bytes left`, pos);
    }
    const block = data.subarray(pos + 4, pos + 4 + length);
    if (total + uncompressedLength(block, pos + 4) > maxOutputBytes) throw outputTooLarge('snappy', maxOutputBytes);
    const inflated = inflateRaw(block, pos + 4);
    total += inflated.length;
    blocks.push(inflated);
    pos += 4 + length;
  }
  return blocks.length === 1 ? blocks[0] : Buffer.concat(blocks, total);
}

function inflateRaw(block: Buffer, at: number): Buffer {
  try {
    return uncompressSync(block, { asBuffer: true }) as Buffer;
  } catch (cause) {
    throw corruptData('snappy', describe(cause), at);
  }
}

/** A raw block starts with its uncompressed length, so limits are checked before inflating. */
function uncompressedLength(block: Buffer, at: number): number {
  try {
    return new Reader(block).readUVarint();
  } catch {
    throw corruptData('snappy', 'bad uncompressed-length preamble', at);
  }
}
