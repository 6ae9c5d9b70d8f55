import { alterBrokerConfigs, alterTopicConfigs } from '../../config/alter.js';
import { AlterConfigsApi } from '../../protocol/generated/apis.js';
import { createAlterConfigsResponse, createAlterConfigsResponseAlterConfigsResourceResponse } from '../../protocol/generated/clients/alter-configs-response.js';
import type { BrokerServices } from '../broker-services.js';
import { alterResourceConfigs } from '../config-alteration.js';
import type { ApiHandler } from './handler.js';

/** AlterConfigs v0-2: each resource's configs are replaced by the ones given. */
export function alterConfigsHandler(services: BrokerServices): ApiHandler<33> {
  return {
    api: AlterConfigsApi,
    minVersion: 0,
    maxVersion: 2,
    async handle(request) {
      const responses = [];
      for (const { resourceType, resourceName, configs } of request.resources) {
        const result = await alterResourceConfigs(
          services,
          resourceType,
          resourceName,
          {
            topic: (layers) => alterTopicConfigs(configs, layers),
            broker: (target, layers) => alterBrokerConfigs(target, configs, layers),
          },
          request.validateOnly,
        );
        responses.push(createAlterConfigsResponseAlterConfigsResourceResponse({ ...result, resourceType, resourceName }));
      }
      return createAlterConfigsResponse({ responses });
    },
  };
}
