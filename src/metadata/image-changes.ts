import type { MetadataImage, TopicImage } from './image.js';

/** What differs between two images, for listeners that act on changes (Kafka's delta views). */
export interface ImageChanges {
  /** Topics created or changed, as they are now. */
  readonly changedTopics: readonly TopicImage[];
  /** Topics removed, as they were. */
  readonly deletedTopics: readonly TopicImage[];
  readonly brokersChanged: boolean;
  readonly configsChanged: boolean;
  readonly featuresChanged: boolean;
}

/**
 * Compares by identity: a MetadataDelta copies only what its records touch, so an object that
 * is the same in both images did not change.
 */
export function imageChanges(before: MetadataImage, after: MetadataImage): ImageChanges {
  const changedTopics: TopicImage[] = [];
  const deletedTopics: TopicImage[] = [];
  if (before.topicsById !== after.topicsById) {
    for (const [id, topic] of after.topicsById) if (before.topicsById.get(id) !== topic) changedTopics.push(topic);
    for (const [id, topic] of before.topicsById) if (!after.topicsById.has(id)) deletedTopics.push(topic);
  }
  return {
    changedTopics,
    deletedTopics,
    brokersChanged: before.brokers !== after.brokers,
    configsChanged: before.configs !== after.configs,
    featuresChanged: before.features !== after.features,
  };
}
