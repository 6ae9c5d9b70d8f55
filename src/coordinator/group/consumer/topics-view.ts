/** A topic as the consumer groups see it: its id (Kafka's base64url uuid), name and partition count. */
export interface TopicDescription {
  readonly id: string;
  readonly name: string;
  readonly partitions: number;
}

/**
 * What the consumer groups need from the metadata image: the topics that exist now. Subscriptions
 * name topics, assignments and heartbeats carry topic ids, and regex subscriptions match names.
 */
export interface TopicsView {
  byName(name: string): TopicDescription | undefined;
  byId(id: string): TopicDescription | undefined;
  names(): Iterable<string>;
}
