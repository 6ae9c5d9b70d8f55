import type { Argv, CommandModule } from 'yargs';
import { formatStorage } from '../../server/format-storage.js';
import { runBrokerUntilSignalled } from '../../server/run.js';

interface ServerOptions {
  config?: string;
  override: string[];
}

function serverOptions<T>(y: Argv<T>): Argv<T & ServerOptions> {
  return y
    .option('config', { type: 'string', describe: 'a server.properties file' })
    .option('override', { type: 'string', array: true, default: [] as string[], describe: 'set a property: --override name=value (repeatable)' }) as Argv<
    T & ServerOptions
  >;
}

/** `gregor server format`: writes meta.properties into every data directory, as `kafka-storage format` does. */
export function formatCommand(setExitCode: (code: number) => void): CommandModule<object, ServerOptions & { 'cluster-id'?: string; 'ignore-formatted': boolean }> {
  return {
    command: 'format',
    describe: 'initialize the data directories with a cluster id and this node id',
    builder: (y) =>
      serverOptions(y)
        .option('cluster-id', { alias: 't', type: 'string', describe: 'the cluster id (default: a new random one)' })
        .option('ignore-formatted', { alias: 'g', type: 'boolean', default: false, describe: 'succeed when already formatted' }),
    handler: async (argv) => {
      try {
        const result = await formatStorage({ configFile: argv.config, overrides: argv.override, clusterId: argv['cluster-id'], ignoreFormatted: argv['ignore-formatted'] });
        process.stdout.write(`${result}\n`);
      } catch (err) {
        process.stderr.write(`gregor server format: ${(err as Error).message}\n`);
        setExitCode(1);
      }
    },
  };
}

/** `gregor server`: runs a broker until SIGTERM or SIGINT, then shuts it down cleanly. */
export function serverCommand(setExitCode: (code: number) => void): CommandModule<object, ServerOptions> {
  return {
    command: 'server',
    describe: 'start a broker (gregor server format initializes its data directories)',
    builder: (y) => serverOptions(y).command(formatCommand(setExitCode)),
    handler: async (argv) => {
      setExitCode(await runBrokerUntilSignalled({ configFile: argv.config, overrides: argv.override }));
    },
  };
}
