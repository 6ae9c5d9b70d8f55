import type { ConsumerGroupMember } from './member.js';
import type { SubscribedTopicMetadata, SubscriptionMetadata } from './records.js';
import type { TopicsView } from './topics-view.js';

/**
 * The problem with a SubscribedTopicRegex, or null when it compiles. Kafka compiles it with RE2/J;
 * we use JavaScript's RegExp, so the accepted dialects differ at the edges: RE2/J rejects
 * backreferences and lookaround, which RegExp accepts, and RegExp (Node 20) rejects RE2/J's inline
 * flags such as `(?i)`.
 */
export function regexProblem(regex: string): string | null {
  try {
    new RegExp(regex);
    return null;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/** A subscription regex matches a topic name as a whole, as Java's Matcher.matches() does. */
function fullMatcher(regex: string): RegExp {
  return new RegExp(`^(?:${regex})$`);
}

/**
 * The topic names a set of members subscribes to: their names, plus every topic of `topics` that
 * one of their regexes matches. Regexes are compiled once per call, however many members share one.
 */
export function subscribedTopicNames(members: Iterable<ConsumerGroupMember>, topics: TopicsView): Set<string> {
  const names = new Set<string>();
  const regexes = new Set<string>();
  for (const member of members) {
    for (const name of member.subscribedTopicNames) names.add(name);
    if (member.subscribedTopicRegex !== null && regexProblem(member.subscribedTopicRegex) === null) regexes.add(member.subscribedTopicRegex);
  }
  if (regexes.size > 0) {
    const matchers = [...regexes].map(fullMatcher);
    for (const name of topics.names()) if (matchers.some((matcher) => matcher.test(name))) names.add(name);
  }
  return names;
}

/** The metadata of the subscribed topics that exist now: what ConsumerGroupPartitionMetadata stores. */
export function computeSubscriptionMetadata(members: Iterable<ConsumerGroupMember>, topics: TopicsView): Map<string, SubscribedTopicMetadata> {
  const metadata = new Map<string, SubscribedTopicMetadata>();
  for (const name of subscribedTopicNames(members, topics)) {
    const topic = topics.byName(name);
    if (topic !== undefined) metadata.set(name, { id: topic.id, name: topic.name, partitions: topic.partitions });
  }
  return metadata;
}

export function sameSubscriptionMetadata(a: SubscriptionMetadata, b: SubscriptionMetadata): boolean {
  if (a.size !== b.size) return false;
  for (const [name, topic] of a) {
    const other = b.get(name);
    if (other === undefined || other.id !== topic.id || other.partitions !== topic.partitions) return false;
  }
  return true;
}

/**
 * The ids of the topics a member is subscribed to, resolved against the group's subscription
 * metadata rather than the live topics, so that an assignment depends only on replayed state.
 */
export function memberTopicIds(member: ConsumerGroupMember, metadata: SubscriptionMetadata): Set<string> {
  const ids = new Set<string>();
  for (const name of member.subscribedTopicNames) {
    const topic = metadata.get(name);
    if (topic !== undefined) ids.add(topic.id);
  }
  if (member.subscribedTopicRegex !== null && regexProblem(member.subscribedTopicRegex) === null) {
    const matcher = fullMatcher(member.subscribedTopicRegex);
    for (const topic of metadata.values()) if (matcher.test(topic.name)) ids.add(topic.id);
  }
  return ids;
}
