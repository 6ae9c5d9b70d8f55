import { describe, expect, it } from 'vitest';
import { decodeResponseFrame, encodeRequestFrame } from '../../src/protocol/frames.js';
import { ApiVersionsApi, MetadataApi, ProduceApi } from '../../src/protocol/generated/apis.js';
import { createApiVersionsRequest } from '../../src/protocol/generated/clients/api-versions-request.js';
import { createMetadataRequest } from '../../src/protocol/generated/clients/metadata-request.js';
import { ErrorCode } from '../../src/protocol/generated/error-codes.js';
import { DecodeError } from '../../src/protocol/decode-error.js';
import { Writer } from '../../src/protocol/writer.js';
import type { ApiDefinition } from '../../src/protocol/message-codec.js';
import { apiVersionsHandler } from '../../src/server/handlers/18-api-versions.js';
import { NO_RESPONSE, type ApiHandler } from '../../src/server/handlers/handler.js';
import { HandlerRegistry } from '../../src/server/handlers/registry.js';
import { RejectedRequestError, createRequestDispatcher } from '../../src/server/request-dispatcher.js';

const CONNECTION = { id: 'test-0', listenerName: 'PLAINTEXT', securityProtocol: 'PLAINTEXT', remoteAddress: '127.0.0.1', remotePort: 1 };
const FEATURES = {
  supported: [
    { name: 'metadata.version', minVersion: 1, maxVersion: 21 },
    { name: 'kraft.version', minVersion: 0, maxVersion: 1 },
  ],
  finalized: () => ({ levels: new Map([['metadata.version', 21]]), epoch: 7 }),
};

const silentMetadata: ApiHandler<3> = { api: MetadataApi, minVersion: 0, maxVersion: 12, handle: () => NO_RESPONSE };

function setup() {
  const registry: HandlerRegistry = new HandlerRegistry([apiVersionsHandler(() => registry.ranges(), FEATURES), silentMetadata]);
  return createRequestDispatcher(registry);
}

function requestFrame<Req>(api: ApiDefinition<Req, unknown>, version: number, body: Req, correlationId = 42): Buffer {
  const w = new Writer();
  encodeRequestFrame(w, api, version, correlationId, 'test-client', body);
  return w.finishToBuffer().subarray(4);
}

async function call<Res>(api: ApiDefinition<unknown, Res>, version: number, frame: Buffer) {
  const dispatch = setup();
  const out = await dispatch(frame, CONNECTION);
  if (out === null) return null;
  const bytes = Buffer.concat(out);
  expect(bytes.readInt32BE(0)).toBe(bytes.length - 4);
  return decodeResponseFrame(bytes.subarray(4), api, version);
}

describe('ApiVersions through the dispatcher', () => {
  it.each([0, 1, 2, 3, 4])('answers v%i with the registry ranges', async (version) => {
    const request = createApiVersionsRequest({ clientSoftwareName: 'gregor-test', clientSoftwareVersion: '1.0.0' });
    const response = await call(ApiVersionsApi, version, requestFrame(ApiVersionsApi, version, request));
    expect(response!.correlationId).toBe(42);
    expect(response!.body.errorCode).toBe(ErrorCode.NONE);
    expect(response!.body.apiKeys.map((k) => [k.apiKey, k.minVersion, k.maxVersion])).toEqual([
      [3, 0, 12],
      [18, 0, 4],
    ]);
    if (version >= 3) {
      expect(response!.body.finalizedFeaturesEpoch).toBe(7);
      expect(response!.body.supportedFeatures.map((f) => f.name)).toEqual(version >= 4 ? ['metadata.version', 'kraft.version'] : ['metadata.version']);
    }
  });

  it('rejects a v3+ request whose client software name breaks KIP-511 with INVALID_REQUEST', async () => {
    const request = createApiVersionsRequest({ clientSoftwareName: 'bad name!', clientSoftwareVersion: '1' });
    const response = await call(ApiVersionsApi, 3, requestFrame(ApiVersionsApi, 3, request));
    expect(response!.body.errorCode).toBe(ErrorCode.INVALID_REQUEST);
  });

  it('answers an ApiVersions version it does not serve in the v0 layout with UNSUPPORTED_VERSION and its ranges', async () => {
    const frame = Buffer.from(requestFrame(ApiVersionsApi, 3, createApiVersionsRequest()));
    frame.writeInt16BE(9, 2);
    const response = await call(ApiVersionsApi, 0, frame);
    expect(response!.correlationId).toBe(42);
    expect(response!.body.errorCode).toBe(ErrorCode.UNSUPPORTED_VERSION);
    expect(response!.body.apiKeys.map((k) => k.apiKey)).toEqual([3, 18]);
  });

  it('sends nothing when the handler says so', async () => {
    expect(await call(MetadataApi, 12, requestFrame(MetadataApi, 12, createMetadataRequest()))).toBeNull();
  });

  it('ignores bytes after a request body, as Kafka does', async () => {
    // librdkafka 2.12's Metadata v12 request for all topics: its null topic array is written as
    // the 4 bytes it reserved for the count, so 3 bytes are left after the body.
    const frame = Buffer.from('0003000c00000003000772646b61666b6100' + '00000000010000', 'hex');
    let seen: unknown = undefined;
    const capturing: ApiHandler<3> = { ...silentMetadata, handle: (request) => ((seen = request), NO_RESPONSE) };
    const registry = new HandlerRegistry([capturing]);
    expect(await createRequestDispatcher(registry)(frame, CONNECTION)).toBeNull();
    expect(seen).toMatchObject({ topics: null, allowAutoTopicCreation: false });
  });

  it('rejects unknown API keys, unserved APIs and versions, and malformed bodies', () => {
    const dispatch = setup();
    const unknownKey = Buffer.from(requestFrame(ApiVersionsApi, 0, createApiVersionsRequest()));
    unknownKey.writeInt16BE(999, 0);
    expect(() => dispatch(unknownKey, CONNECTION)).toThrow(/unknown API key 999/);
    expect(() => dispatch(requestFrame(ProduceApi, 9, ProduceApi.request.create()), CONNECTION)).toThrow(RejectedRequestError);
    const truncated = requestFrame(MetadataApi, 12, createMetadataRequest({ topics: [] }));
    expect(() => dispatch(truncated.subarray(0, truncated.length - 2), CONNECTION)).toThrow(DecodeError);
    expect(() => dispatch(truncated.subarray(0, truncated.length - 2), CONNECTION)).toThrow(/^Metadata v12 request: /);
    expect(() => dispatch(Buffer.from([0, 18]), CONNECTION)).toThrow(DecodeError);
  });
});

describe('HandlerRegistry', () => {
  it('refuses duplicate handlers, ranges outside Kafka, and unstable versions', () => {
    expect(() => new HandlerRegistry([silentMetadata, silentMetadata])).toThrow(/two handlers/);
    expect(() => new HandlerRegistry([{ ...silentMetadata, maxVersion: 13 }])).toThrow(/outside Kafka/);
    const unstable = { ...silentMetadata, api: { ...MetadataApi, latestVersionUnstable: true } };
    expect(() => new HandlerRegistry([unstable])).toThrow(/not stable/);
  });
});
