import path from 'node:path';
import { type QuorumStateData, createQuorumStateData, createQuorumStateDataVoter } from '../protocol/generated/raft/quorum-state-data.js';
import { AtomicFile } from '../util/atomic-file.js';
import type { FileSystem } from '../util/file-system.js';

/** The file in the metadata partition directory that holds the node's election state. */
export const QUORUM_STATE_FILE = 'quorum-state';

/**
 * The data version written: 0, what Kafka 3.9 writes while kraft.version is 0 (a static voter
 * set). Version 1 files (kraft.version 1) are read too.
 */
const WRITTEN_VERSION = 0;

/** A `quorum-state` file that cannot be read; the message names the file. */
export class MalformedQuorumStateError extends Error {
  override readonly name = 'MalformedQuorumStateError';
}

/**
 * Kafka's FileQuorumStateStore: the latest election state (epoch, leader, vote) as the JSON form
 * of QuorumStateData, replaced atomically so that a crash leaves the old or the new state.
 */
export class QuorumStateFile {
  private readonly file: AtomicFile;

  constructor(fs: FileSystem, dir: string) {
    this.file = new AtomicFile(fs, path.join(dir, QUORUM_STATE_FILE));
  }

  get path(): string {
    return this.file.path;
  }

  /** The stored state, or null when the node never took part in an election. */
  read(): QuorumStateData | null {
    const bytes = this.file.read();
    if (bytes === null) return null;
    try {
      return parseQuorumState(bytes.toString('utf8'));
    } catch (err) {
      throw new MalformedQuorumStateError(`${this.path} is malformed: ${(err as Error).message}`);
    }
  }

  write(state: QuorumStateData): Promise<void> {
    return this.file.write(Buffer.from(formatQuorumState(state)));
  }
}

/** The JSON Kafka's QuorumStateDataJsonConverter writes at version 0, with FileQuorumStateStore's `data_version`. */
export function formatQuorumState(state: QuorumStateData): string {
  return JSON.stringify({
    clusterId: state.clusterId,
    leaderId: state.leaderId,
    leaderEpoch: state.leaderEpoch,
    votedId: state.votedId,
    appliedOffset: state.appliedOffset,
    currentVoters: state.currentVoters?.map((v) => ({ voterId: v.voterId })) ?? null,
    data_version: WRITTEN_VERSION,
  });
}

export function parseQuorumState(text: string): QuorumStateData {
  const json: unknown = JSON.parse(text);
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new Error('not a JSON object');
  const fields = json as Record<string, unknown>;
  const version = int(fields, 'data_version');
  if (version !== 0 && version !== 1) throw new Error(`unknown data_version ${version}`);
  const voters = fields.currentVoters;
  if (voters !== undefined && voters !== null && !Array.isArray(voters)) throw new Error('currentVoters is not an array');
  return createQuorumStateData({
    clusterId: typeof fields.clusterId === 'string' ? fields.clusterId : '',
    leaderId: int(fields, 'leaderId'),
    leaderEpoch: int(fields, 'leaderEpoch'),
    votedId: int(fields, 'votedId'),
    currentVoters: (voters ?? []).map((v: unknown) => createQuorumStateDataVoter({ voterId: int(v as Record<string, unknown>, 'voterId') })),
  });
}

function int(fields: Record<string, unknown>, name: string): number {
  const value = typeof fields === 'object' && fields !== null ? fields[name] : undefined;
  if (!Number.isSafeInteger(value)) throw new Error(`${name} is not an integer`);
  return value as number;
}
