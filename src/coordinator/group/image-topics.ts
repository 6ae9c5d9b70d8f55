import type { MetadataImage, TopicImage } from '../../metadata/image.js';
import type { TopicDescription, TopicsView } from './consumer/topics-view.js';

/** The topics of a metadata image as the consumer groups see them. */
export function imageTopics(image: MetadataImage): TopicsView {
  const describe = (topic: TopicImage | undefined): TopicDescription | undefined =>
    topic === undefined ? undefined : { id: topic.id, name: topic.name, partitions: topic.partitions.size };
  return {
    byName: (name) => describe(image.topicsByName.get(name)),
    byId: (id) => describe(image.topicsById.get(id)),
    names: () => image.topicsByName.keys(),
  };
}
