import { ApiKey, ApiVersionsApi } from '../protocol/generated/apis.js';
import { type ApiVersionsRequest, createApiVersionsRequest } from '../protocol/generated/clients/api-versions-request.js';
import type { ApiVersionsResponse } from '../protocol/generated/clients/api-versions-response.js';
import { ErrorCode } from '../protocol/generated/error-codes.js';
import type { ApiDefinition } from '../protocol/message-codec.js';
import { KafkaProtocolError, UnsupportedVersionError, type VersionRange } from './errors.js';

/** Name and version sent in ApiVersions v3+ (KIP-511); brokers reject values outside [a-zA-Z0-9.-]. */
export interface ClientSoftware {
  readonly name: string;
  readonly version: string;
}

/** The versions our codecs can speak for an API, less a latest version Kafka marks unstable. */
export function clientVersionRange(api: ApiDefinition<unknown, unknown>): VersionRange {
  return { min: api.minVersion, max: api.latestVersionUnstable ? api.maxVersion - 1 : api.maxVersion };
}

/** The API version ranges one broker advertised in its ApiVersions response. */
export class BrokerApiVersions {
  constructor(
    /** host:port of the broker, for error messages. */
    readonly broker: string,
    private readonly ranges: ReadonlyMap<number, VersionRange>,
  ) {}

  static fromResponse(broker: string, response: ApiVersionsResponse): BrokerApiVersions {
    return new BrokerApiVersions(broker, new Map(response.apiKeys.map((k) => [k.apiKey, { min: k.minVersion, max: k.maxVersion }])));
  }

  /** The broker's range for an API key, or undefined when it does not serve it. */
  range(apiKey: number): VersionRange | undefined {
    return this.ranges.get(apiKey);
  }

  /**
   * The highest version both sides support for `api`. `allowed` narrows our side, for callers
   * that only implement some versions' semantics; it is always clipped to what our codec speaks.
   */
  highest(api: ApiDefinition<unknown, unknown>, allowed?: VersionRange): number {
    const codec = clientVersionRange(api);
    const ours = allowed ? { min: Math.max(codec.min, allowed.min), max: Math.min(codec.max, allowed.max) } : codec;
    const theirs = this.ranges.get(api.key) ?? null;
    const version = theirs === null ? -1 : Math.min(ours.max, theirs.max);
    if (theirs === null || version < ours.min || version < theirs.min) {
      throw new UnsupportedVersionError(api.name, this.broker, ours, theirs);
    }
    return version;
  }
}

/** Sends one ApiVersions request at the given version and resolves with the decoded response. */
export type ApiVersionsExchange = (version: number, request: ApiVersionsRequest) => Promise<ApiVersionsResponse>;

/**
 * Learns a broker's version ranges as Kafka clients do: ask at our highest ApiVersions version;
 * a broker that does not know it answers UNSUPPORTED_VERSION in the v0 layout, listing its own
 * ApiVersions range, and we ask again at the highest version it named (v0 if it named none).
 */
export async function negotiateApiVersions(
  broker: string,
  software: ClientSoftware,
  exchange: ApiVersionsExchange,
): Promise<BrokerApiVersions> {
  const request = createApiVersionsRequest({ clientSoftwareName: software.name, clientSoftwareVersion: software.version });
  let version = clientVersionRange(ApiVersionsApi).max;
  for (;;) {
    const response = await exchange(version, request);
    if (response.errorCode === ErrorCode.NONE) return BrokerApiVersions.fromResponse(broker, response);
    if (response.errorCode !== ErrorCode.UNSUPPORTED_VERSION) {
      throw new KafkaProtocolError(response.errorCode, `ApiVersions v${version} to ${broker}`);
    }
    const advertised = response.apiKeys.find((k) => k.apiKey === ApiKey.ApiVersions);
    const fallback = advertised ? Math.min(advertised.maxVersion, version - 1) : 0;
    if (fallback >= version || fallback < 0) {
      throw new UnsupportedVersionError(ApiVersionsApi.name, broker, clientVersionRange(ApiVersionsApi), advertised ? { min: advertised.minVersion, max: advertised.maxVersion } : null);
    }
    version = fallback;
  }
}
