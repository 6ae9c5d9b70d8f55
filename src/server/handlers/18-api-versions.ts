import { ApiVersionsApi } from '../../protocol/generated/apis.js';
import {
  type ApiVersionsResponse,
  createApiVersionsResponse,
  createApiVersionsResponseApiVersion,
  createApiVersionsResponseFinalizedFeatureKey,
  createApiVersionsResponseSupportedFeatureKey,
} from '../../protocol/generated/clients/api-versions-response.js';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import type { ApiHandler } from './handler.js';
import type { ApiRange } from './registry.js';

/** A feature the broker supports, with the range of levels it can run at. */
export interface SupportedFeature {
  readonly name: string;
  readonly minVersion: number;
  readonly maxVersion: number;
}

/** What ApiVersions reports beyond API ranges: supported and finalized features. */
export interface FeatureView {
  readonly supported: readonly SupportedFeature[];
  /** Finalized levels by feature name, and the metadata offset they were read at (-1: none). */
  finalized(): { readonly levels: ReadonlyMap<string, number>; readonly epoch: number };
}

/** Kafka's rule for client software names and versions (KIP-511). */
const SOFTWARE_PATTERN = /^[a-zA-Z0-9](?:[a-zA-Z0-9\-.]*[a-zA-Z0-9])?$/;

function apiKeys(ranges: readonly ApiRange[]) {
  return ranges.map((r) => createApiVersionsResponseApiVersion(r));
}

/**
 * The answer to an ApiVersions request at a version the broker does not serve: v0 layout,
 * UNSUPPORTED_VERSION, and the supported ranges so the client can retry with one of them.
 */
export function unsupportedApiVersionsResponse(ranges: readonly ApiRange[]): ApiVersionsResponse {
  return createApiVersionsResponse({ errorCode: ErrorCode.UNSUPPORTED_VERSION, apiKeys: apiKeys(ranges) });
}

export function apiVersionsHandler(ranges: () => readonly ApiRange[], features: FeatureView): ApiHandler<18> {
  return {
    api: ApiVersionsApi,
    minVersion: 0,
    maxVersion: 4,
    handle(request, { apiVersion }) {
      if (apiVersion >= 3 && !(SOFTWARE_PATTERN.test(request.clientSoftwareName) && SOFTWARE_PATTERN.test(request.clientSoftwareVersion))) {
        return createApiVersionsResponse({ errorCode: ErrorCode.INVALID_REQUEST });
      }
      const finalized = features.finalized();
      return createApiVersionsResponse({
        errorCode: ErrorCode.NONE,
        apiKeys: apiKeys(ranges()),
        // Up to v3, features whose minimum level is 0 are left out: older clients misread them.
        supportedFeatures: features.supported
          .filter((f) => apiVersion >= 4 || f.minVersion > 0)
          .map((f) => createApiVersionsResponseSupportedFeatureKey(f)),
        finalizedFeaturesEpoch: finalized.epoch,
        finalizedFeatures: [...finalized.levels].map(([name, level]) =>
          createApiVersionsResponseFinalizedFeatureKey({ name, minVersionLevel: level, maxVersionLevel: level }),
        ),
      });
    },
  };
}
