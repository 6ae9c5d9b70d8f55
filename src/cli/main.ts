import yargs from 'yargs';
import { healthcheckCommand } from './commands/healthcheck.js';
import { serverCommand } from './commands/server.js';

/** Runs the gregor command line; resolves with the process exit code. */
export async function main(args: readonly string[]): Promise<number> {
  let exitCode = 0;
  await yargs([...args])
    .scriptName('gregor')
    .usage('$0 <command> [options]')
    .command(serverCommand((code) => (exitCode = code)))
    .command(healthcheckCommand((code) => (exitCode = code)))
    .demandCommand(1, 'name a command: gregor server starts a broker')
    .strict()
    .fail((message, err) => {
      process.stderr.write(`gregor: ${message ?? err?.message}\n`);
      exitCode = 2;
    })
    .help()
    .version(false)
    .parseAsync();
  return exitCode;
}
