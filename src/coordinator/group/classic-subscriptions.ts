import { decodeConsumerProtocolSubscription } from '../../protocol/generated/clients/consumer-protocol-subscription.js';
import { DecodeError } from '../../protocol/decode-error.js';
import { Reader } from '../../protocol/reader.js';
import type { ClassicGroup } from './classic-group.js';

/** The protocol type of Kafka's consumers: their JoinGroup metadata is a ConsumerProtocolSubscription. */
export const CONSUMER_PROTOCOL_TYPE = 'consumer';

/**
 * The topics the members of a classic consumer group subscribe to, read from their metadata for
 * the selected protocol (Kafka's ClassicGroup.computeSubscribedTopics). Null when the group is
 * not a consumer group or a member's metadata cannot be read: the broker then does not know.
 */
export function subscribedTopics(group: ClassicGroup): ReadonlySet<string> | null {
  if (group.protocolType !== CONSUMER_PROTOCOL_TYPE) return null;
  const topics = new Set<string>();
  for (const member of group.members.values()) {
    const metadata = member.protocols.find((p) => p.name === group.protocolName)?.metadata;
    if (metadata === undefined) return null;
    try {
      const reader = new Reader(metadata);
      const version = reader.readInt16();
      for (const topic of decodeConsumerProtocolSubscription(reader, version).topics) topics.add(topic);
    } catch (err) {
      if (err instanceof DecodeError) return null;
      throw err;
    }
  }
  return topics;
}
