import { ProduceApi } from '../../protocol/generated/apis.js';
import {
  createProduceResponse,
  createProduceResponseBatchIndexAndErrorMessage,
  createProduceResponseLeaderIdAndEpoch,
  createProduceResponseNodeEndpoint,
  createProduceResponsePartitionProduceResponse,
  createProduceResponseTopicProduceResponse,
  type ProduceResponseNodeEndpoint,
  type ProduceResponsePartitionProduceResponse,
} from '../../protocol/generated/clients/produce-response.js';
import { ERRORS, ErrorCode } from '../../protocol/generated/error-codes.js';
import { CompressionType, RECORD_BATCH_MAGIC } from '../../protocol/records/batch-header.js';
import { batchViews, firstMagic } from '../../replication/batch-views.js';
import { ACKS_NONE, type ProduceEntry, type ProduceResult, type ReplicaManager } from '../../replication/replica-manager.js';
import { NO_RESPONSE, type ApiHandler } from './handler.js';

/** The client id Kafka's admin tools use; only it may write to internal topics. */
export const ADMIN_CLIENT_ID = '__admin_client';

/** Produce v3 carries message format v2 only, one batch per partition. */
const FIRST_V2_ONLY_VERSION = 3;
const FIRST_STORAGE_ERROR_VERSION = 4;
const FIRST_ZSTD_VERSION = 7;
/** Produce v10 names the current leader on NOT_LEADER_OR_FOLLOWER (KIP-951). */
const FIRST_CURRENT_LEADER_VERSION = 10;

/**
 * Kafka's ProduceRequest.validateRecords: from v3 a partition's records are exactly one v2
 * batch, and zstd needs v7. Records whose sizes do not add up are left for storage to answer
 * CORRUPT_MESSAGE.
 */
function requestRecordsError(version: number, records: Buffer | null): number {
  if (version < FIRST_V2_ONLY_VERSION) return ErrorCode.NONE;
  const magic = records === null ? null : firstMagic(records);
  if (magic === null || magic !== RECORD_BATCH_MAGIC) return ErrorCode.INVALID_RECORD;
  const batches = batchViews(records!);
  if (batches === null) return ErrorCode.NONE;
  if (batches.length !== 1) return ErrorCode.INVALID_RECORD;
  if (version < FIRST_ZSTD_VERSION && batches[0].compression === CompressionType.Zstd) return ErrorCode.UNSUPPORTED_COMPRESSION_TYPE;
  return ErrorCode.NONE;
}

function refused(errorCode: number): ProduceResult {
  return { errorCode, baseOffset: -1, logAppendTime: -1, logStartOffset: -1, recordErrors: [], errorMessage: null };
}

/**
 * Produce v0-v11. Unknown partitions and records the version does not allow are answered here;
 * the rest go to the replica manager in one call, which appends them before this handler first
 * yields, so that a connection's produces reach each partition in the order they arrived. acks=0
 * sends nothing back, and closes the connection when anything failed, as Kafka does, so that the
 * producer notices and refreshes its metadata.
 */
export function produceHandler(replicas: ReplicaManager): ApiHandler<0> {
  return {
    api: ProduceApi,
    minVersion: 0,
    maxVersion: 11,
    async handle(request, { apiVersion, header, connection }) {
      const entries: ProduceEntry[] = [];
      const answers = request.topicData.map((topic) =>
        topic.partitionData.map((p): ProduceResult | number => {
          const tp = { topic: topic.name, partition: p.index };
          if (!replicas.knowsPartition(tp)) return refused(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
          const recordsError = requestRecordsError(apiVersion, p.records);
          if (recordsError !== ErrorCode.NONE) return refused(recordsError);
          return entries.push({ ...tp, records: p.records }) - 1;
        }),
      );
      const appended = await replicas.appendRecords({
        acks: request.acks,
        timeoutMs: request.timeoutMs,
        internalTopicsAllowed: header.clientId === ADMIN_CLIENT_ID,
        entries,
      });
      const results = answers.map((topic) => topic.map((answer) => (typeof answer === 'number' ? appended[answer] : answer)));

      if (request.acks === ACKS_NONE) {
        const failed = request.topicData.flatMap((topic, t) =>
          topic.partitionData.flatMap(({ index }, i) => {
            const { errorCode } = results[t][i];
            return errorCode === ErrorCode.NONE ? [] : [`${topic.name}-${index}: ${ERRORS.get(errorCode)?.name}`];
          }),
        );
        if (failed.length === 0) return NO_RESPONSE;
        throw new Error(`closing the connection after errors in an acks=0 produce: ${failed.join(', ')}`);
      }

      const nodeEndpoints = new Map<number, ProduceResponseNodeEndpoint>();
      const partitionResponse = (topic: string, index: number, r: ProduceResult): ProduceResponsePartitionProduceResponse => {
        const storageErrorUnknown = r.errorCode === ErrorCode.KAFKA_STORAGE_ERROR && apiVersion < FIRST_STORAGE_ERROR_VERSION;
        const response = createProduceResponsePartitionProduceResponse({
          index,
          errorCode: storageErrorUnknown ? ErrorCode.NOT_LEADER_OR_FOLLOWER : r.errorCode,
          baseOffset: r.baseOffset,
          logAppendTimeMs: r.logAppendTime,
          logStartOffset: r.logStartOffset,
          recordErrors: r.recordErrors.map((e) =>
            createProduceResponseBatchIndexAndErrorMessage({ batchIndex: e.batchIndex, batchIndexErrorMessage: e.message }),
          ),
          errorMessage: r.errorMessage,
        });
        if (apiVersion >= FIRST_CURRENT_LEADER_VERSION && r.errorCode === ErrorCode.NOT_LEADER_OR_FOLLOWER) {
          const leader = replicas.currentLeader({ topic, partition: index }, connection.listenerName);
          response.currentLeader = createProduceResponseLeaderIdAndEpoch({ leaderId: leader.leaderId, leaderEpoch: leader.leaderEpoch });
          if (leader.node !== null) nodeEndpoints.set(leader.node.nodeId, createProduceResponseNodeEndpoint(leader.node));
        }
        return response;
      };
      return createProduceResponse({
        responses: request.topicData.map((topic, t) =>
          createProduceResponseTopicProduceResponse({
            name: topic.name,
            partitionResponses: topic.partitionData.map((p, i) => partitionResponse(topic.name, p.index, results[t][i])),
          }),
        ),
        nodeEndpoints: [...nodeEndpoints.values()],
      });
    },
  };
}
