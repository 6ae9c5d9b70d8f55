import { createPartitions } from '../../metadata/controller/create-partitions.js';
import { CreatePartitionsApi } from '../../protocol/generated/apis.js';
import { createCreatePartitionsResponse } from '../../protocol/generated/clients/create-partitions-response.js';
import type { BrokerServices } from '../broker-services.js';
import type { ApiHandler } from './handler.js';

/** CreatePartitions v0-3: add partitions to existing topics, optionally with explicit assignments. */
export function createPartitionsHandler(services: BrokerServices): ApiHandler<37> {
  return {
    api: CreatePartitionsApi,
    minVersion: 0,
    maxVersion: 3,
    async handle(request) {
      const results = await services.controller.write((image) => createPartitions(image, request, services.random));
      return createCreatePartitionsResponse({ results });
    },
  };
}
