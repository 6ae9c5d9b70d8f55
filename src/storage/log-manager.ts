import path from 'node:path';
import { AtomicFile } from '../util/atomic-file.js';
import type { FileSystem } from '../util/file-system.js';
import type { Random } from '../util/random.js';
import { randomUuid } from '../util/uuid.js';
import {
  formatOffsetCheckpoint,
  MalformedCheckpointError,
  parseOffsetCheckpoint,
  type PartitionOffset,
} from './checkpoint-file.js';
import { KafkaStorageError } from './errors.js';
import {
  CLEAN_SHUTDOWN_MARKER,
  LOG_START_OFFSET_CHECKPOINT,
  CLUSTER_METADATA_PARTITION_DIR,
  META_PROPERTIES,
  parsePartitionDirName,
  partitionDirName,
  RECOVERY_POINT_CHECKPOINT,
  REPLICATION_OFFSET_CHECKPOINT,
  type TopicPartition,
} from './file-names.js';
import type { LogConfig, LogManagerConfig } from './log-config.js';
import { LogDirHealth } from './log-dir-health.js';
import { formatMetaProperties, parseMetaProperties, type MetaProperties } from './meta-properties.js';
import { LogCleaner } from './cleaner/log-cleaner.js';
import { PartitionLog } from './partition-log.js';
import type { ProducerStateConfig } from './producer-state/producer-state-manager.js';

export interface LogManagerParams {
  readonly fs: FileSystem;
  readonly config: LogManagerConfig;
  /** The log config of a topic (defaults merged with its overrides). */
  readonly topicConfig: (topic: string) => LogConfig;
  readonly clusterId: string;
  readonly nodeId: number;
  /** Draws the directory.id of directories formatted here. */
  readonly random: Random;
  readonly now: number;
  /**
   * producer.id.expiration.ms as it is now (a dynamic broker config); default: the value in
   * `config`.
   */
  readonly producerIdExpirationMs?: () => number;
}

/** One entry of log.dirs and its per-directory files. */
interface LogDir {
  readonly path: string;
  readonly health: LogDirHealth;
  readonly recoveryPoints: AtomicFile;
  readonly logStartOffsets: AtomicFile;
  readonly highWatermarks: AtomicFile;
}

type Task = 'retention' | 'flush' | 'recoveryPointCheckpoint' | 'logStartCheckpoint' | 'producerExpiration';

/** Kafka's suffix for the directory of a deleted partition, removed after file.delete.delay.ms. */
export const DELETE_DIR_SUFFIX = '-delete';

/** A deleted partition's renamed directory, waiting for its removal. */
interface DirToDelete {
  readonly dir: LogDir;
  readonly path: string;
  readonly dueMs: number;
}

/**
 * All partition logs of the broker across its log directories (Kafka's LogManager): loads them
 * at startup (recovering those of directories without the clean-shutdown marker), creates new
 * ones, runs the periodic retention, flush and checkpoint tasks when given the time, and shuts
 * down cleanly. A directory whose disk fails goes offline alone; the others keep working.
 */
export class LogManager {
  private readonly logs = new Map<string, PartitionLog>();
  private readonly lastRun = new Map<Task, number>();
  private dirsToDelete: DirToDelete[] = [];
  /** The compactor, when log.cleaner.enable is set; a driver calls its `work` repeatedly. */
  readonly cleaner: LogCleaner | null;

  private constructor(
    private readonly params: LogManagerParams,
    private readonly dirs: readonly LogDir[],
  ) {
    this.cleaner = params.config['log.cleaner.enable']
      ? new LogCleaner({
          fs: params.fs,
          logDirs: dirs.map((d) => d.path),
          logs: () => this.onlineLogs(),
          dedupeBufferBytes: params.config['log.cleaner.dedupe.buffer.size'],
        })
      : null;
    for (const task of ['retention', 'flush', 'recoveryPointCheckpoint', 'logStartCheckpoint', 'producerExpiration'] as const) {
      this.lastRun.set(task, params.now);
    }
  }

