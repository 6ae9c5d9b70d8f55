import { describe, expect, it } from 'vitest';
import { createCreateTopicsRequest, createCreateTopicsRequestCreatableTopic } from '../../src/protocol/generated/clients/create-topics-request.js';
import { createDeleteTopicsRequest } from '../../src/protocol/generated/clients/delete-topics-request.js';
import { createPartitionChangeRecord } from '../../src/protocol/generated/metadata/partition-change-record.js';
import { MetadataRecordType, type MetadataRecord } from '../../src/protocol/generated/records.js';
import type { SingleNodeRaft } from '../../src/raft/single-node-raft.js';
import { bootstrapRecords } from '../../src/metadata/controller/bootstrap.js';
import { createTopics } from '../../src/metadata/controller/create-topics.js';
import { deleteTopics } from '../../src/metadata/controller/delete-topics.js';
import { imageToRecords } from '../../src/metadata/image-records.js';
import type { MetadataImage } from '../../src/metadata/image.js';
import { MetadataLoader, MetadataLogCorruptError, type MetadataUpdate } from '../../src/metadata/metadata-loader.js';
import { encodeMetadataRecord } from '../../src/metadata/record-serde.js';
import { SeededRandom } from '../../src/util/random.js';
import { NODE_ID, RaftEnv } from '../raft/support.js';
import { clusterOf, topicOptions } from './controller/support.js';
import { stateOf } from './support/workload.js';

const SEGMENT = '/data/meta/__cluster_metadata-0/00000000000000000000.log';

/** Appends records as one batch at the log end and waits for the commit; returns the batch's first offset. */
async function commit(raft: SingleNodeRaft, records: readonly (MetadataRecord | Buffer)[]): Promise<number> {
  const values = records.map((r) => (Buffer.isBuffer(r) ? r : encodeMetadataRecord(r)));
  const appended = raft.append(values, { epoch: raft.leaderAndEpoch.epoch, baseOffset: raft.endOffset });
  await appended.committed;
  return appended.baseOffset;
}

/** Topic ids come from a random seeded by the name, so that different topics get different ids. */
function createTopic(image: MetadataImage, name: string, numPartitions = 2): MetadataRecord[] {
  const request = createCreateTopicsRequest({ topics: [createCreateTopicsRequestCreatableTopic({ name, numPartitions, replicationFactor: 1 })] });
  const random = new SeededRandom([...name].reduce((sum, c) => sum * 31 + c.charCodeAt(0), 0));
  return [...createTopics(image, request, topicOptions({ random })).records];
}

/** A loader registered on a fresh quorum, recording what it publishes. */
async function started(env = new RaftEnv()) {
  const raft = await env.startRaft();
  const loader = new MetadataLoader();
  const updates: MetadataUpdate[] = [];
  loader.onImage((_image, update) => updates.push(update));
  raft.register(loader);
  return { env, raft, loader, updates };
}

/** The records of a cluster with broker 1, bootstrapped, as the log would hold them. */
const CLUSTER_RECORDS = imageToRecords(clusterOf(1));

describe('MetadataLoader', () => {
  it('applies each committed delivery as one delta and publishes the image', async () => {
    const { raft, loader, updates } = await started();
    expect(loader.image.offset).toBe(0);
    expect(loader.leaderAndEpoch).toEqual({ leaderId: NODE_ID, epoch: 1 });

    await commit(raft, bootstrapRecords());
    expect(loader.image.features.get('metadata.version')).toBe(21);
    expect(loader.image.offset).toBe(4);
    const last = updates.at(-1)!;
    expect(last.kind).toBe('log');
    expect(last.provenance).toMatchObject({ offset: 4, epoch: 1 });
    expect(last.logBytes).toBeGreaterThan(0);
    expect(last.changes).toMatchObject({ featuresChanged: true, brokersChanged: false, changedTopics: [] });
  });

  it('names the topics a delivery created, changed or deleted', async () => {
    const { raft, loader, updates } = await started();
    await commit(raft, CLUSTER_RECORDS);
    await commit(raft, [...createTopic(loader.image, 'orders'), ...createTopic(loader.image, 'users')]);
    expect(updates.at(-1)!.changes.changedTopics.map((t) => t.name).sort()).toEqual(['orders', 'users']);

    const request = createDeleteTopicsRequest({ topicNames: ['orders'] });
    await commit(raft, deleteTopics(loader.image, request, 5, true).records);
    const { changes } = updates.at(-1)!;
    expect(changes.deletedTopics.map((t) => t.name)).toEqual(['orders']);
    expect(changes.changedTopics).toEqual([]);
    expect([...loader.image.topicsByName.keys()]).toEqual(['users']);
  });

  it('starts from the latest snapshot and the committed log after it', async () => {
    const { env, raft, loader } = await started();
    await commit(raft, CLUSTER_RECORDS);
    await commit(raft, createTopic(loader.image, 'orders'));
    const { offset, epoch } = loader.provenance;
    await raft.createSnapshot({ endOffset: offset + 1, epoch }, 77, imageToRecords(loader.image).map(encodeMetadataRecord));
    await commit(raft, createTopic(loader.image, 'users', 3));
    const live = loader.image;
    await raft.close();

    const restarted = await started(env);
    expect(restarted.updates.map((u) => u.kind)).toEqual(['snapshot', 'log', 'leader']);
    expect(restarted.updates[0].provenance).toEqual({ offset, epoch, lastContainedLogTimeMs: 77 });
    expect(restarted.updates[0].changes.changedTopics.map((t) => t.name)).toEqual(['orders']);
    expect(stateOf(restarted.loader.image)).toEqual(stateOf(live));
    expect(restarted.loader.image.offset).toBe(live.offset + 1);
  });

  it('fails with one line naming the file and offset when a committed record cannot be decoded', async () => {
    const { env, raft } = await started();
    await commit(raft, CLUSTER_RECORDS);
    const garbage = raft.append([Buffer.from([1, 99, 0])], { epoch: 1, baseOffset: raft.endOffset });
    const message = `corrupt metadata log ${SEGMENT} at offset ${garbage.baseOffset}: unknown metadata record type 99 (at byte 3)`;
    await expect(garbage.committed).rejects.toThrow(new MetadataLogCorruptError(message));
    expect(env.fatalErrors.map((e) => e.message)).toEqual([message]);
  });

  it('fails at startup when a record contradicts the image it is replayed on', async () => {
    const { env, raft } = await started();
    await commit(raft, CLUSTER_RECORDS);
    const orphan: MetadataRecord = {
      type: MetadataRecordType.PartitionChangeRecord,
      version: 1,
      data: createPartitionChangeRecord({ topicId: 'AAAAAAAAAAAAAAAAAAAAAg', partitionId: 0, leader: 1 }),
    };
    const orphanAt = raft.endOffset;
    // The live loader fails as it applies the batch; a restart fails the same way, before anything is published.
    await raft.append([encodeMetadataRecord(orphan)], { epoch: 1, baseOffset: orphanAt }).committed.catch(() => undefined);
    expect(env.fatalErrors).toHaveLength(1);
    const reopened = await env.startRaft();
    expect(() => reopened.register(new MetadataLoader())).toThrow(
      new MetadataLogCorruptError(`corrupt metadata log ${SEGMENT} at offset ${orphanAt}: unknown topic id AAAAAAAAAAAAAAAAAAAAAg`),
    );
  });
});
