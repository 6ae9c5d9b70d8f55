import { DecodeError } from '../protocol/decode-error.js';
import type { CommittedBatch, LeaderAndEpoch, RaftListener, SnapshotReader } from '../raft/raft-client.js';
import { MetadataDelta, MetadataReplayError } from './delta.js';
import { type ImageChanges, imageChanges } from './image-changes.js';
import { MetadataImage } from './image.js';
import { decodeMetadataRecord } from './record-serde.js';

/** Where an image comes from in the metadata log (Kafka's MetadataProvenance). */
export interface MetadataProvenance {
  /** The last offset applied, -1 for none. */
  readonly offset: number;
  /** The leader epoch of the batch (or snapshot) holding it. */
  readonly epoch: number;
  /** When that batch was appended, -1 for none. */
  readonly lastContainedLogTimeMs: number;
}

/** What a published image brings. */
export interface MetadataUpdate {
  readonly kind: 'snapshot' | 'log' | 'leader';
  readonly previous: MetadataImage;
  readonly provenance: MetadataProvenance;
  readonly leader: LeaderAndEpoch;
  readonly changes: ImageChanges;
  /** Bytes of committed log batches applied by this update. */
  readonly logBytes: number;
}

export type ImageListener = (image: MetadataImage, update: MetadataUpdate) => void;

/** A metadata record that cannot be decoded or contradicts the image; the message is one line naming the file and offset. */
export class MetadataLogCorruptError extends Error {
  override readonly name = 'MetadataLogCorruptError';
}

const NO_PROVENANCE: MetadataProvenance = { offset: -1, epoch: 0, lastContainedLogTimeMs: -1 };

/**
 * Builds the committed MetadataImage from the quorum (Kafka's MetadataLoader): the latest snapshot
 * first, then every committed batch after it, one MetadataDelta per delivery, and publishes each
 * new image to its listeners. As a quorum listener it starts with whatever is committed when it
 * registers, so startup replay and live updates take the same path.
 */
export class MetadataLoader implements RaftListener {
  private current = MetadataImage.EMPTY;
  private currentProvenance = NO_PROVENANCE;
  private leader: LeaderAndEpoch = { leaderId: null, epoch: 0 };
  private readonly listeners: ImageListener[] = [];

  /** The latest committed image. */
  get image(): MetadataImage {
    return this.current;
  }

  get provenance(): MetadataProvenance {
    return this.currentProvenance;
  }

  get leaderAndEpoch(): LeaderAndEpoch {
    return this.leader;
  }

  /** Calls `listener` with every image published from now on; returns the unsubscribe function. */
  onImage(listener: ImageListener): () => void {
    this.listeners.push(listener);
    return () => {
      const at = this.listeners.indexOf(listener);
      if (at >= 0) this.listeners.splice(at, 1);
    };
  }

  handleLoadSnapshot(snapshot: SnapshotReader): void {
    const offset = snapshot.id.endOffset - 1;
    const delta = new MetadataDelta(MetadataImage.EMPTY);
    try {
      for (const value of snapshot.records()) delta.replay(decodeMetadataRecord(value), offset);
    } catch (err) {
      throw asCorruption(err, `corrupt metadata snapshot ${snapshot.path}`);
    }
    delta.advanceTo(offset);
    const provenance = { offset, epoch: snapshot.id.epoch, lastContainedLogTimeMs: snapshot.lastContainedLogTimestamp };
    this.publish('snapshot', delta.apply(), provenance, 0);
  }

  handleCommit(batches: readonly CommittedBatch[]): void {
    const delta = new MetadataDelta(this.current);
    let logBytes = 0;
    for (const batch of batches) {
      let offset = batch.baseOffset;
      try {
        for (const value of batch.records) {
          delta.replay(decodeMetadataRecord(value), offset);
          offset++;
        }
      } catch (err) {
        throw asCorruption(err, `corrupt metadata log ${batch.file} at offset ${offset}`);
      }
      delta.advanceTo(batch.lastOffset);
      logBytes += batch.sizeInBytes;
    }
    const last = batches[batches.length - 1];
    this.publish('log', delta.apply(), { offset: last.lastOffset, epoch: last.epoch, lastContainedLogTimeMs: last.appendTimestamp }, logBytes);
  }

  handleLeaderChange(leader: LeaderAndEpoch): void {
    this.leader = leader;
    this.publish('leader', this.current, this.currentProvenance, 0);
  }

  private publish(kind: MetadataUpdate['kind'], image: MetadataImage, provenance: MetadataProvenance, logBytes: number): void {
    const previous = this.current;
    this.current = image;
    this.currentProvenance = provenance;
    const update: MetadataUpdate = { kind, previous, provenance, leader: this.leader, changes: imageChanges(previous, image), logBytes };
    for (const listener of [...this.listeners]) listener(image, update);
  }
}

function asCorruption(err: unknown, where: string): unknown {
  if (err instanceof DecodeError || err instanceof MetadataReplayError) return new MetadataLogCorruptError(`${where}: ${err.message}`);
  return err;
}
