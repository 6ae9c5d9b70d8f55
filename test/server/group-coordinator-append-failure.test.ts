import { describe, expect, it } from 'vitest';
import { BrokerConnection } from '../../src/client/broker-connection.js';
import { CreateTopicsApi, FindCoordinatorApi, OffsetCommitApi, OffsetFetchApi } from '../../src/protocol/generated/apis.js';
import { createCreateTopicsRequest, createCreateTopicsRequestCreatableTopic } from '../../src/protocol/generated/clients/create-topics-request.js';
import { createFindCoordinatorRequest } from '../../src/protocol/generated/clients/find-coordinator-request.js';
import {
  createOffsetCommitRequest,
  createOffsetCommitRequestPartition,
  createOffsetCommitRequestTopic,
} from '../../src/protocol/generated/clients/offset-commit-request.js';
import { createOffsetFetchRequest, createOffsetFetchRequestGroup } from '../../src/protocol/generated/clients/offset-fetch-request.js';
import { ErrorCode } from '../../src/protocol/generated/error-codes.js';
import { startEmbeddedBroker } from '../e2e/support/embedded-broker.js';
import { testConnectionOptions } from '../support/connection-options.js';
import { waitFor } from '../support/wait-for.js';

const GROUP = 'append-failure';
const PARTITIONS = 40;

describe('group coordinator append failures', () => {
  it('answers the error and rebuilds the shard from its log, so that nothing unwritten is served', async () => {
    // 40 partitions with 30 KB of metadata each: more than a batch of __consumer_offsets may hold
    // (message.max.bytes, 1 MiB), so the append is refused.
    const broker = await startEmbeddedBroker({ 'offset.metadata.max.bytes': '32767' });
    const connection = await BrokerConnection.open(testConnectionOptions(broker.port));
    try {
      await connection.send(CreateTopicsApi, 7, createCreateTopicsRequest({ topics: [createCreateTopicsRequestCreatableTopic({ name: 't', numPartitions: PARTITIONS, replicationFactor: 1 })] }));
      await connection.send(FindCoordinatorApi, 3, createFindCoordinatorRequest({ key: GROUP, keyType: 0 }));
      const commit = (offset: number, metadata: string) =>
        connection.send(
          OffsetCommitApi,
          8,
          createOffsetCommitRequest({
            groupId: GROUP,
            topics: [
              createOffsetCommitRequestTopic({
                name: 't',
                partitions: Array.from({ length: PARTITIONS }, (_, partitionIndex) =>
                  createOffsetCommitRequestPartition({ partitionIndex, committedOffset: offset, committedMetadata: metadata }),
                ),
              }),
            ],
          }),
        );
      const committedError = async (offset: number, metadata: string) => (await commit(offset, metadata)).topics[0].partitions[0].errorCode;
      const fetched = async (): Promise<number | undefined> => {
        const response = await connection.send(OffsetFetchApi, 8, createOffsetFetchRequest({ groups: [createOffsetFetchRequestGroup({ groupId: GROUP, topics: null })] }));
        const group = response.groups[0];
        if (group.errorCode !== ErrorCode.NONE) return undefined;
        return group.topics[0]?.partitions[0]?.committedOffset ?? -1;
      };
      await waitFor('the first commit', async () => (await committedError(5, '')) === ErrorCode.NONE);
      expect(await committedError(9, 'x'.repeat(30_000))).toBe(ErrorCode.UNKNOWN_SERVER_ERROR);
      expect(await waitFor('the reloaded shard', fetched)).toBe(5);
    } finally {
      await connection.close();
      await broker.stop();
    }
  });
});
