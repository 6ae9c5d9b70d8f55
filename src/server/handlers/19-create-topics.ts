import { createTopics } from '../../metadata/controller/create-topics.js';
import { CreateTopicsApi } from '../../protocol/generated/apis.js';
import { createCreateTopicsResponse } from '../../protocol/generated/clients/create-topics-response.js';
import type { BrokerServices } from '../broker-services.js';
import { topicCreationOptions } from '../topic-creation.js';
import type { ApiHandler } from './handler.js';

/** CreateTopics v0-7: the controller decides (validation, placement, configs); validateOnly writes nothing. */
export function createTopicsHandler(services: BrokerServices): ApiHandler<19> {
  return {
    api: CreateTopicsApi,
    minVersion: 0,
    maxVersion: 7,
    async handle(request) {
      const topics = await services.controller.write((image) => createTopics(image, request, topicCreationOptions(services, image)));
      return createCreateTopicsResponse({ topics });
    },
  };
}
