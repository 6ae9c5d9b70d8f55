import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { CompressionType } from '../../../src/protocol/records/batch-header.js';
import { batchViews } from '../../../src/replication/batch-views.js';

/** The codecs of the batches stored for a topic (one partition, or all), read from its segment files in `dataDir`. */
export function storedCodecs(dataDir: string, topic: string, partition?: number): Set<CompressionType> {
  const dirs = readdirSync(dataDir).filter((d) => (partition === undefined ? d.startsWith(`${topic}-`) && /^\d+$/.test(d.slice(topic.length + 1)) : d === `${topic}-${partition}`));
  const codecs = new Set<CompressionType>();
  for (const dir of dirs) {
    for (const file of readdirSync(path.join(dataDir, dir)).filter((f) => f.endsWith('.log'))) {
      for (const batch of batchViews(readFileSync(path.join(dataDir, dir, file))) ?? []) codecs.add(batch.compression);
    }
  }
  return codecs;
}