  static async start(params: LogManagerParams): Promise<LogManager> {
    const { fs } = params;
    const dirs = params.config['log.dirs'].map(
      (dir): LogDir => ({
        path: dir,
        health: new LogDirHealth(dir),
        recoveryPoints: new AtomicFile(fs, path.join(dir, RECOVERY_POINT_CHECKPOINT)),
        logStartOffsets: new AtomicFile(fs, path.join(dir, LOG_START_OFFSET_CHECKPOINT)),
        highWatermarks: new AtomicFile(fs, path.join(dir, REPLICATION_OFFSET_CHECKPOINT)),
      }),
    );
    const manager = new LogManager(params, dirs);
    for (const dir of dirs) {
      try {
        await manager.loadDir(dir);
      } catch (err) {
        const failure = dir.health.storageError(err, `loading ${dir.path}`);
        if (!(failure instanceof KafkaStorageError)) throw failure;
      }
    }
    if (dirs.every((d) => d.health.isOffline)) throw new KafkaStorageError('every log directory is offline');
    return manager;
  }

  private async loadDir(dir: LogDir): Promise<void> {
    const { fs } = this.params;
    if (!fs.exists(dir.path)) {
      fs.mkdir(dir.path);
      await fs.syncDir(path.dirname(dir.path));
    }
    await this.checkMetaProperties(dir);
    const marker = path.join(dir.path, CLEAN_SHUTDOWN_MARKER);
    const hadCleanShutdown = fs.exists(marker);
    if (hadCleanShutdown) {
      // From here on a crash must be treated as unclean.
      fs.unlink(marker);
      await fs.syncDir(dir.path);
    }
    const recoveryPoints = readOffsets(dir.recoveryPoints);
    const logStartOffsets = readOffsets(dir.logStartOffsets);
    const highWatermarks = readOffsets(dir.highWatermarks);
    for (const name of fs.readdir(dir.path).sort()) {
      if (name.endsWith(DELETE_DIR_SUFFIX) && fs.stat(path.join(dir.path, name)).isDirectory) {
        // A deletion that did not finish before the last shutdown.
        this.removeDir(path.join(dir.path, name));
        continue;
      }
      const tp = parsePartitionDirName(name);
      if (tp === null || name === CLUSTER_METADATA_PARTITION_DIR || !fs.stat(path.join(dir.path, name)).isDirectory) continue;
      const key = partitionDirName(tp);
      if (this.logs.has(key)) throw new Error(`partition ${key} is in two log directories`);
      const log = await PartitionLog.open({
        fs,
        dir: path.join(dir.path, name),
        topicPartition: tp,
        config: this.params.topicConfig(tp.topic),
        now: this.params.now,
        health: dir.health,
        recoveryPoint: recoveryPoints.get(key),
        logStartOffset: logStartOffsets.get(key),
        highWatermark: highWatermarks.get(key),
        hadCleanShutdown,
        producerState: this.producerStateConfig,
      });
      this.logs.set(key, log);
    }
  }

  /** Formats a new directory; refuses one that belongs to another cluster or node. */
  private async checkMetaProperties(dir: LogDir): Promise<void> {
    const file = new AtomicFile(this.params.fs, path.join(dir.path, META_PROPERTIES));
    const existing = file.read();
    if (existing === null) {
      const meta: MetaProperties = {
        clusterId: this.params.clusterId,
        nodeId: this.params.nodeId,
        directoryId: randomUuid(this.params.random),
      };
      await file.write(formatMetaProperties(meta));
      return;
    }
    const meta = parseMetaProperties(existing);
    if (typeof meta === 'string') throw new Error(`${file.path}: ${meta}`);
    if (meta.clusterId !== this.params.clusterId) {
      throw new Error(`${file.path}: cluster.id ${meta.clusterId} does not match this cluster's ${this.params.clusterId}`);
    }
    if (meta.nodeId !== this.params.nodeId) {
      throw new Error(`${file.path}: node.id ${meta.nodeId} does not match this broker's ${this.params.nodeId}`);
    }
  }

  private get producerStateConfig(): ProducerStateConfig {
    const { params } = this;
    return { producerIdExpirationMs: params.producerIdExpirationMs ?? (() => params.config['producer.id.expiration.ms']) };
  }

