import path from 'node:path';
import type { AppendedOffsets, RaftLog } from '../raft/raft-log.js';
import { readSlice } from '../storage/file-slice.js';
import { LOG_SUFFIX, offsetFileName, partitionDirName, type TopicPartition } from '../storage/file-names.js';
import { logConfig } from '../storage/log-config.js';
import type { LogDirHealth } from '../storage/log-dir-health.js';
import { PartitionLog } from '../storage/partition-log.js';
import type { Clock } from '../util/clock.js';
import type { FileSystem } from '../util/file-system.js';

/** The Raft partition of the metadata quorum; its directory is `__cluster_metadata-0`. */
export const METADATA_PARTITION: TopicPartition = { topic: '__cluster_metadata', partition: 0 };

/** Kafka's KafkaRaftClient.MAX_BATCH_SIZE_BYTES: the largest batch the quorum writes. */
const MAX_BATCH_BYTES = 8 * 1024 * 1024;

export interface MetadataLogParams {
  readonly fs: FileSystem;
  /** `metadata.log.dir`, or the first of `log.dirs` when it is not set. */
  readonly metadataLogDir: string;
  readonly clock: Clock;
  /** `metadata.log.segment.bytes`. */
  readonly segmentBytes: number;
  /** `metadata.log.segment.ms`. */
  readonly segmentMs: number;
  /** The health of `metadataLogDir` when it is also one of `log.dirs`, so that a failure takes both offline. */
  readonly health?: LogDirHealth;
}

/**
 * The Raft log of the metadata quorum over storage's PartitionLog (Kafka's KafkaMetadataLog).
 * The log is always recovered when opened, as Kafka does for the metadata log, and keeps no
 * retention of its own: only snapshots let its oldest segments go. The quorum flushes it itself.
 */
export class MetadataLog implements RaftLog {
  private constructor(
    private readonly log: PartitionLog,
    private readonly clock: Clock,
  ) {}

  static async open(params: MetadataLogParams): Promise<MetadataLog> {
    const { fs, metadataLogDir, clock } = params;
    await makeDirDurably(fs, metadataLogDir);
    const log = await PartitionLog.open({
      fs,
      dir: path.join(metadataLogDir, partitionDirName(METADATA_PARTITION)),
      topicPartition: METADATA_PARTITION,
      config: logConfig({
        'segment.bytes': params.segmentBytes,
        'segment.ms': params.segmentMs,
        'retention.ms': -1,
        'retention.bytes': -1,
        'max.message.bytes': MAX_BATCH_BYTES,
      }),
      now: clock.now(),
      health: params.health,
      hadCleanShutdown: false,
    });
    return new MetadataLog(log, clock);
  }

  get dir(): string {
    return this.log.dir;
  }

  get startOffset(): number {
    return this.log.logStartOffset;
  }

  get endOffset(): number {
    return this.log.logEndOffset;
  }

  get flushedOffset(): number {
    return this.log.recoveryPoint;
  }

  get lastEpoch(): number {
    return this.log.epochCache.latestEpoch;
  }

  /** What one batch may weigh: storage refuses batches above max.message.bytes or segment.bytes. */
  get maxBatchBytes(): number {
    return Math.min(MAX_BATCH_BYTES, this.log.config['segment.bytes']);
  }

  appendAsLeader(batch: Buffer, epoch: number): AppendedOffsets {
    const info = this.log.appendAsLeader(batch, epoch, this.clock.now(), 'coordinator');
    return { baseOffset: info.firstOffset, lastOffset: info.lastOffset };
  }

  read(startOffset: number, maxOffset: number, maxBytes: number): Buffer {
    const { records } = this.log.read(startOffset, maxBytes, { maxOffset });
    return records === null ? Buffer.alloc(0) : readSlice(records);
  }

  fileOf(offset: number): string {
    const bases = this.log.segmentBaseOffsets;
    let base = bases[0];
    for (const b of bases) if (b <= offset) base = b;
    return path.join(this.log.dir, offsetFileName(base, LOG_SUFFIX));
  }

  async flush(): Promise<void> {
    const now = this.clock.now();
    await this.log.flush(now);
    this.log.deleteExpiredFiles(now);
  }

  updateHighWatermark(offset: number): void {
    this.log.updateHighWatermark(offset);
  }

  async truncateFullyAndStartAt(offset: number): Promise<void> {
    const now = this.clock.now();
    this.log.truncateFullyAndStartAt(offset, now);
    await this.log.flush(now);
  }

  deleteBefore(offset: number): void {
    if (!this.log.advanceLogStartOffset(offset)) return;
    const now = this.clock.now();
    this.log.deleteOldSegments(now);
    this.log.deleteExpiredFiles(now);
  }

  close(): Promise<void> {
    return this.log.close(this.clock.now());
  }
}

/** Creates `dir` and its missing parents so that each survives a crash. */
async function makeDirDurably(fs: FileSystem, dir: string): Promise<void> {
  const missing: string[] = [];
  for (let d = dir; !fs.exists(d); d = path.dirname(d)) missing.unshift(d);
  if (missing.length === 0) return;
  fs.mkdir(dir);
  for (const created of missing) await fs.syncDir(path.dirname(created));
}
