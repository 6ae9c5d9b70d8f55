import type { MetadataImage } from '../metadata/image.js';
import { ErrorCode } from '../protocol/generated/error-codes.js';

interface CommitTopic {
  readonly name: string;
  readonly partitions: readonly { readonly partitionIndex: number }[];
}

/** One topic of an (Txn)OffsetCommit answer. */
export interface CommitResult {
  name: string;
  partitions: { partitionIndex: number; errorCode: number }[];
}

/**
 * What KafkaApis does around the coordinator for OffsetCommit and TxnOffsetCommit: partitions of
 * topics that do not exist answer UNKNOWN_TOPIC_OR_PARTITION, the others go to `commit` (given
 * the answer to use if the coordinator cannot be reached), and the answer follows the request's
 * order.
 */
export async function commitExistingPartitions<T extends CommitTopic>(
  image: MetadataImage,
  topics: readonly T[],
  commit: (existing: T[], failAll: (errorCode: number) => CommitResult[]) => Promise<CommitResult[]>,
): Promise<CommitResult[]> {
  const exists = (topic: string, partition: number): boolean => image.topicsByName.get(topic)?.partitions.has(partition) ?? false;
  const existing: T[] = [];
  for (const topic of topics) {
    const partitions = topic.partitions.filter((p) => exists(topic.name, p.partitionIndex));
    if (partitions.length > 0) existing.push({ ...topic, partitions });
  }
  const committed = new Map<string, number>();
  if (existing.length > 0) {
    const failAll = (errorCode: number): CommitResult[] =>
      existing.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode })) }));
    for (const t of await commit(existing, failAll)) for (const p of t.partitions) committed.set(`${t.name}:${p.partitionIndex}`, p.errorCode);
  }
  return topics.map((topic) => ({
    name: topic.name,
    partitions: topic.partitions.map((p) => ({
      partitionIndex: p.partitionIndex,
      errorCode: committed.get(`${topic.name}:${p.partitionIndex}`) ?? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
    })),
  }));
}
