import { DecodeError } from '../../decode-error.js';
import { CompressionType } from '../batch-header.js';
import { compressGzip, decompressGzip } from './gzip.js';
import { compressLz4, decompressLz4 } from './lz4.js';
import { compressSnappy, decompressSnappy } from './snappy.js';
import { compressZstd, decompressZstd } from './zstd.js';

/** Synchronous on purpose: docs/records.md weighs the native calls against async ones. */
export interface CompressionCodec {
  readonly name: string;
  compress(data: Buffer): Buffer;
  /** Throws DecodeError for corrupt input or output beyond maxOutputBytes. */
  decompress(data: Buffer, maxOutputBytes: number): Buffer;
}

/** How many bytes one decode call may inflate unless the caller says otherwise. */
export const DEFAULT_MAX_DECOMPRESSED_BYTES = 64 * 1024 * 1024;

export interface DecompressionLimit {
  /** Total bytes a decode call may decompress, across all compressed parts it meets. */
  maxDecompressedBytes?: number;
}

const CODECS: Readonly<Record<number, CompressionCodec>> = {
  [CompressionType.Gzip]: { name: 'gzip', compress: compressGzip, decompress: decompressGzip },
  [CompressionType.Snappy]: { name: 'snappy', compress: compressSnappy, decompress: decompressSnappy },
  [CompressionType.Lz4]: { name: 'lz4', compress: compressLz4, decompress: decompressLz4 },
  [CompressionType.Zstd]: { name: 'zstd', compress: compressZstd, decompress: decompressZstd },
};

/** The codec for a compressed type; CompressionType.None has none. */
export function codecFor(type: CompressionType): CompressionCodec {
  const codec = CODECS[type];
  if (codec === undefined) throw new RangeError(`no codec for compression type ${type}`);
  return codec;
}

/** A compression id read from attributes, checked: ids 5-7 are not defined by Kafka. */
export function compressionTypeOf(id: number, at: number): CompressionType {
  if (id < CompressionType.None || id > CompressionType.Zstd) {
    throw new DecodeError(`unknown compression type ${id}`, at);
  }
  return id;
}
