import type { BrokerConnectionOptions } from '../../src/client/broker-connection.js';
import { SILENT_LOGGER } from '../../src/util/logger.js';

/** Options for a test connection to 127.0.0.1:`port`, with generous timeouts. */
export function testConnectionOptions(port: number, overrides: Partial<BrokerConnectionOptions> = {}): BrokerConnectionOptions {
  return {
    address: { host: '127.0.0.1', port },
    clientId: 'test-client',
    clientSoftware: { name: 'gregor-test', version: '1.0.0' },
    requestTimeoutMs: 30_000,
    connectTimeoutMs: 10_000,
    maxIdleMs: 600_000,
    logger: SILENT_LOGGER,
    ...overrides,
  };
}
