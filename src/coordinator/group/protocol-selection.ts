import type { JoinGroupRequestProtocol } from '../../protocol/generated/clients/join-group-request.js';

/** What protocol selection reads of a member: the protocols it joined with, in its order of preference. */
interface ProtocolVoter {
  readonly protocols: readonly JoinGroupRequestProtocol[];
}

/** The protocols every member supports. */
export function candidateProtocols(members: Iterable<ProtocolVoter>): Set<string> {
  const counts = new Map<string, number>();
  let memberCount = 0;
  for (const member of members) {
    memberCount++;
    for (const name of new Set(member.protocols.map((p) => p.name))) counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  const candidates = new Set<string>();
  for (const [name, count] of counts) if (count === memberCount) candidates.add(name);
  return candidates;
}

/**
 * Kafka's selection: each member votes for the first protocol in its own preference order that
 * every member supports, and the most votes win. Kafka breaks a tie by hash-map order; here the
 * protocol that got its first vote earliest (in member join order) wins. Undefined when no
 * protocol is supported by every member.
 */
export function selectProtocol(members: Iterable<ProtocolVoter>): string | undefined {
  const voters = [...members];
  const candidates = candidateProtocols(voters);
  const votes = new Map<string, number>();
  for (const member of voters) {
    const vote = member.protocols.find((p) => candidates.has(p.name));
    if (vote !== undefined) votes.set(vote.name, (votes.get(vote.name) ?? 0) + 1);
  }
  let best: string | undefined;
  let bestVotes = 0;
  for (const [name, count] of votes) {
    if (count > bestVotes) {
      best = name;
      bestVotes = count;
    }
  }
  return best;
}
