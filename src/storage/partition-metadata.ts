/**
 * `partition.metadata`: the topic id the partition directory belongs to, so that a directory
 * left behind by a deleted topic of the same name is never mistaken for the new one.
 */
const VERSION = 0;

export function formatPartitionMetadata(topicId: string): Buffer {
  return Buffer.from(`version: ${VERSION}\ntopic_id: ${topicId}\n`, 'utf8');
}

/** The topic id, or null when the content is not a version-0 partition.metadata. */
export function parsePartitionMetadata(bytes: Buffer): string | null {
  const fields = new Map<string, string>();
  for (const line of bytes.toString('utf8').split('\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) fields.set(line.slice(0, colon).trim(), line.slice(colon + 1).trim());
  }
  const topicId = fields.get('topic_id');
  return fields.get('version') === String(VERSION) && topicId !== undefined && topicId.length > 0 ? topicId : null;
}
