import { crc32 as nativeCrc32, crc32c as nativeCrc32c } from '@node-rs/crc32';

/** CRC-32C (Castagnoli), the checksum of v2 record batches; unsigned. */
export function crc32c(bytes: Uint8Array): number {
  return nativeCrc32c(bytes);
}

/** CRC-32 (IEEE), the checksum of legacy v0/v1 messages; unsigned. */
export function crc32(bytes: Uint8Array): number {
  return nativeCrc32(bytes);
}
