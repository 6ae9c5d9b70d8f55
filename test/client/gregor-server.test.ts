import { afterEach, describe, expect, it } from 'vitest';
import { BrokerConnection } from '../../src/client/broker-connection.js';
import { UnsupportedVersionError } from '../../src/client/errors.js';
import { Listener } from '../../src/network/listener.js';
import { ApiKey, FetchApi, MetadataApi } from '../../src/protocol/generated/apis.js';
import { createMetadataRequest } from '../../src/protocol/generated/clients/metadata-request.js';
import { createMetadataResponse } from '../../src/protocol/generated/clients/metadata-response.js';
import { apiVersionsHandler } from '../../src/server/handlers/18-api-versions.js';
import type { ApiHandler } from '../../src/server/handlers/handler.js';
import { HandlerRegistry } from '../../src/server/handlers/registry.js';
import { createRequestDispatcher } from '../../src/server/request-dispatcher.js';
import { SILENT_LOGGER } from '../../src/util/logger.js';
import { testConnectionOptions } from '../support/connection-options.js';

const FEATURES = { supported: [], finalized: () => ({ levels: new Map<string, number>(), epoch: -1 }) };
const metadata: ApiHandler<3> = { api: MetadataApi, minVersion: 0, maxVersion: 12, handle: () => createMetadataResponse({ clusterId: 'gregor' }) };

let listener: Listener | undefined;
const opened: BrokerConnection[] = [];

afterEach(async () => {
  await Promise.all(opened.splice(0).map((c) => c.close()));
  await listener?.close();
  listener = undefined;
});

/** Gregor's own listener and dispatcher, serving ApiVersions up to `apiVersionsMax` and Metadata. */
async function connectToGregor(apiVersionsMax: number): Promise<BrokerConnection> {
  const registry: HandlerRegistry = new HandlerRegistry([{ ...apiVersionsHandler(() => registry.ranges(), FEATURES), maxVersion: apiVersionsMax }, metadata]);
  const limits = { maxRequestBytes: 1 << 20, maxIdleMs: 600_000, maxInFlightRequests: 100, maxQueuedResponseBytes: 1 << 20 };
  listener = new Listener({ listenerName: 'PLAINTEXT', securityProtocol: 'PLAINTEXT', host: '127.0.0.1', port: 0 }, createRequestDispatcher(registry), limits, SILENT_LOGGER);
  const { port } = await listener.start();
  const connection = await BrokerConnection.open(testConnectionOptions(port, { clientSoftware: { name: 'gregor', version: 'unknown' } }));
  opened.push(connection);
  return connection;
}

describe("BrokerConnection against Gregor's own request dispatcher", () => {
  it('negotiates at ApiVersions v4 and learns exactly the served ranges', async () => {
    const connection = await connectToGregor(4);

    expect(connection.versions.range(ApiKey.ApiVersions)).toEqual({ min: 0, max: 4 });
    const version = connection.versions.highest(MetadataApi);
    expect(version).toBe(12);
    expect((await connection.send(MetadataApi, version, createMetadataRequest())).clusterId).toBe('gregor');
    expect(() => connection.versions.highest(FetchApi)).toThrow(UnsupportedVersionError);
  });

  it('falls back when Gregor serves fewer ApiVersions versions, reading its v0 refusal', async () => {
    const connection = await connectToGregor(2);

    expect(connection.versions.range(ApiKey.ApiVersions)).toEqual({ min: 0, max: 2 });
    expect(connection.isOpen).toBe(true);
  });
});