  get offlineDirs(): string[] {
    return this.dirs.filter((d) => d.health.isOffline).map((d) => d.path);
  }

  get allLogs(): PartitionLog[] {
    return [...this.logs.values()];
  }

  getLog(tp: TopicPartition): PartitionLog | undefined {
    return this.logs.get(partitionDirName(tp));
  }

  /** The partition's log, created in the online directory holding the fewest partitions if new. */
  async getOrCreateLog(tp: TopicPartition, now: number, topicId?: string): Promise<PartitionLog> {
    const existing = this.getLog(tp);
    if (existing !== undefined) return existing;
    const dir = this.leastLoadedDir();
    const log = await PartitionLog.open({
      fs: this.params.fs,
      dir: path.join(dir.path, partitionDirName(tp)),
      topicPartition: tp,
      config: this.params.topicConfig(tp.topic),
      now,
      health: dir.health,
      producerState: this.producerStateConfig,
    });
    if (topicId !== undefined) await log.writePartitionMetadata(topicId);
    this.logs.set(partitionDirName(tp), log);
    return log;
  }

  /**
   * Takes a partition's log away (its topic was deleted or its replica moved to another broker),
   * as Kafka's asyncDelete: the log is closed, its directory renamed to
   * `<topic>-<partition>.<uniqueId>-delete` and the rename made durable, so that a restart does
   * not bring the log back, and the directory's checkpoints rewritten without it. `tick` removes
   * the renamed directory once file.delete.delay.ms has passed (a fetch may still hold a slice of
   * it until then); a restart removes any left over.
   */
  async deleteLog(tp: TopicPartition, now: number): Promise<void> {
    const log = this.getLog(tp);
    if (log === undefined) return;
    this.logs.delete(partitionDirName(tp));
    const dir = this.dirOf(log);
    await this.cleaner?.abortAndPause(log);
    try {
      await log.close(now);
      const renamed = path.join(dir.path, deleteDirName(tp, this.params.random));
      this.params.fs.rename(log.dir, renamed);
      await this.params.fs.syncDir(dir.path);
      this.dirsToDelete.push({ dir, path: renamed, dueMs: now + log.config['file.delete.delay.ms'] });
    } catch (err) {
      ignoreStorageError(dir.health.storageError(err, `deleting ${log.dir}`));
    } finally {
      // Forget how far the cleaner got, so that a new log of the same name starts afresh.
      await this.cleaner?.resume(log, 0);
    }
    await this.checkpointRecoveryPoints(dir);
    await this.checkpointLogStartOffsets(dir);
  }

  /** Removes the directories of deleted logs whose delay has passed. */
  private removeDeletedDirs(now: number): void {
    const due = this.dirsToDelete.filter((d) => d.dueMs <= now);
    if (due.length === 0) return;
    this.dirsToDelete = this.dirsToDelete.filter((d) => d.dueMs > now);
    for (const { dir, path: dirPath } of due) {
      if (dir.health.isOffline) continue;
      try {
        this.removeDir(dirPath);
      } catch (err) {
        ignoreStorageError(dir.health.storageError(err, `removing ${dirPath}`));
      }
    }
  }

  private removeDir(dirPath: string): void {
    const { fs } = this.params;
    for (const name of fs.readdir(dirPath)) {
      const entry = path.join(dirPath, name);
      if (fs.stat(entry).isDirectory) this.removeDir(entry);
      else fs.unlink(entry);
    }
    fs.rmdir(dirPath);
  }

  private leastLoadedDir(): LogDir {
    const online = this.dirs.filter((d) => !d.health.isOffline);
    if (online.length === 0) throw new KafkaStorageError('no log directory is online');
    const count = (dir: LogDir): number => this.allLogs.filter((l) => l.health === dir.health).length;
    return online.reduce((best, dir) => (count(dir) < count(best) ? dir : best));
  }

  private onlineLogs(): PartitionLog[] {
    return this.allLogs.filter((l) => !l.health.isOffline);
  }

