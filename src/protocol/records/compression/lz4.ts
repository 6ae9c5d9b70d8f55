import { compressFrameSync, decompressFrameSync } from 'lz4-napi';
import { corruptData, describe, outputTooLarge } from './codec-error.js';
import { xxhash32 } from './xxhash32.js';

/**
 * Kafka's LZ4 is the standard LZ4 frame format. We walk the frame's structure here (to bound the
 * output before inflating, and to accept the header checksum of old clients) and leave the
 * decoding of blocks and checksums to lz4-napi.
 */
const FRAME_MAGIC = 0x184d2204;
const MAGIC_SIZE = 4;
const FLG_VERSION_MASK = 0xc0;
const FLG_VERSION_01 = 0x40;
const FLG_BLOCK_CHECKSUM = 0x10;
const FLG_CONTENT_SIZE = 0x08;
const FLG_CONTENT_CHECKSUM = 0x04;
const FLG_RESERVED = 0x02;
const FLG_DICT_ID = 0x01;
const BD_RESERVED = 0x8f;
/** Block maximum sizes by the BD byte's bits 4-6; values 0-3 are reserved. */
const BLOCK_MAX_SIZES = [0, 0, 0, 0, 64 << 10, 256 << 10, 1 << 20, 4 << 20];
const BLOCK_UNCOMPRESSED = 0x80000000;
const BLOCK_SIZE_MASK = 0x7fffffff;
/** An LZ4 sequence yields at most 255 output bytes per input byte (one length-extension byte). */
const MAX_EXPANSION = 255;
const TWO_POW_32 = 4294967296;

export interface Lz4CompressOptions {
  /**
   * Write the header checksum Kafka wrote for magic v0 messages, computed over the magic number
   * too (KAFKA-3160). Old clients reading v0 messages expect it.
   */
  brokenHeaderChecksum?: boolean;
}

export function compressLz4(data: Buffer, options: Lz4CompressOptions = {}): Buffer {
  const frame = compressFrameSync(data);
  if (options.brokenHeaderChecksum) {
    const at = headerChecksumPosition(frame[MAGIC_SIZE]);
    frame[at] = headerChecksumOf(frame.subarray(0, at));
  }
  return frame;
}

/**
 * Decompresses one LZ4 frame. The header checksum may be the standard one or the KAFKA-3160 one
 * (also computed over the magic number), which Kafka accepts from magic v0 producers.
 */
export function decompressLz4(data: Buffer, maxOutputBytes: number): Buffer {
  const frame = walkFrame(data);
  if (frame.contentSize !== null && frame.contentSize > maxOutputBytes) throw outputTooLarge('lz4', maxOutputBytes);
  // Encoders fill every block but the last, so a frame whose output fits can overshoot the
  // bound by at most one block; memory stays within maxOutputBytes plus one block.
  if (frame.outputBound > maxOutputBytes + frame.blockMaxSize) throw outputTooLarge('lz4', maxOutputBytes);
  let out: Buffer;
  try {
    out = decompressFrameSync(withStandardHeaderChecksum(data, frame));
  } catch (cause) {
    throw corruptData('lz4', describe(cause));
  }
  if (out.length > maxOutputBytes) throw outputTooLarge('lz4', maxOutputBytes);
  return out;
}

interface FrameLayout {
  headerChecksumAt: number;
  standardHeaderChecksum: number;
  blockMaxSize: number;
  contentSize: number | null;
  /** Most bytes the blocks can decompress to. */
  outputBound: number;
}

function headerChecksumPosition(flg: number): number {
  return MAGIC_SIZE + 2 + (flg & FLG_CONTENT_SIZE ? 8 : 0) + (flg & FLG_DICT_ID ? 4 : 0);
}

function headerChecksumOf(descriptor: Buffer): number {
  return (xxhash32(descriptor) >>> 8) & 0xff;
}

function walkFrame(data: Buffer): FrameLayout {
  const need = (pos: number, n: number): void => {
    if (pos + n > data.length) throw corruptData('lz4', 'truncated frame', pos);
  };
  need(0, MAGIC_SIZE + 3);
  if (data.readUInt32LE(0) !== FRAME_MAGIC) throw corruptData('lz4', 'not an LZ4 frame');
  const flg = data[MAGIC_SIZE];
  const bd = data[MAGIC_SIZE + 1];
  if ((flg & FLG_VERSION_MASK) !== FLG_VERSION_01) throw corruptData('lz4', 'unsupported frame version', MAGIC_SIZE);
  if (flg & FLG_RESERVED || bd & BD_RESERVED) throw corruptData('lz4', 'reserved descriptor bits set', MAGIC_SIZE);
  if (flg & FLG_DICT_ID) throw corruptData('lz4', 'frames that need a dictionary are not supported', MAGIC_SIZE);
  const blockMaxSize = BLOCK_MAX_SIZES[(bd >> 4) & 0x07];
  if (blockMaxSize === 0) throw corruptData('lz4', 'reserved block maximum size', MAGIC_SIZE + 1);

  const headerChecksumAt = headerChecksumPosition(flg);
  need(0, headerChecksumAt + 1);
  const contentSize =
    flg & FLG_CONTENT_SIZE ? data.readUInt32LE(MAGIC_SIZE + 6) * TWO_POW_32 + data.readUInt32LE(MAGIC_SIZE + 2) : null;
  const checksum = data[headerChecksumAt];
  const standardHeaderChecksum = headerChecksumOf(data.subarray(MAGIC_SIZE, headerChecksumAt));
  if (checksum !== standardHeaderChecksum && checksum !== headerChecksumOf(data.subarray(0, headerChecksumAt))) {
    throw corruptData('lz4', 'frame descriptor checksum mismatch', headerChecksumAt);
  }

  const blockChecksumSize = flg & FLG_BLOCK_CHECKSUM ? 4 : 0;
  let outputBound = 0;
  let pos = headerChecksumAt + 1;
  for (;;) {
    need(pos, 4);
    const word = data.readUInt32LE(pos);
    pos += 4;
    if (word === 0) break;
    const size = word & BLOCK_SIZE_MASK;
    if (size > blockMaxSize) {
      throw corruptData('lz4', `block of ${size} bytes exceeds the ${blockMaxSize} maximum`, pos - 4);
    }
    need(pos, size + blockChecksumSize);
    outputBound += word & BLOCK_UNCOMPRESSED ? size : Math.min(blockMaxSize, size * MAX_EXPANSION);
    pos += size + blockChecksumSize;
  }
  if (flg & FLG_CONTENT_CHECKSUM) {
    need(pos, 4);
    pos += 4;
  }
  if (pos !== data.length) throw corruptData('lz4', `${data.length - pos} bytes after the end of the frame`, pos);
  return { headerChecksumAt, standardHeaderChecksum, blockMaxSize, contentSize, outputBound };
}

/** lz4-napi insists on the standard header checksum: a KAFKA-3160 frame gets a corrected copy. */
function withStandardHeaderChecksum(data: Buffer, frame: FrameLayout): Buffer {
  if (data[frame.headerChecksumAt] === frame.standardHeaderChecksum) return data;
  const copy = Buffer.from(data);
  copy[frame.headerChecksumAt] = frame.standardHeaderChecksum;
  return copy;
}
