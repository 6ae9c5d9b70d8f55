import type {
  CreatePartitionsRequest,
  CreatePartitionsRequestCreatePartitionsTopic,
} from '../../protocol/generated/clients/create-partitions-request.js';
import {
  type CreatePartitionsResponseCreatePartitionsTopicResult,
  createCreatePartitionsResponseCreatePartitionsTopicResult,
} from '../../protocol/generated/clients/create-partitions-response.js';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import type { MetadataRecord } from '../../protocol/generated/records.js';
import type { Random } from '../../util/random.js';
import type { MetadataImage } from '../image.js';
import { type ApiError, NO_ERROR, apiError, thrownApiError } from './api-error.js';
import { initialIsr, manualAssignmentProblem, newPartitionRecord } from './new-partitions.js';
import { type ControllerResult, MAX_RECORDS_PER_USER_OP } from './records.js';
import { replicaPlacer } from './replica-placer.js';

type TopicResult = CreatePartitionsResponseCreatePartitionsTopicResult;
/** The operation would write more records than one batch may hold: the whole request fails. */
const TOO_LARGE = Symbol('too large');

/**
 * CreatePartitions, every version, as Kafka's ControllerApis.createPartitions and
 * ReplicationControlManager.createPartitions decide it: one result per distinct name, in the
 * order the names first appear. The count only grows; new partitions take the replication factor
 * of the existing ones, placed by the striped placer or as the request assigns them, and become
 * one PartitionRecord each. validateOnly answers the same and writes nothing.
 */
export function createPartitions(image: MetadataImage, request: CreatePartitionsRequest, random: Random): ControllerResult<TopicResult[]> {
  const occurrences = new Map<string, number>();
  for (const { name } of request.topics) occurrences.set(name, (occurrences.get(name) ?? 0) + 1);

  const records: MetadataRecord[] = [];
  const results = new Map<string, TopicResult>();
  for (const topic of request.topics) {
    if (results.has(topic.name)) continue;
    const error =
      occurrences.get(topic.name)! > 1
        ? apiError(ErrorCode.INVALID_REQUEST, 'Duplicate topic name.')
        : addPartitions(image, topic, random, records);
    if (error === TOO_LARGE) {
      const tooLarge = thrownApiError(ErrorCode.POLICY_VIOLATION, 'Unable to perform excessively large batch operation.');
      return { response: [...occurrences.keys()].map((name) => result(name, tooLarge)), records: [] };
    }
    results.set(topic.name, result(topic.name, error));
  }
  return { response: [...results.values()], records: request.validateOnly ? [] : records };
}

/** Appends the records of one topic's new partitions to `records`, or tells why there are none. */
function addPartitions(
  image: MetadataImage,
  { name, count, assignments }: CreatePartitionsRequestCreatePartitionsTopic,
  random: Random,
  records: MetadataRecord[],
): ApiError | typeof TOO_LARGE {
  const topic = image.topicsByName.get(name);
  if (topic === undefined) return thrownApiError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  const current = topic.partitions.size;
  if (count === current) return thrownApiError(ErrorCode.INVALID_PARTITIONS, `Topic already has ${current} partition(s).`);
  if (count < current) {
    const message = `The topic ${name} currently has ${current} partition(s); ${count} would not be an increase.`;
    return thrownApiError(ErrorCode.INVALID_PARTITIONS, message);
  }
  const additional = count - current;
  if (assignments !== null && assignments.length !== additional) {
    return thrownApiError(
      ErrorCode.INVALID_REPLICA_ASSIGNMENT,
      `Attempted to add ${additional} additional partition(s), but only ${assignments.length} assignment(s) were specified.`,
    );
  }
  const first = topic.partitions.values().next();
  if (first.done) return thrownApiError(ErrorCode.UNKNOWN_SERVER_ERROR);
  const replicationFactor = first.value.replicas.length;

  let placements: readonly (readonly number[])[];
  if (assignments !== null) {
    for (const [i, { brokerIds }] of assignments.entries()) {
      const problem = manualAssignmentProblem(image, brokerIds, replicationFactor);
      if (problem !== null) return thrownApiError(ErrorCode.INVALID_REPLICA_ASSIGNMENT, problem);
      if (initialIsr(image, brokerIds).length === 0) {
        return thrownApiError(
          ErrorCode.INVALID_REPLICA_ASSIGNMENT,
          `All brokers specified in the manual partition assignment for partition ${current + i} are fenced or in controlled shutdown.`,
        );
      }
    }
    if (records.length + additional > MAX_RECORDS_PER_USER_OP) return TOO_LARGE;
    placements = assignments.map((a) => a.brokerIds);
  } else {
    const placer = replicaPlacer(image, random, replicationFactor);
    if (!placer.ok) return thrownApiError(ErrorCode.INVALID_REPLICATION_FACTOR, placer.reason);
    if (records.length + additional > MAX_RECORDS_PER_USER_OP) return TOO_LARGE;
    placements = placer.place(additional);
  }
  placements.forEach((replicas, i) => {
    records.push(newPartitionRecord(image, topic.id, current + i, replicas, initialIsr(image, replicas)));
  });
  return NO_ERROR;
}

function result(name: string, error: ApiError): TopicResult {
  return createCreatePartitionsResponseCreatePartitionsTopicResult({ name, ...error });
}
