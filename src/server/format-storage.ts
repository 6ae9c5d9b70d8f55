import path from 'node:path';
import { randomUuid } from '../util/uuid.js';
import { logManagerConfig, metadataLogDir } from '../config/broker-views.js';
import { META_PROPERTIES } from '../storage/file-names.js';
import { formatMetaProperties } from '../storage/meta-properties.js';
import { AtomicFile } from '../util/atomic-file.js';
import { CryptoRandom } from '../util/crypto-random.js';
import type { FileSystem } from '../util/file-system.js';
import { NodeFileSystem } from '../util/node-file-system.js';
import type { Random } from '../util/random.js';
import { type ConfigSources, loadConfig } from './broker-config.js';
import { formattedClusterId } from './cluster-id.js';

export interface FormatOptions extends ConfigSources {
  /** The cluster id to format with; a new random one when absent. */
  readonly clusterId?: string;
  /** Succeed, changing nothing, when the directories are already formatted. */
  readonly ignoreFormatted: boolean;
}

/** Every directory a broker keeps data in: log.dirs and the metadata log's directory. */
export function dataDirectories(config: Parameters<typeof logManagerConfig>[0]): string[] {
  return [...new Set([...logManagerConfig(config)['log.dirs'], metadataLogDir(config)])];
}

/** Writes a meta.properties into each directory that has none, creating the directory if needed. */
export async function writeMetaProperties(fs: FileSystem, dirs: readonly string[], clusterId: string, nodeId: number, random: Random): Promise<void> {
  for (const dir of dirs) {
    const file = path.join(dir, META_PROPERTIES);
    if (fs.exists(file)) continue;
    fs.mkdir(dir);
    await new AtomicFile(fs, file).write(formatMetaProperties({ clusterId, nodeId, directoryId: randomUuid(random) }));
  }
}

/**
 * Writes meta.properties (cluster id, node id, a directory id) into every data directory, as
 * `kafka-storage format` does; refuses directories formatted already unless told to ignore them.
 * Returns the line to print.
 */
export async function formatStorage(options: FormatOptions): Promise<string> {
  const { config } = await loadConfig({ ...options, env: options.env ?? process.env });
  const fs = new NodeFileSystem();
  const dirs = dataDirectories(config);
  const existing = formattedClusterId(fs, dirs);
  if (existing !== null) {
    if (options.ignoreFormatted) return `already formatted with cluster.id ${existing}: ${dirs.join(', ')}`;
    throw new Error(`already formatted with cluster.id ${existing} (use --ignore-formatted to accept that): ${dirs.join(', ')}`);
  }
  const random = new CryptoRandom();
  const clusterId = options.clusterId ?? randomUuid(random);
  if (!/^[A-Za-z0-9_-]{22}$/.test(clusterId)) throw new Error(`cluster id ${clusterId} is not a 22-character base64url UUID`);
  await writeMetaProperties(fs, dirs, clusterId, config['node.id'], random);
  return `formatted ${dirs.join(', ')} with cluster.id ${clusterId} for node.id ${config['node.id']}`;
}
