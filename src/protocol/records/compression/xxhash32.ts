const PRIME1 = 0x9e3779b1;
const PRIME2 = 0x85ebca77;
const PRIME3 = 0xc2b2ae3d;
const PRIME4 = 0x27d4eb2f;
const PRIME5 = 0x165667b1;

function rotl(x: number, r: number): number {
  return (x << r) | (x >>> (32 - r));
}

function round(acc: number, lane: number): number {
  return Math.imul(rotl((acc + Math.imul(lane, PRIME2)) | 0, 13), PRIME1);
}

/** XXH32 of `bytes` (unsigned), the hash LZ4 frames use for their header and content checksums. */
export function xxhash32(bytes: Uint8Array, seed = 0): number {
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const length = view.length;
  let pos = 0;
  let acc: number;
  if (length >= 16) {
    let v1 = (seed + PRIME1 + PRIME2) | 0;
    let v2 = (seed + PRIME2) | 0;
    let v3 = seed | 0;
    let v4 = (seed - PRIME1) | 0;
    for (; pos + 16 <= length; pos += 16) {
      v1 = round(v1, view.readInt32LE(pos));
      v2 = round(v2, view.readInt32LE(pos + 4));
      v3 = round(v3, view.readInt32LE(pos + 8));
      v4 = round(v4, view.readInt32LE(pos + 12));
    }
    acc = (rotl(v1, 1) + rotl(v2, 7) + rotl(v3, 12) + rotl(v4, 18)) | 0;
  } else {
    acc = (seed + PRIME5) | 0;
  }
  acc = (acc + length) | 0;
  for (; pos + 4 <= length; pos += 4) {
    acc = Math.imul(rotl((acc + Math.imul(view.readInt32LE(pos), PRIME3)) | 0, 17), PRIME4);
  }
  for (; pos < length; pos++) {
    acc = Math.imul(rotl((acc + Math.imul(view[pos], PRIME5)) | 0, 11), PRIME1);
  }
  acc ^= acc >>> 15;
  acc = Math.imul(acc, PRIME2);
  acc ^= acc >>> 13;
  acc = Math.imul(acc, PRIME3);
  acc ^= acc >>> 16;
  return acc >>> 0;
}
