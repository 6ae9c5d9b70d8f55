import { describe, expect, it } from 'vitest';
import { DEFAULT_CONSUMER_GROUP_CONFIG } from '../../../../src/coordinator/group/consumer/consumer-groups.js';
import { SeededRandom } from '../../../../src/util/random.js';
import { ConsumerHarness, partitionsOf, type Client } from './harness.js';

const SEEDS = 50;

/**
 * Joins, leaves, crashes, static restarts and topic changes, drawn from a seed. Steps are up to 20s
 * apart, so members told to revoke are often fenced by their 5s rebalance timeout first.
 */
function randomHistory(h: ConsumerHarness, random: SeededRandom): Client[] {
  h.topics.create('t', 6);
  h.topics.create('u', 3);
  const clients: Client[] = [];
  for (let step = 0; step < 120; step++) {
    h.now += random.int(20_000);
    const roll = random.next();
    if (clients.length < 2 || roll < 0.2) {
      const regex = random.chance(0.2) ? '[tuv]' : null;
      const topics = regex !== null ? null : random.chance(0.5) ? ['t', 'u'] : ['t'];
      const instanceId = random.chance(0.3) ? `i${step}` : null;
      const assignor = random.chance(0.3) ? 'range' : null;
      clients.push(h.join({ memberId: `m${step}`, topics, regex, instanceId, assignor, rebalanceTimeoutMs: 5_000 }).client);
    } else if (roll < 0.27) {
      const [leaving] = clients.splice(random.int(clients.length), 1);
      h.send({ memberId: leaving.memberId, memberEpoch: -1, instanceId: leaving.instanceId });
    } else if (roll < 0.3) {
      h.topics.grow('u', 3 + step);
    } else if (roll < 0.32) {
      if (h.topics.byName('v') === undefined) h.topics.create('v', 2);
      else h.topics.delete('v');
    } else if (roll < 0.35) {
      clients.splice(random.int(clients.length), 1); // crashed: its session will expire
    } else if (roll < 0.4 && clients.some((client) => client.instanceId !== null)) {
      const restarting = clients.find((client) => client.instanceId !== null) as Client;
      h.send({ memberId: restarting.memberId, memberEpoch: -2, instanceId: restarting.instanceId });
      clients.splice(clients.indexOf(restarting), 1, h.join({ memberId: `r${step}`, instanceId: restarting.instanceId }).client);
    } else {
      const client = random.pick(clients);
      if (h.poll(client).errorCode !== 0) clients.splice(clients.indexOf(client), 1);
    }
    h.tick();
    const owned = h.describe().members.flatMap((member) => partitionsOf(member.assignment.topicPartitions));
    expect(new Set(owned).size, `step ${step}: a partition is assigned twice`).toBe(owned.length);
  }
  return clients;
}

/** Every partition of every topic some member subscribes to (by name or by the regex). */
function subscribedPartitions(h: ConsumerHarness): string[] {
  const names = new Set<string>();
  for (const member of h.describe().members) {
    for (const name of member.subscribedTopicNames) names.add(name);
    if (member.subscribedTopicRegex !== null) for (const name of h.topics.names()) if (new RegExp(`^(?:${member.subscribedTopicRegex})$`).test(name)) names.add(name);
  }
  return [...names].flatMap((name) => {
    const topic = h.topics.byName(name);
    return topic === undefined ? [] : Array.from({ length: topic.partitions }, (_, partition) => `${topic.id}:${partition}`);
  });
}

describe('ConsumerGroups: seeded histories', () => {
  it(`never assigns a partition twice, replays identically and converges (${SEEDS} seeds)`, () => {
    for (let seed = 1; seed <= SEEDS; seed++) {
      const h = new ConsumerHarness(DEFAULT_CONSUMER_GROUP_CONFIG, seed);
      const clients = randomHistory(h, new SeededRandom(seed));
      expect(h.replayed().describe('g', h.topics, false), `seed ${seed}`).toEqual(h.describe());
      // The clients still alive keep heartbeating; the crashed ones expire and the group settles.
      const alive = clients.filter((client) => h.describe().members.some((member) => member.memberId === client.memberId));
      for (let round = 0; round < 30 && (round < 15 || h.state() !== 'Stable'); round++) {
        for (const client of alive) expect(h.poll(client).errorCode, `seed ${seed}`).toBe(0);
        h.now += 4_000;
        h.tick();
      }
      expect(h.describe().members.length, `seed ${seed}`).toBe(alive.length);
      if (alive.length === 0) continue;
      expect(h.state(), `seed ${seed}`).toBe('Stable');
      expect(alive.flatMap((client) => partitionsOf(client.owned)).sort(), `seed ${seed}`).toEqual(subscribedPartitions(h).sort());
    }
  });
});
