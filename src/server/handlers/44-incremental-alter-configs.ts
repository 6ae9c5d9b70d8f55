import { incrementalAlterBrokerConfigs, incrementalAlterTopicConfigs } from '../../config/alter.js';
import { IncrementalAlterConfigsApi } from '../../protocol/generated/apis.js';
import {
  createIncrementalAlterConfigsResponse,
  createIncrementalAlterConfigsResponseAlterConfigsResourceResponse,
} from '../../protocol/generated/clients/incremental-alter-configs-response.js';
import type { BrokerServices } from '../broker-services.js';
import { alterResources } from '../config-alteration.js';
import type { ApiHandler } from './handler.js';

/** IncrementalAlterConfigs v0-1: SET, DELETE, APPEND and SUBTRACT on each resource's current configs. */
export function incrementalAlterConfigsHandler(services: BrokerServices): ApiHandler<44> {
  return {
    api: IncrementalAlterConfigsApi,
    minVersion: 0,
    maxVersion: 1,
    async handle(request) {
      const results = await alterResources(
        services,
        request.resources,
        (operations) => ({
          topic: (layers, current) => incrementalAlterTopicConfigs(current, operations, layers),
          broker: (target, layers) => incrementalAlterBrokerConfigs(target, operations, layers),
        }),
        request.validateOnly,
      );
      return createIncrementalAlterConfigsResponse({ responses: results.map((r) => createIncrementalAlterConfigsResponseAlterConfigsResourceResponse(r)) });
    },
  };
}
