import { describe, expect, it } from 'vitest';
import { createCreateTopicsRequest, createCreateTopicsRequestCreatableTopic } from '../../src/protocol/generated/clients/create-topics-request.js';
import { ErrorCode } from '../../src/protocol/generated/error-codes.js';
import { createTopics } from '../../src/metadata/controller/create-topics.js';
import type { MetadataImage } from '../../src/metadata/image.js';
import { type LocalMetadata, startLocalMetadata } from '../../src/metadata/local-metadata.js';
import { NotControllerError } from '../../src/metadata/quorum-controller.js';
import { SILENT_LOGGER } from '../../src/util/logger.js';
import { SeededRandom } from '../../src/util/random.js';
import { RaftEnv } from '../raft/support.js';
import { logDir, topicOptions } from './controller/support.js';
import { CLUSTER_ID } from './support/workload.js';

const PARTITION_DIR = '/data/meta/__cluster_metadata-0';
const LISTENERS = [{ name: 'PLAINTEXT', host: 'broker-1.local', port: 9092, securityProtocol: 0 }];

function startOn(env: RaftEnv, seed = 1, maxBytesBetweenSnapshots = 20 * 1024 * 1024): Promise<LocalMetadata> {
  return env.openLog().then((log) =>
    startLocalMetadata({
      log,
      fs: env.fs,
      clock: env.clock,
      random: new SeededRandom(seed),
      logger: SILENT_LOGGER,
      nodeId: 1,
      clusterId: CLUSTER_ID,
      sessionTimeoutMs: 9000,
      uncleanLeaderElection: () => false,
      maxBytesBetweenSnapshots,
      broker: { listeners: LISTENERS, rack: null, logDirIds: [logDir(1)] },
      onFatalError: (error) => env.fatalErrors.push(error),
    }),
  );
}

function createTopic(name: string, numPartitions = 1) {
  const request = createCreateTopicsRequest({ topics: [createCreateTopicsRequestCreatableTopic({ name, numPartitions, replicationFactor: 1 })] });
  const random = new SeededRandom([...name].reduce((sum, c) => sum * 31 + c.charCodeAt(0), 7));
  return (image: MetadataImage) => createTopics(image, request, topicOptions({ random }));
}

describe('startLocalMetadata', () => {
  it('bootstraps a new cluster and registers this broker, unfenced, before it resolves', async () => {
    const env = new RaftEnv();
    const metadata = await startOn(env);
    const image = metadata.loader.image;
    expect(image.features.get('metadata.version')).toBe(21);
    const broker = image.brokers.get(1)!;
    expect(broker).toMatchObject({ id: 1, fenced: false, inControlledShutdown: false, endpoints: LISTENERS, logDirs: [logDir(1)], rack: null });
    expect(broker.features).toEqual([{ name: 'metadata.version', minSupportedVersion: 1, maxSupportedVersion: 21 }]);
    expect(broker.epoch).toBe(metadata.broker.brokerEpoch);
    expect(metadata.controller.isActive).toBe(true);
    expect(metadata.raft.leaderAndEpoch).toEqual({ leaderId: 1, epoch: 1 });
    const beat = await metadata.broker.heartbeat();
    expect(beat).toMatchObject({ isCaughtUp: true, isFenced: false, shouldShutDown: false });
    await metadata.close();
  });

  it('registers a new incarnation at every start, fencing the previous one first, and partitions get their leader back', async () => {
    const env = new RaftEnv();
    const first = await startOn(env, 1);
    const [orders] = await first.controller.write(createTopic('orders', 2));
    expect(orders.errorCode).toBe(ErrorCode.NONE);
    const before = first.loader.image;
    await first.close();

    const second = await startOn(env, 2);
    const image = second.loader.image;
    const broker = image.brokers.get(1)!;
    expect(broker.incarnationId).not.toBe(before.brokers.get(1)!.incarnationId);
    expect(broker.epoch).toBeGreaterThan(before.brokers.get(1)!.epoch);
    expect(broker.fenced).toBe(false);
    for (const partition of image.topicsByName.get('orders')!.partitions.values()) {
      expect(partition.leader).toBe(1);
      expect(partition.leaderEpoch).toBe(2);
    }
    expect(second.raft.leaderAndEpoch.epoch).toBe(2);
    await second.close();
  });

  it('writes snapshots as the log grows, lets the log before them go, and restarts from them', async () => {
    const env = new RaftEnv(1, { segmentBytes: 4096 });
    const metadata = await startOn(env, 1, 4096);
    for (let i = 0; i < 30; i++) {
      await metadata.controller.write(createTopic(`topic-${i}`, 3));
      await metadata.snapshots.idle();
    }
    const snapshots = env.fs.readdir(PARTITION_DIR).filter((n) => n.endsWith('.checkpoint'));
    expect(snapshots).toHaveLength(1);
    expect(metadata.raft.endOffset).toBeGreaterThan(Number(snapshots[0].slice(0, 20)));
    const segments = env.fs.readdir(PARTITION_DIR).filter((n) => n.endsWith('.log'));
    expect(segments).not.toContain('00000000000000000000.log');
    const topics = (image: MetadataImage) =>
      [...image.topicsByName.values()].map((t) => [t.name, t.id, [...t.partitions.values()].map((p) => p.replicas)]).sort();
    const before = topics(metadata.loader.image);
    expect(before).toHaveLength(30);
    await metadata.close();

    const restarted = await startOn(env, 2, 4096);
    expect(topics(restarted.loader.image)).toEqual(before);
    await restarted.close();
  });

  it('keeps every acknowledged write through power losses', async () => {
    for (let seed = 1; seed <= 12; seed++) {
      const random = new SeededRandom(seed);
      const env = new RaftEnv(seed);
      const acknowledged: string[] = [];
      for (let run = 0; run < 3; run++) {
        const metadata = await startOn(env, seed * 10 + run);
        const image = metadata.loader.image;
        for (const name of acknowledged) expect(image.topicsByName.has(name), `seed ${seed}: ${name}`).toBe(true);
        expect(image.brokers.get(1)?.fenced).toBe(false);
        for (let i = 0; i < 4; i++) {
          const name = `t${run}-${i}`;
          const write = metadata.controller.write(createTopic(name)).then(
            () => acknowledged.push(name),
            () => undefined,
          );
          if (random.chance(0.5)) await write;
        }
        for (let turns = random.pick([0, 1, 3, 10]); turns > 0; turns--) await Promise.resolve();
        env.fs.crash();
      }
    }
  });

  it('reports a failed metadata log as fatal, and the controller stops taking writes', async () => {
    const env = new RaftEnv();
    const metadata = await startOn(env);
    env.fs.failNext('sync');
    await expect(metadata.controller.write(createTopic('orders'))).rejects.toThrow(/EIO/);
    expect(env.fatalErrors).toHaveLength(1);
    await expect(metadata.controller.write(createTopic('users'))).rejects.toThrow(NotControllerError);
  });

  it('closes: writes are refused and the log is closed', async () => {
    const env = new RaftEnv();
    const metadata = await startOn(env);
    await metadata.close();
    await expect(metadata.controller.write(createTopic('orders'))).rejects.toThrow(NotControllerError);
    expect(env.fatalErrors).toEqual([]);
  });
});
