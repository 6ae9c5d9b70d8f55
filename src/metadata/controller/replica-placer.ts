import type { Random } from '../../util/random.js';
import type { MetadataImage } from '../image.js';
import { usableBrokers } from './cluster.js';

/** A placer ready to place partitions, or why the replication factor cannot be met. */
export type ReplicaPlacer =
  | { readonly ok: true; place(numPartitions: number): number[][] }
  | { readonly ok: false; readonly reason: string };

/**
 * Kafka's StripedReplicaPlacer without racks (rack awareness is left out: every broker counts as
 * one rack). Leaders go round-robin over the unfenced brokers from a random start, each
 * partition's followers are the unfenced brokers after its leader, then fenced brokers when the
 * replication factor needs more than there are unfenced. After each stripe of as many partitions
 * as there are unfenced brokers the order is shuffled again, so that followers do not always
 * pair the same way. Brokers in a controlled shutdown are never chosen.
 *
 * The reasons are Kafka's InvalidReplicationFactorException messages, checked in its order.
 */
export function replicaPlacer(image: MetadataImage, random: Random, replicationFactor: number): ReplicaPlacer {
  const usable = usableBrokers(image);
  const unfenced = usable.filter((b) => !b.fenced).map((b) => b.id);
  const fenced = usable.filter((b) => b.fenced).map((b) => b.id);
  if (replicationFactor <= 0) {
    return { ok: false, reason: `Invalid replication factor ${replicationFactor}: the replication factor must be positive.` };
  }
  if (unfenced.length === 0) return { ok: false, reason: 'All brokers are currently fenced.' };
  if (replicationFactor > usable.length) {
    const reason =
      `The target replication factor of ${replicationFactor} cannot be reached ` +
      `because only ${usable.length} broker(s) are registered.`;
    return { ok: false, reason };
  }
  const place = (numPartitions: number): number[][] => {
    const placements: number[][] = [];
    let leaders = unfenced;
    let spares = fenced;
    let leaderStart = 0;
    let spareStart = 0;
    for (let p = 0; p < numPartitions; p++) {
      if (p % unfenced.length === 0 && (p === 0 || unfenced.length > 1)) {
        leaders = shuffled(unfenced, random);
        spares = shuffled(fenced, random);
        leaderStart = random.int(leaders.length);
        spareStart = spares.length > 0 ? random.int(spares.length) : 0;
      }
      const replicas: number[] = [];
      for (let i = 0; i < Math.min(replicationFactor, leaders.length); i++) replicas.push(leaders[(leaderStart + p + i) % leaders.length]);
      for (let i = 0; replicas.length < replicationFactor; i++) replicas.push(spares[(spareStart + p + i) % spares.length]);
      placements.push(replicas);
    }
    return placements;
  };
  return { ok: true, place };
}

function shuffled(ids: readonly number[], random: Random): number[] {
  const out = [...ids];
  for (let i = out.length - 1; i > 0; i--) {
    const j = random.int(i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}
