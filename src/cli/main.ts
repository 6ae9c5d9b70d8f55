import yargs, { type Argv } from 'yargs';
import type { CommandContext } from './command-context.js';
import { configsCommand } from './commands/configs.js';
import { consumeCommand } from './commands/consume.js';
import { dumpLogCommand } from './commands/dump-log.js';
import { getOffsetsCommand } from './commands/get-offsets.js';
import { groupsCommand } from './commands/groups.js';
import { healthcheckCommand } from './commands/healthcheck.js';
import { consumerPerfCommand, perfCommand, producerPerfCommand } from './commands/perf.js';
import { produceCommand } from './commands/produce.js';
import { serverCommand } from './commands/server.js';
import { topicsCommand } from './commands/topics.js';

/** Runs the gregor command line; resolves with the process exit code. */
export async function main(args: readonly string[]): Promise<number> {
  let exitCode = 0;
  const setExitCode = (code: number): void => {
    exitCode = code;
  };
  const context = (command: string): CommandContext => ({ program: `gregor ${command}`, kafkaDialect: false, setExitCode });
  const program = yargs([...args])
    .scriptName('gregor')
    .usage('$0 <command> [options]')
    .command(serverCommand(setExitCode))
    .command(healthcheckCommand(setExitCode))
    .command(topicsCommand('topics', context('topics')))
    .command(configsCommand('configs', context('configs')))
    .command(getOffsetsCommand('get-offsets', context('get-offsets')))
    .command(dumpLogCommand('dump-log', context('dump-log')))
    .command(groupsCommand('groups', context('groups')))
    .command(produceCommand('produce', context('produce')))
    .command(consumeCommand('consume', context('consume')))
    .command(perfCommand(context))
    .demandCommand(1, 'name a command: gregor server starts a broker');
  return (await parse(program, 'gregor')) ?? exitCode;
}

/** Stops yargs at a usage error: it would otherwise go on to run the command's handler. */
class UsageFailure extends Error {}

/** Parses and runs; resolves with 2 after a usage error (reported on stderr), else undefined. */
async function parse(program: Argv, name: string): Promise<number | undefined> {
  try {
    await program
      .strict()
      .fail((message, err) => {
        process.stderr.write(`${name}: ${message ?? err?.message}\n`);
        throw new UsageFailure();
      })
      .help()
      .version(false)
      .parseAsync();
    return undefined;
  } catch (err) {
    if (err instanceof UsageFailure) return 2;
    throw err;
  }
}

/** The executables named after Kafka's scripts, each the gregor command it stands for. */
const KAFKA_SCRIPTS = {
  'kafka-topics': (y: Argv, context: CommandContext) => y.command(topicsCommand('$0', context)),
  'kafka-configs': (y: Argv, context: CommandContext) => y.command(configsCommand('$0', context)),
  'kafka-get-offsets': (y: Argv, context: CommandContext) => y.command(getOffsetsCommand('$0', context)),
  'kafka-dump-log': (y: Argv, context: CommandContext) => y.command(dumpLogCommand('$0', context)),
  'kafka-consumer-groups': (y: Argv, context: CommandContext) => y.command(groupsCommand('$0', context)),
  'kafka-console-producer': (y: Argv, context: CommandContext) => y.command(produceCommand('$0', context)),
  'kafka-console-consumer': (y: Argv, context: CommandContext) => y.command(consumeCommand('$0', context)),
  'kafka-producer-perf-test': (y: Argv, context: CommandContext) => y.command(producerPerfCommand('$0', context)),
  'kafka-consumer-perf-test': (y: Argv, context: CommandContext) => y.command(consumerPerfCommand('$0', context)),
} as const;

export type KafkaScript = keyof typeof KAFKA_SCRIPTS;

/**
 * Runs one of the Kafka-named executables (kafka-topics, ...): the same command as
 * `gregor <command>`, printing what Kafka's script prints; resolves with the exit code.
 */
export async function kafkaScript(script: KafkaScript, args: readonly string[]): Promise<number> {
  let exitCode = 0;
  const context: CommandContext = { program: script, kafkaDialect: true, setExitCode: (code) => (exitCode = code) };
  const program = KAFKA_SCRIPTS[script](yargs([...args]).scriptName(script), context);
  return (await parse(program, script)) ?? exitCode;
}
