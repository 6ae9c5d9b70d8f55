import type { RaftLog } from '../raft/raft-log.js';
import { SingleNodeRaft } from '../raft/single-node-raft.js';
import type { Clock } from '../util/clock.js';
import type { FileSystem } from '../util/file-system.js';
import type { Logger } from '../util/logger.js';
import type { Random } from '../util/random.js';
import type { UncleanLeaderElection } from './controller/leader-and-isr.js';
import { randomUuid } from '../util/uuid.js';
import type { BrokerEndpoint } from './image.js';
import { LocalBroker } from './local-broker.js';
import { MetadataLoader } from './metadata-loader.js';
import { QuorumController } from './quorum-controller.js';
import { SnapshotGenerator } from './snapshot-generator.js';

export interface LocalMetadataParams {
  /** The opened `__cluster_metadata-0` log; it belongs to the quorum from here on. */
  readonly log: RaftLog;
  readonly fs: FileSystem;
  readonly clock: Clock;
  readonly random: Random;
  readonly logger: Logger;
  readonly nodeId: number;
  readonly clusterId: string;
  /** `broker.session.timeout.ms`. */
  readonly sessionTimeoutMs: number;
  /** `unclean.leader.election.enable` of a topic. */
  readonly uncleanLeaderElection: UncleanLeaderElection;
  /** `metadata.log.max.record.bytes.between.snapshots`. */
  readonly maxBytesBetweenSnapshots: number;
  /** What this node registers as a broker. */
  readonly broker: {
    readonly listeners: readonly BrokerEndpoint[];
    readonly rack: string | null;
    readonly logDirIds: readonly string[];
  };
  /** The metadata quorum can no longer work (its log failed): the node must stop. */
  readonly onFatalError: (error: Error) => void;
}

/** The metadata side of a single-node cluster, running. */
export interface LocalMetadata {
  readonly raft: SingleNodeRaft;
  /** The committed image and its updates. */
  readonly loader: MetadataLoader;
  readonly controller: QuorumController;
  readonly snapshots: SnapshotGenerator;
  /** This node's broker registration; the composition root heartbeats through it. */
  readonly broker: LocalBroker;
  /** Stops writes, lets those in flight commit, closes the log. */
  close(): Promise<void>;
}

/**
 * Starts the metadata of a node that is the whole quorum: the quorum of one on `log`, the loader
 * (latest snapshot, then the committed log), the active controller (which bootstraps an empty
 * log), snapshots, and this node's broker registration. Resolves once the broker is registered
 * and unfenced in the committed image, so the listeners may open.
 */
export async function startLocalMetadata(params: LocalMetadataParams): Promise<LocalMetadata> {
  const { log, fs, clock, logger, nodeId } = params;
  let raft: SingleNodeRaft;
  try {
    raft = await SingleNodeRaft.start({ log, fs, nodeId, clock, logger: logger.child({ component: 'raft' }), onFatalError: params.onFatalError });
  } catch (err) {
    await log.close().catch(() => undefined);
    throw err;
  }
  const loader = new MetadataLoader();
  let controller: QuorumController | null = null;
  let snapshots: SnapshotGenerator | null = null;
  const close = async (): Promise<void> => {
    await snapshots?.close();
    await controller?.close();
    await raft.close();
  };
  try {
    raft.register(loader);
    controller = new QuorumController({
      raft,
      loader,
      clock,
      logger: logger.child({ component: 'controller' }),
      brokerLifecycle: { clusterId: params.clusterId, sessionTimeoutMs: params.sessionTimeoutMs, uncleanLeaderElection: params.uncleanLeaderElection },
    });
    snapshots = new SnapshotGenerator({ raft, loader, maxBytesBetweenSnapshots: params.maxBytesBetweenSnapshots, logger: logger.child({ component: 'snapshots' }) });
    const broker = new LocalBroker({
      controller,
      loader,
      clock,
      nodeId,
      clusterId: params.clusterId,
      incarnationId: randomUuid(params.random),
      ...params.broker,
    });
    await broker.register();
    return { raft, loader, controller, snapshots, broker, close };
  } catch (err) {
    await close().catch(() => undefined);
    throw err;
  }
}