  /** Applies a topic's changed config to its logs. */
  updateTopicConfig(topic: string): void {
    const config = this.params.topicConfig(topic);
    for (const log of this.allLogs) if (log.topicPartition.topic === topic) log.updateConfig(config);
  }

  /**
   * Runs whatever periodic work is due at `now`: retention every log.retention.check.interval.ms,
   * flushes every log.flush.scheduler.interval.ms (and whenever a log asks for one), the
   * recovery point and log start checkpoints at their intervals, and delayed file and directory
   * deletions.
   * A driver calls it on a timer; simulations call it with their own clock.
   */
  async tick(now: number): Promise<void> {
    const config = this.params.config;
    if (this.due('retention', now, config['log.retention.check.interval.ms'])) this.runRetention(now);
    if (this.due('producerExpiration', now, config['producer.id.expiration.check.interval.ms'])) this.removeExpiredProducers(now);
    for (const log of this.onlineLogs()) {
      try {
        log.deleteExpiredFiles(now);
      } catch (err) {
        if (!(err instanceof KafkaStorageError)) throw err;
      }
    }
    this.removeDeletedDirs(now);
    await this.flushLogs(now, this.due('flush', now, config['log.flush.scheduler.interval.ms']));
    if (this.due('recoveryPointCheckpoint', now, config['log.flush.offset.checkpoint.interval.ms'])) {
      await this.checkpointRecoveryPoints();
    }
    if (this.due('logStartCheckpoint', now, config['log.flush.start.offset.checkpoint.interval.ms'])) {
      await this.checkpointLogStartOffsets();
    }
  }

  private due(task: Task, now: number, intervalMs: number): boolean {
    if (now - this.lastRun.get(task)! < intervalMs) return false;
    this.lastRun.set(task, now);
    return true;
  }

  /** One retention pass over every online log; returns the number of segments deleted. */
  runRetention(now: number): number {
    let deleted = 0;
    for (const log of this.onlineLogs()) {
      try {
        deleted += log.deleteOldSegments(now).count;
      } catch (err) {
        if (!(err instanceof KafkaStorageError)) throw err;
      }
    }
    return deleted;
  }

  /** Forgets, in every log, the producer ids idle for producer.id.expiration.ms; returns how many. */
  removeExpiredProducers(now: number): number {
    let removed = 0;
    for (const log of this.onlineLogs()) removed += log.removeExpiredProducers(now);
    return removed;
  }

  /** Flushes the logs that ask for it (flush.messages, flush.ms, a rolled segment), or all with `all`. */
  async flushLogs(now: number, all = false): Promise<void> {
    await Promise.all(
      this.onlineLogs()
        .filter((log) => all || log.isFlushDue(now))
        .map((log) => log.flush(now).catch((err: unknown) => ignoreStorageError(err))),
    );
  }

  /**
   * Truncates a log (replication, on a diverged follower) and makes the truncation durable
   * before returning: the truncated segment and the directory (segments removed) are fsynced
   * and the recovery point checkpointed, as Kafka checkpoints it. Otherwise a crash could bring
   * back removed segments behind a shortened one and leave a gap in the offsets.
   */
  async truncateTo(tp: TopicPartition, offset: number, now: number): Promise<boolean> {
    const log = this.requireLog(tp);
    await this.cleaner?.abortAndPause(log);
    try {
      const truncated = log.truncateTo(offset, now);
      if (truncated) {
        await log.flush(now);
        await this.checkpointRecoveryPoints(this.dirOf(log));
      }
      return truncated;
    } finally {
      await this.cleaner?.resume(log, offset);
    }
  }

  /** Empties a log to restart it at `offset`, durably, as truncateTo does. */
  async truncateFullyAndStartAt(tp: TopicPartition, offset: number, now: number): Promise<void> {
    const log = this.requireLog(tp);
    await this.cleaner?.abortAndPause(log);
    try {
      log.truncateFullyAndStartAt(offset, now);
      await log.flush(now);
      await this.checkpointRecoveryPoints(this.dirOf(log));
      await this.checkpointLogStartOffsets(this.dirOf(log));
    } finally {
      await this.cleaner?.resume(log, offset);
    }
  }

