import { afterEach, describe, expect, it } from 'vitest';
import { BrokerApiVersions, clientVersionRange } from '../../src/client/api-versions.js';
import { BrokerConnection } from '../../src/client/broker-connection.js';
import { KafkaProtocolError, UnsupportedVersionError } from '../../src/client/errors.js';
import { ApiKey, ApiVersionsApi, FetchApi, MetadataApi, ProduceApi } from '../../src/protocol/generated/apis.js';
import { ErrorCode } from '../../src/protocol/generated/error-codes.js';
import type { ApiDefinition } from '../../src/protocol/message-codec.js';
import { ALL_API_RANGES, FakeBroker } from './support/fake-broker.js';
import { testConnectionOptions } from '../support/connection-options.js';

let broker: FakeBroker;
const opened: BrokerConnection[] = [];

afterEach(async () => {
  await Promise.all(opened.splice(0).map((c) => c.close()));
  await broker.stop();
});

async function open(): Promise<BrokerConnection> {
  const connection = await BrokerConnection.open(testConnectionOptions(broker.port));
  opened.push(connection);
  return connection;
}

function withRange(apiKey: number, minVersion: number, maxVersion: number) {
  return ALL_API_RANGES.map((r) => (r.apiKey === apiKey ? { apiKey, minVersion, maxVersion } : r));
}

describe('ApiVersions negotiation', () => {
  it('retries at the ApiVersions version an older broker names in its v0 UNSUPPORTED_VERSION answer', async () => {
    broker = await FakeBroker.start();
    broker.maxApiVersionsVersion = 2;
    broker.apiRanges = withRange(ApiKey.ApiVersions, 0, 2);

    const connection = await open();

    expect(broker.refusedApiVersions).toEqual([ApiVersionsApi.maxVersion]);
    expect(broker.requests.map((r) => [r.api.name, r.version])).toEqual([['ApiVersions', 2]]);
    expect(connection.versions.range(ApiKey.ApiVersions)).toEqual({ min: 0, max: 2 });
  });

  it('falls back to ApiVersions v0 when the refusal does not list ApiVersions', async () => {
    broker = await FakeBroker.start();
    broker.maxApiVersionsVersion = 0;
    broker.apiRanges = ALL_API_RANGES.filter((r) => r.apiKey !== ApiKey.ApiVersions);

    const connection = await open();

    expect(broker.refusedApiVersions).toEqual([ApiVersionsApi.maxVersion]);
    expect(broker.requests.map((r) => r.version)).toEqual([0]);
    expect(connection.versions.highest(MetadataApi)).toBe(MetadataApi.maxVersion);
  });

  it('gives up with UnsupportedVersionError when even v0 is refused', async () => {
    broker = await FakeBroker.start();
    broker.maxApiVersionsVersion = -1;

    await expect(open()).rejects.toBeInstanceOf(UnsupportedVersionError);
    expect(broker.refusedApiVersions).toEqual([4, 3, 2, 1, 0]);
  });

  it('fails with the broker error for any other ApiVersions error', async () => {
    broker = await FakeBroker.start();
    broker.on(ApiVersionsApi, () => broker.apiVersionsResponse(ErrorCode.INVALID_REQUEST));

    const error = await open().catch((err: unknown) => err);

    expect(error).toBeInstanceOf(KafkaProtocolError);
    expect(error).toMatchObject({ errorCode: ErrorCode.INVALID_REQUEST, errorName: 'INVALID_REQUEST', retriable: false });
  });
});

describe('BrokerApiVersions', () => {
  const versions = new BrokerApiVersions(
    'broker:9092',
    new Map([
      [ApiKey.Produce, { min: 3, max: 99 }],
      [ApiKey.Metadata, { min: 0, max: 4 }],
      [ApiKey.Fetch, { min: 13, max: 17 }],
    ]),
  );

  it('picks the highest version both sides support', () => {
    expect(versions.highest(ProduceApi)).toBe(clientVersionRange(ProduceApi).max);
    expect(versions.highest(MetadataApi)).toBe(4);
  });

  it('narrows our side to the range a caller allows', () => {
    expect(versions.highest(ProduceApi, { min: 3, max: 7 })).toBe(7);
    expect(versions.highest(MetadataApi, { min: 1, max: 2 })).toBe(2);
  });

  it('names the API and both ranges when they do not meet', () => {
    const error = (() => {
      try {
        versions.highest(FetchApi, { min: 4, max: 12 });
      } catch (err) {
        return err;
      }
    })();
    expect(error).toBeInstanceOf(UnsupportedVersionError);
    expect((error as Error).message).toBe('broker:9092 supports Fetch v13-v17, we need v4-v12');
  });

  it('says when the broker does not serve the API at all', () => {
    expect(() => versions.highest(ApiVersionsApi as ApiDefinition<unknown, unknown>)).toThrow('broker:9092 does not support ApiVersions (we need v0-v4)');
  });

  it('never offers a version Kafka marks unstable', () => {
    const unstable = { ...MetadataApi, latestVersionUnstable: true };
    expect(clientVersionRange(unstable)).toEqual({ min: MetadataApi.minVersion, max: MetadataApi.maxVersion - 1 });
  });
});
