import path from 'node:path';
import { META_PROPERTIES } from '../storage/file-names.js';
import { type MetaProperties, parseMetaProperties } from '../storage/meta-properties.js';
import type { FileSystem } from '../util/file-system.js';

/** The meta.properties of each data directory that has one. */
export function readMetaProperties(fs: FileSystem, dirs: readonly string[]): Map<string, MetaProperties> {
  const found = new Map<string, MetaProperties>();
  for (const dir of dirs) {
    const file = path.join(dir, META_PROPERTIES);
    if (!fs.exists(file)) continue;
    const meta = parseMetaProperties(fs.readFile(file));
    if (typeof meta === 'string') throw new Error(`${file}: ${meta}`);
    found.set(dir, meta);
  }
  return found;
}

/**
 * The cluster id the data directories were formatted with, or null when none is formatted yet.
 * Directories of different clusters are refused with one line.
 */
export function formattedClusterId(fs: FileSystem, dirs: readonly string[]): string | null {
  const found = readMetaProperties(fs, dirs);
  const ids = new Set([...found.values()].map((m) => m.clusterId));
  if (ids.size > 1) {
    const each = [...found].map(([dir, meta]) => `${dir} has cluster.id ${meta.clusterId}`).join(', ');
    throw new Error(`data directories belong to different clusters: ${each}`);
  }
  return ids.size === 1 ? [...ids][0] : null;
}
