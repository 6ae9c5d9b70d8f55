import type { GroupCoordinator } from '../../coordinator/group/group-coordinator-driver.js';
import type { FetchedGroupOffsets, OffsetFetchQuery } from '../../coordinator/group/group-coordinator-shard.js';
import { OffsetFetchApi } from '../../protocol/generated/apis.js';
import type { OffsetFetchResponse } from '../../protocol/generated/clients/offset-fetch-response.js';
import type { ApiHandler } from './handler.js';

/** Batched groups (KIP-709) start at v8. */
const FIRST_BATCHED_VERSION = 8;
/** Before v2 a group-level error is reported on every partition asked for. */
const FIRST_GROUP_ERROR_VERSION = 2;
/** From v9 a consumer-protocol member names itself and its epoch (KIP-848). */
const FIRST_MEMBER_VERSION = 9;
/** From v7 a client may require stable offsets (KIP-447): none of an open transaction. */
const FIRST_REQUIRE_STABLE_VERSION = 7;

/**
 * OffsetFetch v0-9: the committed offsets of one group (v0-7) or of several (v8+), every topic
 * the group has offsets for when the topics are null (v2+). A partition without a committed
 * offset answers -1. Offsets of open transactions are not visible; with `require_stable` (v7+) a
 * partition that has one answers UNSTABLE_OFFSET_COMMIT, which clients retry.
 */
export function offsetFetchHandler(groups: GroupCoordinator): ApiHandler<9> {
  const fetch = (query: OffsetFetchQuery): FetchedGroupOffsets =>
    groups.read(query.groupId, (errorCode) => ({ errorCode, topics: [] }), (shard) => shard.fetchOffsets(query));
  const singleGroup = (request: OffsetFetchQuery): OffsetFetchQuery => ({ groupId: request.groupId, topics: request.topics });

  return {
    api: OffsetFetchApi,
    minVersion: 0,
    maxVersion: 9,
    handle(request, { apiVersion }): OffsetFetchResponse {
      const requireStable = apiVersion >= FIRST_REQUIRE_STABLE_VERSION && request.requireStable;
      if (apiVersion >= FIRST_BATCHED_VERSION) {
        return {
          throttleTimeMs: 0,
          topics: [],
          errorCode: 0,
          groups: request.groups.map((group) => ({
            groupId: group.groupId,
            ...fetch({ ...(apiVersion >= FIRST_MEMBER_VERSION ? group : singleGroup(group)), requireStable }),
          })),
        };
      }
      const fetched = fetch({ groupId: request.groupId, topics: request.topics, requireStable });
      if (apiVersion < FIRST_GROUP_ERROR_VERSION && fetched.errorCode !== 0) {
        const topics = (request.topics ?? []).map((t) => ({
          name: t.name,
          partitions: t.partitionIndexes.map((partitionIndex) => ({
            partitionIndex,
            committedOffset: -1,
            committedLeaderEpoch: -1,
            metadata: '',
            errorCode: fetched.errorCode,
          })),
        }));
        return { throttleTimeMs: 0, topics, errorCode: fetched.errorCode, groups: [] };
      }
      return { throttleTimeMs: 0, topics: fetched.topics, errorCode: fetched.errorCode, groups: [] };
    },
  };
}
