import { describe, expect, it } from 'vitest';
import { DescribeLogDirsApi } from '../../../src/protocol/generated/apis.js';
import {
  createDescribeLogDirsRequest,
  createDescribeLogDirsRequestDescribableLogDirTopic,
} from '../../../src/protocol/generated/clients/describe-log-dirs-request.js';
import { ErrorCode } from '../../../src/protocol/generated/error-codes.js';
import { statfsDiskStats } from '../../../src/server/handlers/35-describe-log-dirs.js';
import { batchOf, LOG_DIR } from '../../replication/support.js';
import { ordersInTwoEpochs, versions } from './data-plane.js';

describe('DescribeLogDirs handler', () => {
  it.each(versions(0, 4))('lists the log directory and its partitions at v%i, with volume space from v4', async (version) => {
    const { plane, client } = await ordersInTwoEpochs();
    const size = plane.replicas.hostedPartition({ topic: 'orders', partition: 0 })!.log.size;
    const response = await client.answer(DescribeLogDirsApi, version, createDescribeLogDirsRequest({ topics: null }));
    expect(response.errorCode).toBe(ErrorCode.NONE);
    expect(response.results).toEqual([
      expect.objectContaining({
        errorCode: ErrorCode.NONE,
        logDir: LOG_DIR,
        topics: [expect.objectContaining({ name: 'orders', partitions: [expect.objectContaining({ partitionIndex: 0, partitionSize: size, offsetLag: 0, isFutureKey: false })] })],
        totalBytes: version >= 4 ? 1000 : -1,
        usableBytes: version >= 4 ? 400 : -1,
      }),
    ]);
  });

  it('limits the partitions to those asked for, and answers KAFKA_STORAGE_ERROR for an offline directory', async () => {
    const { plane, client } = await ordersInTwoEpochs();
    const asked = createDescribeLogDirsRequest({ topics: [createDescribeLogDirsRequestDescribableLogDirTopic({ topic: 'orders', partitions: [5] })] });
    expect((await client.answer(DescribeLogDirsApi, 4, asked)).results[0].topics).toEqual([expect.objectContaining({ name: 'orders', partitions: [] })]);
    plane.fs.failNext('write');
    await plane.produce('orders', 0, batchOf(['x']));
    const offline = await client.answer(DescribeLogDirsApi, 4, createDescribeLogDirsRequest({ topics: null }));
    expect(offline.results[0]).toMatchObject({ errorCode: ErrorCode.KAFKA_STORAGE_ERROR, logDir: LOG_DIR, topics: [], totalBytes: -1 });
  });

  it('answers UNKNOWN_SERVER_ERROR for a directory whose volume cannot be measured', async () => {
    const { client } = await ordersInTwoEpochs(() => {
      throw new Error('ENOENT');
    });
    const response = await client.answer(DescribeLogDirsApi, 4, createDescribeLogDirsRequest({ topics: null }));
    expect(response.results[0]).toMatchObject({ errorCode: ErrorCode.UNKNOWN_SERVER_ERROR, topics: [] });
  });

  it('measures a real volume with statfs', () => {
    const space = statfsDiskStats('.');
    expect(space.totalBytes).toBeGreaterThan(0);
    expect(space.usableBytes).toBeGreaterThanOrEqual(0);
    expect(space.usableBytes).toBeLessThanOrEqual(space.totalBytes);
  });
});
