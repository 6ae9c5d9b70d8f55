import type { Random } from './random.js';

/**
 * A random (version 4) UUID in Kafka's base64url form, as Kafka's Uuid.randomUuid makes them. The
 * version bits keep it clear of every reserved id (all of which start with zero bytes), and an id
 * whose text starts with '-' is drawn again, since command lines take it for an option.
 */
export function randomUuid(random: Random): string {
  for (;;) {
    const bytes = Buffer.alloc(16);
    for (let i = 0; i < bytes.length; i++) bytes[i] = random.int(256);
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    const uuid = bytes.toString('base64url');
    if (!uuid.startsWith('-')) return uuid;
  }
}
