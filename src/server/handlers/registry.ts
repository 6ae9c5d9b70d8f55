import type { ApiHandler } from './handler.js';

/** An API key and the versions Gregor serves, as ApiVersions advertises them. */
export interface ApiRange {
  readonly apiKey: number;
  readonly minVersion: number;
  readonly maxVersion: number;
}

/**
 * The handlers the broker serves. Advertised ranges come from here and nowhere else, so an API
 * is advertised exactly when, and for exactly the versions, a handler implements it.
 */
export class HandlerRegistry {
  private readonly byKey = new Map<number, ApiHandler>();

  constructor(handlers: readonly ApiHandler[]) {
    for (const h of handlers) {
      const { key, name, minVersion, maxVersion } = h.api;
      if (this.byKey.has(key)) throw new Error(`two handlers for ${name}`);
      if (h.minVersion < minVersion || h.maxVersion > maxVersion || h.minVersion > h.maxVersion) {
        throw new Error(`${name} handler serves v${h.minVersion}-${h.maxVersion}, outside Kafka's v${minVersion}-${maxVersion}`);
      }
      if (h.api.latestVersionUnstable && h.maxVersion === maxVersion) {
        throw new Error(`${name} v${maxVersion} is not stable in Kafka and must not be advertised`);
      }
      this.byKey.set(key, h);
    }
  }

  get(apiKey: number): ApiHandler | undefined {
    return this.byKey.get(apiKey);
  }

  supports(apiKey: number, version: number): boolean {
    const h = this.byKey.get(apiKey);
    return h !== undefined && version >= h.minVersion && version <= h.maxVersion;
  }

  ranges(): ApiRange[] {
    return [...this.byKey.values()]
      .map((h) => ({ apiKey: h.api.key, minVersion: h.minVersion, maxVersion: h.maxVersion }))
      .sort((a, b) => a.apiKey - b.apiKey);
  }
}
