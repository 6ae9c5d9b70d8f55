/**
 * Child process of the SIGKILL test: appends numbered batches to a real log directory as fast
 * as it can, flushing every 25 batches, and reports progress on stdout until it is killed.
 */
import path from 'node:path';
import { NodeFileSystem } from '../../../src/util/node-file-system.js';
import { logConfig } from '../../../src/storage/log-config.js';
import { PartitionLog } from '../../../src/storage/partition-log.js';
import { numberedBatch } from './numbered-batch.js';

const dir = process.argv[2];
const log = await PartitionLog.open({
  fs: new NodeFileSystem(),
  dir: path.join(dir, 'events-0'),
  topicPartition: { topic: 'events', partition: 0 },
  config: logConfig({ 'segment.bytes': 256 * 1024 }),
  now: Date.now(),
});
for (let i = 0; ; i++) {
  log.appendAsLeader(numberedBatch(i), 0, Date.now());
  if (i % 25 === 24) {
    await log.flush(Date.now());
    process.stdout.write(`flushed ${log.recoveryPoint}\n`);
  } else if (i % 5 === 4) {
    process.stdout.write(`appended ${log.logEndOffset}\n`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}
