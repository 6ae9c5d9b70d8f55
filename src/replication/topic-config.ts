import { CompressionType } from '../protocol/records/batch-header.js';
import type { LogConfig } from '../storage/log-config.js';

export type CompressionSetting = 'uncompressed' | 'zstd' | 'lz4' | 'snappy' | 'gzip' | 'producer';

/**
 * What the data plane needs to know about a topic: storage's LogConfig plus the produce and
 * fetch settings. The config layer's TopicConfig (effectiveTopicConfig) is one.
 */
export interface ReplicaTopicConfig extends LogConfig {
  readonly 'compression.type': CompressionSetting;
  readonly 'min.insync.replicas': number;
  readonly 'message.downconversion.enable': boolean;
}

const CODECS: Readonly<Record<Exclude<CompressionSetting, 'producer'>, CompressionType>> = {
  uncompressed: CompressionType.None,
  gzip: CompressionType.Gzip,
  snappy: CompressionType.Snappy,
  lz4: CompressionType.Lz4,
  zstd: CompressionType.Zstd,
};

/** The codec a batch is stored with (Kafka's BrokerCompressionType.targetCompression). */
export function targetCompression(setting: CompressionSetting, source: CompressionType): CompressionType {
  return setting === 'producer' ? source : CODECS[setting];
}
