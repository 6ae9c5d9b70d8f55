/** `payload` behind a 4-byte big-endian size prefix, as every Kafka frame is sent. */
export function sizePrefixed(payload: string | Buffer): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload) : payload;
  const out = Buffer.alloc(4 + body.length);
  out.writeInt32BE(body.length, 0);
  body.copy(out, 4);
  return out;
}
