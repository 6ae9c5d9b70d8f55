import { alterBrokerConfigs, alterTopicConfigs } from '../../config/alter.js';
import { AlterConfigsApi } from '../../protocol/generated/apis.js';
import { createAlterConfigsResponse, createAlterConfigsResponseAlterConfigsResourceResponse } from '../../protocol/generated/clients/alter-configs-response.js';
import type { BrokerServices } from '../broker-services.js';
import { alterResources } from '../config-alteration.js';
import type { ApiHandler } from './handler.js';

/** AlterConfigs v0-2: each resource's configs are replaced by the ones given. */
export function alterConfigsHandler(services: BrokerServices): ApiHandler<33> {
  return {
    api: AlterConfigsApi,
    minVersion: 0,
    maxVersion: 2,
    async handle(request) {
      const results = await alterResources(
        services,
        request.resources,
        (configs) => ({
          topic: (layers) => alterTopicConfigs(configs, layers),
          broker: (target, layers) => alterBrokerConfigs(target, configs, layers),
        }),
        request.validateOnly,
      );
      return createAlterConfigsResponse({ responses: results.map((r) => createAlterConfigsResponseAlterConfigsResourceResponse(r)) });
    },
  };
}
