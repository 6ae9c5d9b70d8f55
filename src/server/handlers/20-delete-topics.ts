import { deleteTopics } from '../../metadata/controller/delete-topics.js';
import { DeleteTopicsApi } from '../../protocol/generated/apis.js';
import { createDeleteTopicsResponse } from '../../protocol/generated/clients/delete-topics-response.js';
import { type BrokerServices, brokerConfig } from '../broker-services.js';
import type { ApiHandler } from './handler.js';

/** DeleteTopics v0-6, by name and (v6) by topic id. */
export function deleteTopicsHandler(services: BrokerServices): ApiHandler<20> {
  return {
    api: DeleteTopicsApi,
    minVersion: 0,
    maxVersion: 6,
    async handle(request, { apiVersion }) {
      const responses = await services.controller.write((image) =>
        deleteTopics(image, request, apiVersion, brokerConfig(services, image)['delete.topic.enable']),
      );
      return createDeleteTopicsResponse({ responses });
    },
  };
}
