import type { TopicPartition } from './file-names.js';

/**
 * Kafka's text checkpoint format, shared by recovery-point-offset-checkpoint,
 * log-start-offset-checkpoint, replication-offset-checkpoint, cleaner-offset-checkpoint and
 * leader-epoch-checkpoint: a version line, a count line, then one entry per line.
 */
const CHECKPOINT_VERSION = 0;

export class MalformedCheckpointError extends Error {
  constructor(what: string, detail: string) {
    super(`malformed ${what}: ${detail}`);
    this.name = 'MalformedCheckpointError';
  }
}

function format(lines: readonly string[]): Buffer {
  return Buffer.from(`${CHECKPOINT_VERSION}\n${lines.length}\n${lines.map((l) => l + '\n').join('')}`, 'utf8');
}

/** The entry lines of a checkpoint, after checking the version and the count. */
function entryLines(text: string, what: string): string[] {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  if (lines.length < 2) throw new MalformedCheckpointError(what, 'missing header lines');
  if (lines[0].trim() !== String(CHECKPOINT_VERSION)) throw new MalformedCheckpointError(what, `unknown version ${lines[0]}`);
  const count = Number(lines[1].trim());
  if (!Number.isSafeInteger(count) || count !== lines.length - 2) {
    throw new MalformedCheckpointError(what, `count ${lines[1]} does not match ${lines.length - 2} entries`);
  }
  return lines.slice(2);
}

function parseInt64(field: string, what: string): number {
  const value = Number(field);
  if (!/^-?\d+$/.test(field) || !Number.isSafeInteger(value)) throw new MalformedCheckpointError(what, `bad number ${field}`);
  return value;
}

export interface PartitionOffset extends TopicPartition {
  readonly offset: number;
}

/** `topic partition offset` lines. */
export function formatOffsetCheckpoint(entries: readonly PartitionOffset[]): Buffer {
  return format(entries.map((e) => `${e.topic} ${e.partition} ${e.offset}`));
}

export function parseOffsetCheckpoint(bytes: Buffer, what: string): PartitionOffset[] {
  return entryLines(bytes.toString('utf8'), what).map((line) => {
    const fields = line.trim().split(/\s+/);
    if (fields.length !== 3) throw new MalformedCheckpointError(what, `line "${line}"`);
    return { topic: fields[0], partition: parseInt64(fields[1], what), offset: parseInt64(fields[2], what) };
  });
}

export interface EpochEntry {
  readonly epoch: number;
  readonly startOffset: number;
}

/** `epoch startOffset` lines. */
export function formatEpochCheckpoint(entries: readonly EpochEntry[]): Buffer {
  return format(entries.map((e) => `${e.epoch} ${e.startOffset}`));
}

export function parseEpochCheckpoint(bytes: Buffer, what: string): EpochEntry[] {
  return entryLines(bytes.toString('utf8'), what).map((line) => {
    const fields = line.trim().split(/\s+/);
    if (fields.length !== 2) throw new MalformedCheckpointError(what, `line "${line}"`);
    return { epoch: parseInt64(fields[0], what), startOffset: parseInt64(fields[1], what) };
  });
}
