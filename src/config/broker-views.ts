import type { LogManagerConfig } from '../storage/log-config.js';
import type { BrokerConfig } from './broker-properties.js';
import {
  type HostPort,
  type ListenerAddress,
  parseHostPort,
  parseListener,
  parseProtocolMap,
  parseVoter,
  type QuorumVoter,
  type SecurityProtocol,
} from './endpoints.js';

/** A listener with its security protocol; the shape src/network's Endpoint takes. */
export interface ListenerEndpoint extends ListenerAddress {
  readonly securityProtocol: SecurityProtocol;
}

/** The listeners to bind. Assumes a config that parseBrokerConfig accepted. */
export function listenerEndpoints(config: BrokerConfig): ListenerEndpoint[] {
  return endpoints(config, config.listeners);
}

/** The listeners to advertise: advertised.listeners, or listeners when it is not set. */
export function advertisedEndpoints(config: BrokerConfig): ListenerEndpoint[] {
  return endpoints(config, config['advertised.listeners'] ?? config.listeners);
}

/** The listener brokers reach each other on: inter.broker.listener.name, else the one named after security.inter.broker.protocol. */
export function interBrokerListenerName(config: BrokerConfig): string {
  return (config['inter.broker.listener.name'] ?? config['security.inter.broker.protocol']).toUpperCase();
}

export function quorumVoters(config: BrokerConfig): QuorumVoter[] {
  return config['controller.quorum.voters'].map((item) => parseVoter(item) as QuorumVoter);
}

export function quorumBootstrapServers(config: BrokerConfig): HostPort[] {
  return config['controller.quorum.bootstrap.servers'].map((item) => parseHostPort(item) as HostPort);
}

/** The directory of the metadata log: metadata.log.dir, else the first data directory. */
export function metadataLogDir(config: BrokerConfig): string {
  return config['metadata.log.dir'] ?? config['log.dirs'][0];
}

/** The broker-wide settings src/storage takes. */
export function logManagerConfig(config: BrokerConfig): LogManagerConfig {
  return {
    'log.dirs': config['log.dirs'],
    'log.retention.check.interval.ms': config['log.retention.check.interval.ms'],
    'log.flush.scheduler.interval.ms': config['log.flush.scheduler.interval.ms'],
    'log.flush.offset.checkpoint.interval.ms': config['log.flush.offset.checkpoint.interval.ms'],
    'log.flush.start.offset.checkpoint.interval.ms': config['log.flush.start.offset.checkpoint.interval.ms'],
    'log.cleaner.enable': config['log.cleaner.enable'],
    'log.cleaner.backoff.ms': config['log.cleaner.backoff.ms'],
    'log.cleaner.dedupe.buffer.size': config['log.cleaner.dedupe.buffer.size'],
    'producer.id.expiration.ms': config['producer.id.expiration.ms'],
    'producer.id.expiration.check.interval.ms': config['producer.id.expiration.check.interval.ms'],
  };
}

function endpoints(config: BrokerConfig, items: readonly string[]): ListenerEndpoint[] {
  const protocols = parseProtocolMap(config['listener.security.protocol.map']);
  return items.map((item) => {
    const address = parseListener(item) as ListenerAddress;
    return { ...address, securityProtocol: protocols.get(address.listenerName)! };
  });
}
