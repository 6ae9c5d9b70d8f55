import { statfsSync } from 'node:fs';
import { DescribeLogDirsApi } from '../../protocol/generated/apis.js';
import {
  createDescribeLogDirsResponse,
  createDescribeLogDirsResponseDescribeLogDirsPartition,
  createDescribeLogDirsResponseDescribeLogDirsResult,
  createDescribeLogDirsResponseDescribeLogDirsTopic,
  type DescribeLogDirsResponseDescribeLogDirsResult,
} from '../../protocol/generated/clients/describe-log-dirs-response.js';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import type { LogDirDescription, ReplicaManager } from '../../replication/replica-manager.js';
import type { ApiHandler } from './handler.js';

/** The size of the volume a log directory is on. */
export interface DiskSpace {
  readonly totalBytes: number;
  readonly usableBytes: number;
}

export type DiskStats = (dir: string) => DiskSpace;

/** Disk space from statfs(2): usable is what an unprivileged process may still write, as Java's FileStore reports it. */
export function statfsDiskStats(dir: string): DiskSpace {
  const stats = statfsSync(dir);
  return { totalBytes: stats.blocks * stats.bsize, usableBytes: stats.bavail * stats.bsize };
}

/** DescribeLogDirs v4 reports the volume's total and usable bytes. */
const FIRST_DISK_SPACE_VERSION = 4;

/**
 * DescribeLogDirs v0-v4: every log directory with its partitions' sizes; an offline directory
 * answers KAFKA_STORAGE_ERROR, one whose volume cannot be measured UNKNOWN_SERVER_ERROR (Kafka's
 * answer to the IOException).
 */
export function describeLogDirsHandler(replicas: ReplicaManager, diskStats: DiskStats): ApiHandler<35> {
  const result = (dir: LogDirDescription, version: number): DescribeLogDirsResponseDescribeLogDirsResult => {
    if (dir.offline) return createDescribeLogDirsResponseDescribeLogDirsResult({ errorCode: ErrorCode.KAFKA_STORAGE_ERROR, logDir: dir.dir });
    let space: DiskSpace = { totalBytes: -1, usableBytes: -1 };
    if (version >= FIRST_DISK_SPACE_VERSION) {
      try {
        space = diskStats(dir.dir);
      } catch {
        return createDescribeLogDirsResponseDescribeLogDirsResult({ errorCode: ErrorCode.UNKNOWN_SERVER_ERROR, logDir: dir.dir });
      }
    }
    return createDescribeLogDirsResponseDescribeLogDirsResult({
      errorCode: ErrorCode.NONE,
      logDir: dir.dir,
      topics: dir.topics.map((topic) =>
        createDescribeLogDirsResponseDescribeLogDirsTopic({
          name: topic.name,
          partitions: topic.partitions.map((p) =>
            createDescribeLogDirsResponseDescribeLogDirsPartition({
              partitionIndex: p.partition,
              partitionSize: p.size,
              offsetLag: p.offsetLag,
              isFutureKey: false,
            }),
          ),
        }),
      ),
      ...space,
    });
  };
  return {
    api: DescribeLogDirsApi,
    minVersion: 0,
    maxVersion: 4,
    handle(request, { apiVersion }) {
      const wanted = request.topics === null ? null : new Set(request.topics.flatMap((t) => t.partitions.map((p) => `${t.topic}-${p}`)));
      return createDescribeLogDirsResponse({ results: replicas.describeLogDirs(wanted).map((dir) => result(dir, apiVersion)) });
    },
  };
}
