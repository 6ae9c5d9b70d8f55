import type { CommandModule } from 'yargs';
import { parseAddress } from '../../client/broker-address.js';
import { BrokerConnection } from '../../client/broker-connection.js';
import { SILENT_LOGGER } from '../../util/logger.js';

const TIMEOUT_MS = 5000;

/** `gregor healthcheck`: succeeds when a broker answers ApiVersions (the container healthcheck). */
export function healthcheckCommand(setExitCode: (code: number) => void): CommandModule<object, { 'bootstrap-server': string }> {
  return {
    command: 'healthcheck',
    describe: 'check that a broker answers (exit 0) or not (exit 1)',
    builder: (y) => y.option('bootstrap-server', { type: 'string', default: 'localhost:9092', describe: 'host:port of the broker' }),
    handler: async (argv) => {
      try {
        const connection = await BrokerConnection.open({
          address: parseAddress(argv['bootstrap-server']),
          clientId: 'gregor-healthcheck',
          clientSoftware: { name: 'gregor-healthcheck', version: '1' },
          requestTimeoutMs: TIMEOUT_MS,
          connectTimeoutMs: TIMEOUT_MS,
          maxIdleMs: TIMEOUT_MS,
          logger: SILENT_LOGGER,
        });
        await connection.close();
        process.stdout.write(`${argv['bootstrap-server']} answers\n`);
      } catch (err) {
        process.stderr.write(`gregor healthcheck: ${argv['bootstrap-server']}: ${(err as Error).message}\n`);
        setExitCode(1);
      }
    },
  };
}
