/** Java's String.hashCode over UTF-16 code units, as a signed 32-bit integer. */
export function javaStringHash(s: string): number {
  let hash = 0;
  for (let i = 0; i < s.length; i++) hash = (Math.imul(hash, 31) + s.charCodeAt(i)) | 0;
  return hash;
}

/**
 * The partition of an internal topic a coordinator key lives on (Kafka's partitionFor for group
 * ids and transactional ids): Utils.abs of the key's Java hashCode (0 for Integer.MIN_VALUE),
 * modulo the partition count, so that tools computing it agree with the broker.
 */
export function coordinatorPartitionFor(key: string, partitionCount: number): number {
  const hash = javaStringHash(key);
  return (hash === -2147483648 ? 0 : Math.abs(hash)) % partitionCount;
}
