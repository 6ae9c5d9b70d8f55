import { type ConfigSources, ConfigurationError } from './broker-config.js';
import { startBroker } from './broker.js';
import { createLogger } from './logging.js';

/**
 * The life of `gregor server`: start a broker from the configuration, run until SIGTERM or
 * SIGINT, then shut down cleanly. Resolves with the exit code; startup failures print one line
 * per problem.
 */
export async function runBrokerUntilSignalled(sources: ConfigSources): Promise<number> {
  const logger = createLogger();
  let broker;
  try {
    broker = await startBroker({ ...sources, env: sources.env ?? process.env, logger });
  } catch (err) {
    const message = err instanceof ConfigurationError ? `invalid configuration:\n${err.message}` : (err as Error).message;
    process.stderr.write(`gregor: ${message}\n`);
    return 1;
  }
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
  logger.info(`${signal} received: shutting down`);
  await broker.stop();
  logger.info('stopped cleanly');
  return 0;
}
