import { CompressionType } from '../../../src/protocol/records/batch-header.js';

/** The codecs clients are asked to produce with, by their Kafka names. */
export const CODECS = ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const;
export type Codec = (typeof CODECS)[number];

/** The batch attribute each codec name stands for. */
export const CODEC_TYPES: Record<Codec, CompressionType> = {
  none: CompressionType.None,
  gzip: CompressionType.Gzip,
  snappy: CompressionType.Snappy,
  lz4: CompressionType.Lz4,
  zstd: CompressionType.Zstd,
};
