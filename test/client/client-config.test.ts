import { describe, expect, it } from 'vitest';
import { resolveClientConfig } from '../../src/client/client-config.js';

describe('resolveClientConfig', () => {
  it("fills in Kafka's client defaults", () => {
    expect(resolveClientConfig({ bootstrapServers: 'localhost:9092' })).toEqual({
      bootstrapServers: [{ host: 'localhost', port: 9092 }],
      clientId: 'gregor',
      requestTimeoutMs: 30_000,
      retries: 5,
      retryBackoffMs: 100,
      retryBackoffMaxMs: 1_000,
      metadataMaxAgeMs: 300_000,
      connectionsMaxIdleMs: 540_000,
      socketConnectionSetupTimeoutMs: 10_000,
      allowAutoCreateTopics: false,
      clientSoftware: { name: 'gregor', version: 'unknown' },
    });
  });

  it('names the property whose value makes no sense', () => {
    expect(() => resolveClientConfig({ bootstrapServers: 'h:1', requestTimeoutMs: 0 })).toThrow('request.timeout.ms must be an integer >= 1, got 0');
    expect(() => resolveClientConfig({ bootstrapServers: 'h:1', retries: -1 })).toThrow('retries must be an integer >= 0, got -1');
    expect(() => resolveClientConfig({ bootstrapServers: 'h:1', retryBackoffMs: 1.5 })).toThrow('retry.backoff.ms must be an integer');
  });
});