  private requireLog(tp: TopicPartition): PartitionLog {
    const log = this.getLog(tp);
    if (log === undefined) throw new Error(`no log for ${partitionDirName(tp)}`);
    return log;
  }

  private dirOf(log: PartitionLog): LogDir {
    return this.dirs.find((d) => d.health === log.health)!;
  }

  checkpointRecoveryPoints(only?: LogDir): Promise<void> {
    return this.writeCheckpoint((dir) => dir.recoveryPoints, (log) => log.recoveryPoint, only);
  }

  checkpointLogStartOffsets(only?: LogDir): Promise<void> {
    return this.writeCheckpoint((dir) => dir.logStartOffsets, (log) => log.logStartOffset, only);
  }

  /** replication-offset-checkpoint: the high watermark of every log (replication calls this). */
  checkpointHighWatermarks(): Promise<void> {
    return this.writeCheckpoint((dir) => dir.highWatermarks, (log) => log.highWatermark);
  }

  private async writeCheckpoint(
    file: (dir: LogDir) => AtomicFile,
    offsetOf: (log: PartitionLog) => number,
    only?: LogDir,
  ): Promise<void> {
    await Promise.all(
      this.dirs
        .filter((dir) => !dir.health.isOffline && (only === undefined || dir === only))
        .map(async (dir) => {
          const entries: PartitionOffset[] = this.allLogs
            .filter((log) => log.health === dir.health)
            .map((log) => ({ ...log.topicPartition, offset: offsetOf(log) }));
          try {
            await file(dir).write(formatOffsetCheckpoint(entries));
          } catch (err) {
            ignoreStorageError(dir.health.storageError(err, `writing ${file(dir).path}`));
          }
        }),
    );
  }

  /**
   * Clean shutdown: every log is flushed and closed, the checkpoints written, and only then the
   * marker that lets the next start skip recovery.
   */
  async shutdown(now: number): Promise<void> {
    await this.cleaner?.shutdown();
    await Promise.all(this.allLogs.map((log) => log.close(now).catch((err: unknown) => ignoreStorageError(err))));
    await this.checkpointRecoveryPoints();
    await this.checkpointLogStartOffsets();
    await this.checkpointHighWatermarks();
    for (const dir of this.dirs) {
      if (dir.health.isOffline) continue;
      try {
        await new AtomicFile(this.params.fs, path.join(dir.path, CLEAN_SHUTDOWN_MARKER)).write(
          Buffer.from(JSON.stringify({ version: 0, brokerEpoch: -1 })),
        );
      } catch (err) {
        ignoreStorageError(dir.health.storageError(err, `writing the clean shutdown marker in ${dir.path}`));
      }
    }
  }
}

/** Storage errors already took their directory offline; anything else is a bug and propagates. */
function ignoreStorageError(err: unknown): void {
  if (!(err instanceof KafkaStorageError)) throw err;
}

function readOffsets(file: AtomicFile): Map<string, number> {
  const offsets = new Map<string, number>();
  const bytes = file.read();
  if (bytes === null) return offsets;
  try {
    for (const entry of parseOffsetCheckpoint(bytes, file.path)) offsets.set(partitionDirName(entry), entry.offset);
  } catch (err) {
    // A malformed checkpoint is ignored: every log in the directory is then recovered in full.
    if (!(err instanceof MalformedCheckpointError)) throw err;
  }
  return offsets;
}

/**
 * Kafka's name for a deleted partition's directory: `<topic>-<partition>.<uuid hex>-delete`, the
 * topic cut short if needed to keep the name within 255 characters.
 */
export function deleteDirName(tp: TopicPartition, random: Random): string {
  let uniqueId = '';
  for (let i = 0; i < 32; i++) uniqueId += random.int(16).toString(16);
  const suffix = `-${tp.partition}.${uniqueId}${DELETE_DIR_SUFFIX}`;
  return tp.topic.slice(0, Math.min(tp.topic.length, 255 - suffix.length)) + suffix;
}

/** A random version-4 UUID in Kafka's base64url form. */
