import { describe, expect, it } from 'vitest';
import {
  advertisedEndpoints,
  interBrokerListenerName,
  listenerEndpoints,
  logManagerConfig,
  metadataLogDir,
  quorumBootstrapServers,
  quorumVoters,
} from '../../src/config/broker-views.js';
import { parseBrokerConfig } from '../../src/config/load.js';
import { DEFAULT_LOG_MANAGER_CONFIG } from '../../src/storage/log-config.js';

function config(text: string) {
  const result = parseBrokerConfig({ file: { path: 'server.properties', text } });
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.config;
}

describe('broker views', () => {
  it('gives the default listener, advertised as itself', () => {
    const c = config('');
    const plaintext = { listenerName: 'PLAINTEXT', securityProtocol: 'PLAINTEXT', host: '', port: 9092 };
    expect(listenerEndpoints(c)).toEqual([plaintext]);
    expect(advertisedEndpoints(c)).toEqual([plaintext]);
    expect(interBrokerListenerName(c)).toBe('PLAINTEXT');
    expect(quorumVoters(c)).toEqual([]);
    expect(metadataLogDir(c)).toBe('./data');
  });

  it('maps listeners through the protocol map and reads the quorum', () => {
    const c = config(
      [
        'listeners=internal://:9092,CONTROLLER://[::1]:9093',
        'advertised.listeners=INTERNAL://kafka-1:9092',
        'listener.security.protocol.map=INTERNAL:PLAINTEXT,CONTROLLER:PLAINTEXT',
        'inter.broker.listener.name=internal',
        'controller.listener.names=CONTROLLER',
        'controller.quorum.voters=1@kafka-1:9093,2@kafka-2:9093',
        'controller.quorum.bootstrap.servers=kafka-1:9093',
        'log.dirs=/d1,/d2',
      ].join('\n'),
    );
    expect(listenerEndpoints(c)).toEqual([
      { listenerName: 'INTERNAL', securityProtocol: 'PLAINTEXT', host: '', port: 9092 },
      { listenerName: 'CONTROLLER', securityProtocol: 'PLAINTEXT', host: '::1', port: 9093 },
    ]);
    expect(advertisedEndpoints(c)).toEqual([{ listenerName: 'INTERNAL', securityProtocol: 'PLAINTEXT', host: 'kafka-1', port: 9092 }]);
    expect(interBrokerListenerName(c)).toBe('INTERNAL');
    expect(quorumVoters(c)).toEqual([
      { id: 1, host: 'kafka-1', port: 9093 },
      { id: 2, host: 'kafka-2', port: 9093 },
    ]);
    expect(quorumBootstrapServers(c)).toEqual([{ host: 'kafka-1', port: 9093 }]);
    expect(metadataLogDir(c)).toBe('/d1');
  });

  it("builds storage's LogManagerConfig", () => {
    const expected = { ...DEFAULT_LOG_MANAGER_CONFIG, 'log.dirs': ['/d1'], 'log.cleaner.enable': false };
    expect(logManagerConfig(config('log.dirs=/d1\nlog.cleaner.enable=false'))).toEqual(expected);
  });
});
