import { describe, expect, it } from 'vitest';
import { MetadataRecordType, type MetadataRecord } from '../../src/protocol/generated/records.js';
import { bootstrapRecords } from '../../src/metadata/controller/bootstrap.js';
import { MetadataDelta } from '../../src/metadata/delta.js';
import { imageToRecords } from '../../src/metadata/image-records.js';
import { MetadataImage } from '../../src/metadata/image.js';
import { decodeMetadataRecord, encodeMetadataRecord } from '../../src/metadata/record-serde.js';
import { SeededRandom } from '../../src/util/random.js';
import { replay, typesOf } from './controller/support.js';
import { PureController, Workload } from './support/workload.js';

/** Replays a snapshot's records, each through the record codec, at the offset the snapshot ends at. */
function rebuild(records: readonly MetadataRecord[], offset: number): MetadataImage {
  const delta = new MetadataDelta(MetadataImage.EMPTY);
  for (const record of records) delta.replay(decodeMetadataRecord(encodeMetadataRecord(record)), offset);
  delta.advanceTo(offset);
  return delta.apply();
}

describe('imageToRecords', () => {
  it('writes nothing for the empty image', () => {
    expect(imageToRecords(MetadataImage.EMPTY)).toEqual([]);
    expect(rebuild([], -1)).toEqual(MetadataImage.EMPTY);
  });

  it('rebuilds the image it was taken from, at every step of a random history', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const random = new SeededRandom(seed);
      const controller = new PureController(replay(MetadataImage.EMPTY, bootstrapRecords()), 0);
      const workload = new Workload(random, () => 0);
      for (let step = 0; step < 60; step++) {
        controller.run(workload.next(controller.image).decide);
        const image = controller.image;
        expect(rebuild(imageToRecords(image), image.offset), `seed ${seed}, step ${step}`).toEqual(image);
      }
      expect(controller.image.topicsById.size + controller.image.brokers.size).toBeGreaterThan(0);
    }
  });

  it("follows Kafka's order: features, brokers, each topic before its partitions, configs, producer ids", () => {
    const random = new SeededRandom(4);
    const controller = new PureController(replay(MetadataImage.EMPTY, bootstrapRecords()), 0);
    const workload = new Workload(random, () => 0);
    while (controller.image.topicsById.size < 2 || controller.image.configs.size === 0 || controller.image.nextProducerId === 0) {
      controller.run(workload.next(controller.image).decide);
    }
    const types = typesOf(imageToRecords(controller.image));
    expect(types.slice(0, 2)).toEqual(['FeatureLevelRecord', 'ZkMigrationStateRecord']);
    const rank = ['FeatureLevelRecord', 'ZkMigrationStateRecord', 'RegisterBrokerRecord', 'TopicRecord', 'ConfigRecord', 'ProducerIdsRecord'];
    const ranks = types.map((t) => rank.indexOf(t === 'PartitionRecord' ? 'TopicRecord' : t));
    expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
    const records = imageToRecords(controller.image);
    records.forEach((record, i) => {
      if (record.type !== MetadataRecordType.PartitionRecord) return;
      const topicAt = records.findIndex((r) => r.type === MetadataRecordType.TopicRecord && r.data.topicId === record.data.topicId);
      expect(topicAt).toBeLessThan(i);
    });
  });
});
