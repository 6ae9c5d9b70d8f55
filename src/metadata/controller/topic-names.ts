/** Kafka's internal topic names (org.apache.kafka.common.internals.Topic). */
export const GROUP_METADATA_TOPIC_NAME = '__consumer_offsets';
export const TRANSACTION_STATE_TOPIC_NAME = '__transaction_state';
export const SHARE_GROUP_STATE_TOPIC_NAME = '__share_group_state';
/** The metadata log: a Raft partition, never a topic in the image, and refused by CreateTopics. */
export const CLUSTER_METADATA_TOPIC_NAME = '__cluster_metadata';

const INTERNAL_TOPICS: ReadonlySet<string> = new Set([
  GROUP_METADATA_TOPIC_NAME,
  TRANSACTION_STATE_TOPIC_NAME,
  SHARE_GROUP_STATE_TOPIC_NAME,
]);

const MAX_NAME_LENGTH = 249;
const LEGAL_NAME = /^[a-zA-Z0-9._-]*$/;

/** Topics whose metadata responses carry isInternal (Topic.isInternal). */
export function isInternalTopic(name: string): boolean {
  return INTERNAL_TOPICS.has(name);
}

/** Kafka's Topic.validate: the INVALID_TOPIC_EXCEPTION message for an illegal name, null for a legal one. */
export function invalidTopicNameMessage(name: string): string | null {
  const reason = invalidTopicNameReason(name);
  return reason === null ? null : `Topic name is invalid: ${reason}`;
}

function invalidTopicNameReason(name: string): string | null {
  if (name === '') return 'the empty string is not allowed';
  if (name === '.') return "'.' is not allowed";
  if (name === '..') return "'..' is not allowed";
  if (name.length > MAX_NAME_LENGTH) return `the length of '${name}' is longer than the max allowed length ${MAX_NAME_LENGTH}`;
  if (!LEGAL_NAME.test(name)) return `'${name}' contains one or more characters other than ASCII alphanumerics, '.', '_' and '-'`;
  return null;
}

/**
 * The key under which topic names collide: metric names turn '.' into '_', so "a.b" and "a_b"
 * cannot both exist (Topic.unifyCollisionChars). Null for a name without either character.
 */
export function collisionKey(name: string): string | null {
  return name.includes('.') || name.includes('_') ? name.replaceAll('.', '_') : null;
}
