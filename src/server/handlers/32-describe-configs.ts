import { describeBrokerConfigs, describeTopicConfigs } from '../../config/describe.js';
import { DescribeConfigsApi } from '../../protocol/generated/apis.js';
import { createDescribeConfigsResponse, createDescribeConfigsResponseDescribeConfigsResult } from '../../protocol/generated/clients/describe-configs-response.js';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import { type BrokerServices, configLayers } from '../broker-services.js';
import { resolveConfigTarget } from '../config-resources.js';
import type { ApiHandler } from './handler.js';

/** DescribeConfigs v0-4: topic and broker configs with sources, synonyms (v1+) and documentation (v3+). */
export function describeConfigsHandler(services: BrokerServices): ApiHandler<32> {
  return {
    api: DescribeConfigsApi,
    minVersion: 0,
    maxVersion: 4,
    handle(request, { apiVersion }) {
      const image = services.image();
      const layers = configLayers(services, image);
      const results = request.resources.map((resource) => {
        const { resourceType, resourceName } = resource;
        const target = resolveConfigTarget(image, services.nodeId, resourceType, resourceName);
        if (target.kind === 'error') {
          const { errorCode, errorMessage } = target;
          return createDescribeConfigsResponseDescribeConfigsResult({ errorCode, errorMessage, resourceType, resourceName });
        }
        const options = {
          keys: resource.configurationKeys,
          includeSynonyms: apiVersion >= 1 && request.includeSynonyms,
          includeDocumentation: apiVersion >= 3 && request.includeDocumentation,
        };
        const entries =
          target.kind === 'topic'
            ? describeTopicConfigs(layers, Object.fromEntries(image.topicConfigs(target.name)), options)
            : describeBrokerConfigs(layers, target.target, options);
        // isDefault exists in v0 only; from v1 configSource says it.
        const configs = apiVersion === 0 ? entries : entries.map((e) => ({ ...e, isDefault: false }));
        return createDescribeConfigsResponseDescribeConfigsResult({ errorCode: ErrorCode.NONE, resourceType, resourceName, configs });
      });
      return createDescribeConfigsResponse({ results });
    },
  };
}
