import { incrementalAlterBrokerConfigs, incrementalAlterTopicConfigs } from '../../config/alter.js';
import { IncrementalAlterConfigsApi } from '../../protocol/generated/apis.js';
import {
  createIncrementalAlterConfigsResponse,
  createIncrementalAlterConfigsResponseAlterConfigsResourceResponse,
} from '../../protocol/generated/clients/incremental-alter-configs-response.js';
import type { BrokerServices } from '../broker-services.js';
import { alterResourceConfigs } from '../config-alteration.js';
import type { ApiHandler } from './handler.js';

/** IncrementalAlterConfigs v0-1: SET, DELETE, APPEND and SUBTRACT on each resource's current configs. */
export function incrementalAlterConfigsHandler(services: BrokerServices): ApiHandler<44> {
  return {
    api: IncrementalAlterConfigsApi,
    minVersion: 0,
    maxVersion: 1,
    async handle(request) {
      const responses = [];
      for (const { resourceType, resourceName, configs } of request.resources) {
        const result = await alterResourceConfigs(
          services,
          resourceType,
          resourceName,
          {
            topic: (layers, current) => incrementalAlterTopicConfigs(current, configs, layers),
            broker: (target, layers) => incrementalAlterBrokerConfigs(target, configs, layers),
          },
          request.validateOnly,
        );
        responses.push(createIncrementalAlterConfigsResponseAlterConfigsResourceResponse({ ...result, resourceType, resourceName }));
      }
      return createIncrementalAlterConfigsResponse({ responses });
    },
  };
}
