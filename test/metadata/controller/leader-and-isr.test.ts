import { describe, expect, it } from 'vitest';
import { createPartitionChangeRecord, type PartitionChangeRecord } from '../../../src/protocol/generated/metadata/partition-change-record.js';
import { MetadataRecordType, type MetadataRecord } from '../../../src/protocol/generated/records.js';
import { partitionChangesForAddedBroker, partitionChangesForRemovedBroker } from '../../../src/metadata/controller/leader-and-isr.js';
import type { MetadataImage } from '../../../src/metadata/image.js';
import { clusterOf, fence, partition, replay, withAssignedTopic } from './support.js';

const clean = () => false;
const unclean = () => true;
const changes = (records: MetadataRecord[]) =>
  records.map((r) => {
    expect(r).toMatchObject({ type: MetadataRecordType.PartitionChangeRecord, version: 1 });
    const { partitionId, leader, isr, leaderRecoveryState } = r.data as PartitionChangeRecord;
    return { partitionId, leader, isr, leaderRecoveryState };
  });

/** The image with a partition's leader and ISR set as given. */
function withState(image: MetadataImage, topic: string, partitionId: number, leader: number, isr: number[]): MetadataImage {
  const data = createPartitionChangeRecord({ topicId: image.topicsByName.get(topic)!.id, partitionId, leader, isr });
  return replay(image, [{ type: MetadataRecordType.PartitionChangeRecord, version: 1, data }]);
}

describe('partitionChangesForRemovedBroker', () => {
  const image = withState(withAssignedTopic(clusterOf(1, 2, 3), 't', [[1, 2, 3], [2, 1, 3], [2, 3, 1]]), 't', 2, 2, [2, 3]);

  it('moves its leaderships to the next ISR member in replica order and takes it out of every ISR', () => {
    const records = partitionChangesForRemovedBroker(image, 1, clean);
    expect(changes(records)).toEqual([
      { partitionId: 0, leader: 2, isr: [2, 3], leaderRecoveryState: -1 },
      { partitionId: 1, leader: -2, isr: [2, 3], leaderRecoveryState: -1 },
    ]);
    const after = replay(image, records);
    expect(partition(after, 't', 0)).toMatchObject({ leader: 2, isr: [2, 3], leaderEpoch: 1, partitionEpoch: 1 });
    expect(partition(after, 't', 1)).toMatchObject({ leader: 2, isr: [2, 3], leaderEpoch: 0, partitionEpoch: 1 });
    expect(partition(after, 't', 2)).toBe(partition(image, 't', 2));
  });

  it('passes over ISR members that cannot lead, though they stay in the ISR', () => {
    expect(changes(partitionChangesForRemovedBroker(fence(image, 2), 1, clean))[0]).toEqual({ partitionId: 0, leader: 3, isr: [2, 3], leaderRecoveryState: -1 });
  });

  it('leaves a partition leaderless, keeping its last ISR member, when no other ISR member can lead', () => {
    const alone = withState(withAssignedTopic(clusterOf(1, 2), 's', [[1, 2]]), 's', 0, 1, [1]);
    const records = partitionChangesForRemovedBroker(alone, 1, clean);
    expect(changes(records)).toEqual([{ partitionId: 0, leader: -1, isr: null, leaderRecoveryState: -1 }]);
    expect(partition(replay(alone, records), 's', 0)).toMatchObject({ leader: -1, isr: [1] });
  });

  it('elects an active replica outside the ISR when the topic allows unclean election, and marks it recovering', () => {
    const alone = withState(withAssignedTopic(clusterOf(1, 2, 3), 's', [[1, 2, 3]]), 's', 0, 1, [1]);
    const records = partitionChangesForRemovedBroker(fence(alone, 2), 1, unclean);
    expect(changes(records)).toEqual([{ partitionId: 0, leader: 3, isr: [3], leaderRecoveryState: 1 }]);
    expect(partition(replay(alone, records), 's', 0)).toMatchObject({ leader: 3, isr: [3], leaderRecoveryState: 1 });
    expect(changes(partitionChangesForRemovedBroker(fence(fence(alone, 2), 3), 1, unclean))).toEqual([
      { partitionId: 0, leader: -1, isr: null, leaderRecoveryState: -1 },
    ]);
  });
});

describe('partitionChangesForAddedBroker', () => {
  const leaderless = (image: MetadataImage, topic: string, isrs: number[][]) =>
    isrs.reduce((current, isr, p) => withState(current, topic, p, -1, isr), image);

  it('elects the returning broker where it is in the ISR, though the image still has it fenced', () => {
    const image = leaderless(withAssignedTopic(clusterOf(1, 2), 't', [[1], [2], [2]]), 't', [[1], [2], [2]]);
    const down = fence(fence(image, 1), 2);
    const records = partitionChangesForAddedBroker(down, 1, clean);
    expect(changes(records)).toEqual([{ partitionId: 0, leader: 1, isr: null, leaderRecoveryState: -1 }]);
    expect(partition(replay(down, records), 't', 0)).toMatchObject({ leader: 1, isr: [1] });
  });

  it('elects another active ISR member of a leaderless partition too', () => {
    const image = leaderless(withAssignedTopic(clusterOf(1, 2), 't', [[1, 2]]), 't', [[1, 2]]);
    expect(changes(partitionChangesForAddedBroker(fence(image, 1), 3, clean))).toEqual([{ partitionId: 0, leader: 2, isr: null, leaderRecoveryState: -1 }]);
  });

  it('elects a returning broker outside the ISR only when unclean election is allowed', () => {
    const image = leaderless(withAssignedTopic(clusterOf(1, 2), 't', [[2, 1]]), 't', [[2]]);
    const down = fence(fence(image, 1), 2);
    expect(partitionChangesForAddedBroker(down, 1, clean)).toEqual([]);
    expect(changes(partitionChangesForAddedBroker(down, 1, unclean))).toEqual([{ partitionId: 0, leader: 1, isr: [1], leaderRecoveryState: 1 }]);
  });
});
