import { ZERO_UUID } from '../../protocol/codec-runtime.js';
import type { DeleteTopicsRequest } from '../../protocol/generated/clients/delete-topics-request.js';
import {
  type DeleteTopicsResponseDeletableTopicResult,
  createDeleteTopicsResponseDeletableTopicResult,
} from '../../protocol/generated/clients/delete-topics-response.js';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import { createRemoveTopicRecord } from '../../protocol/generated/metadata/remove-topic-record.js';
import { MetadataRecordType } from '../../protocol/generated/records.js';
import type { MetadataImage } from '../image.js';
import { type ApiError, NO_ERROR, apiError, apiErrorWithDefaultMessage, thrownApiError } from './api-error.js';
import { type ControllerResult, MAX_RECORDS_PER_USER_OP, metadataRecord } from './records.js';

type TopicResult = DeleteTopicsResponseDeletableTopicResult;

/** One topic of the request: by name (v0-v5, or v6 with the zero id) or by id (v6, with a null name). */
interface Entry {
  readonly name: string | null;
  readonly topicId: string;
}

/**
 * DeleteTopics, by name (v0-v5) and by id (v6), as Kafka's ControllerApis.deleteTopics and
 * ReplicationControlManager.deleteTopics decide it; each deleted topic is one RemoveTopicRecord,
 * which also drops its config overrides on replay. `deleteTopicEnable` is delete.topic.enable:
 * when false every topic answers TOPIC_DELETION_DISABLED, or INVALID_REQUEST below v3, which
 * had no such code. Internal topics may be deleted, as in Kafka, where only the kafka-topics
 * tool refuses; __cluster_metadata is no topic and answers UNKNOWN_TOPIC_OR_PARTITION.
 *
 * Kafka shuffles the results, because it appends them in an order that tells absent topics from
 * forbidden ones; Gregor answers in the order of the request, which tells nothing either.
 * Authorization is the handler's, before this.
 */
export function deleteTopics(
  image: MetadataImage,
  request: DeleteTopicsRequest,
  version: number,
  deleteTopicEnable: boolean,
): ControllerResult<TopicResult[]> {
  const entries: Entry[] = [...request.topicNames.map((name) => ({ name, topicId: ZERO_UUID })), ...request.topics];
  if (!deleteTopicEnable) {
    const error =
      version < 3
        ? thrownApiError(ErrorCode.INVALID_REQUEST, 'Topic deletion is disabled.')
        : thrownApiError(ErrorCode.TOPIC_DELETION_DISABLED);
    return { response: entries.map((e) => result(e.name, e.topicId, error)), records: [] };
  }

  const results: { at: number; result: TopicResult }[] = [];
  const answer = (at: number, name: string | null, topicId: string, error: ApiError) =>
    results.push({ at, result: result(name, topicId, error) });
  const byName = new Positions();
  const byId = new Positions();
  entries.forEach(({ name, topicId }, at) => {
    if (name === null && topicId === ZERO_UUID) {
      answer(at, null, ZERO_UUID, apiError(ErrorCode.INVALID_REQUEST, 'Neither topic name nor id were specified.'));
    } else if (name === null) {
      byId.add(topicId, at);
    } else if (topicId === ZERO_UUID) {
      byName.add(name, at);
    } else {
      answer(at, name, topicId, apiError(ErrorCode.INVALID_REQUEST, 'You may not specify both topic name and topic id.'));
    }
  });
  for (const [name, at] of byName.repeated()) answer(at, name, ZERO_UUID, apiError(ErrorCode.INVALID_REQUEST, 'Duplicate topic name.'));
  for (const [id, at] of byId.repeated()) answer(at, null, id, apiError(ErrorCode.INVALID_REQUEST, 'Duplicate topic id.'));

  /** Topic id -> the name it goes by in the answer and where it was asked for. */
  const doomed = new Map<string, { name: string; at: number }>();
  for (const [id, at] of byId.single()) {
    const topic = image.topicsById.get(id);
    if (topic === undefined) answer(at, null, id, apiErrorWithDefaultMessage(ErrorCode.UNKNOWN_TOPIC_ID));
    else doomed.set(id, { name: topic.name, at });
  }
  for (const [name, at] of byName.single()) {
    const topic = image.topicsByName.get(name);
    if (topic === undefined) {
      answer(at, name, ZERO_UUID, apiErrorWithDefaultMessage(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION));
    } else if (doomed.has(topic.id) || byId.isRepeated(topic.id)) {
      // The id was asked for as well: Kafka answers for the name only and deletes neither.
      doomed.delete(topic.id);
      answer(at, name, topic.id, apiError(ErrorCode.INVALID_REQUEST, 'The provided topic name maps to an ID that was already supplied.'));
    } else {
      doomed.set(topic.id, { name, at });
    }
  }
  if (doomed.size > MAX_RECORDS_PER_USER_OP) {
    const error = thrownApiError(ErrorCode.POLICY_VIOLATION, 'Unable to perform excessively large batch operation.');
    return { response: entries.map((e) => result(e.name, e.topicId, error)), records: [] };
  }
  for (const [id, { name, at }] of doomed) answer(at, name, id, NO_ERROR);
  return {
    response: results.sort((a, b) => a.at - b.at).map((r) => r.result),
    records: [...doomed.keys()].map((topicId) =>
      metadataRecord(MetadataRecordType.RemoveTopicRecord, createRemoveTopicRecord({ topicId })),
    ),
  };
}

function result(name: string | null, topicId: string, error: ApiError): TopicResult {
  return createDeleteTopicsResponseDeletableTopicResult({ name, topicId, ...error });
}

/** Where each key was first asked for, and how often. */
class Positions {
  private readonly first = new Map<string, number>();
  private readonly repeats = new Set<string>();

  add(key: string, at: number): void {
    if (this.first.has(key)) this.repeats.add(key);
    else this.first.set(key, at);
  }

  isRepeated(key: string): boolean {
    return this.repeats.has(key);
  }

  single(): [string, number][] {
    return [...this.first].filter(([key]) => !this.repeats.has(key));
  }

  repeated(): [string, number][] {
    return [...this.first].filter(([key]) => this.repeats.has(key));
  }
}
