import { ErrorCode } from '../../protocol/generated/error-codes.js';
import type { BrokerImage, MetadataImage } from '../image.js';
import { type ApiError, thrownApiError } from './api-error.js';
import { DirectoryId } from './uuid.js';

/** Registered, unfenced and not in controlled shutdown: may lead partitions and be in ISRs. */
export function isActiveBroker(image: MetadataImage, brokerId: number): boolean {
  const broker = image.brokers.get(brokerId);
  return broker !== undefined && !broker.fenced && !broker.inControlledShutdown;
}

/**
 * Brokers new replicas may be placed on: every registered broker but those in a controlled
 * shutdown. A fenced broker is usable as a follower when there are too few unfenced ones; once
 * fenced, a broker has left its controlled shutdown.
 */
export function usableBrokers(image: MetadataImage): BrokerImage[] {
  return [...image.brokers.values()].filter((b) => b.fenced || !b.inControlledShutdown).sort((a, b) => a.id - b.id);
}

/**
 * The log directory a new replica on `brokerId` starts in (ClusterControlManager.defaultDir): the
 * broker's only directory, UNASSIGNED when it has several (the broker picks one and reports it),
 * MIGRATING when it registered none.
 */
export function defaultDirectory(image: MetadataImage, brokerId: number): string {
  const logDirs = image.brokers.get(brokerId)?.logDirs ?? [];
  if (logDirs.length === 0) return image.brokers.has(brokerId) ? DirectoryId.MIGRATING : DirectoryId.UNASSIGNED;
  return logDirs.length === 1 ? logDirs[0] : DirectoryId.UNASSIGNED;
}

/** STALE_BROKER_EPOCH unless `brokerId` is registered with `brokerEpoch` (ClusterControlManager.checkBrokerEpoch). */
export function brokerEpochError(image: MetadataImage, brokerId: number, brokerEpoch: number): ApiError | null {
  const broker = image.brokers.get(brokerId);
  if (broker === undefined) return thrownApiError(ErrorCode.STALE_BROKER_EPOCH, `No broker registration found for broker id ${brokerId}`);
  if (broker.epoch !== brokerEpoch) {
    return thrownApiError(ErrorCode.STALE_BROKER_EPOCH, `Expected broker epoch ${broker.epoch}, but got broker epoch ${brokerEpoch}`);
  }
  return null;
}
