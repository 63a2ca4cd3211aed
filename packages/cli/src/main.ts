// The layerprune command line. Thin: it parses options and calls packages.
// Fast to start: this module and the commands' option modules load only yargs and
// small helpers; a command's implementation (and with it TensorFlow.js, the model
// runtime or the pipeline) is imported when that command runs, so `--version` and
// `--help` never load them (checked by startup.test.ts; timed by bench/startup.mjs).
import yargs from 'yargs';
import type { CommandModule } from 'yargs';
import { commandRuntime } from './cli/define-command.js';
import type { GlobalOptions } from './cli/command-context.js';
import { CliError, exitCodeFor, formatErrorLine, USAGE_EXIT_CODE } from './cli/errors.js';
import { escapeTerminal } from './cli/escape-terminal.js';
import { toolVersion } from './cli/tool-version.js';
import { commands } from './commands/index.js';

export interface MainStreams {
  stdout?: NodeJS.WriteStream;
  stderr?: NodeJS.WriteStream;
}

/** Runs the CLI on `argv` (without node and script) and resolves to the exit code. */
export async function main(argv: string[], streams: MainStreams = {}): Promise<number> {
  commandRuntime.streams = streams;
  const stderr = streams.stderr ?? process.stderr;
  const debug = argv.includes('--debug');
  let usageError: string | null = null;
  let failure: unknown = null;

  const parser = yargs()
    .scriptName('layerprune')
    .usage('$0 <command> [options]\n\nPrune whole transformer blocks from Llama-family models, heal them with QLoRA, measure what was lost.')
    .option('json', { type: 'boolean', describe: 'Print the result as JSON on stdout', global: true })
    .option('quiet', { type: 'boolean', describe: 'No progress or informational lines on stderr', global: true })
    .option('debug', { type: 'boolean', describe: 'Show stack traces of errors', global: true })
    .example([
      ['$0 run', 'the whole experiment on the bundled model: analyze, prune, heal, evaluate, report'],
      ['$0 analyze --model DIR --data FILE', 'the block distances of a model and the blocks to drop'],
      ['$0 <command> --help', 'every option of a command, with examples'],
    ])
    .demandCommand(1, 'Name a command (layerprune --help lists them).')
    .strict()
    .recommendCommands()
    .version(toolVersion())
    .help()
    .alias('help', 'h')
    .wrap(Math.min(110, process.stdout.columns ?? 110))
    .fail((message, error) => {
      if (error) failure = error;
      else usageError = message ?? 'invalid usage';
      // Unless this throws, yargs goes on to run the command's handler: an unknown
      // option or a value outside `choices` would be reported only after the work.
      throw error ?? new CliError('USAGE', usageError ?? 'invalid usage', USAGE_EXIT_CODE);
    });
  for (const command of commands as CommandModule<GlobalOptions, object>[]) parser.command(command);

  let printed = '';
  try {
    // With a parse callback yargs neither exits nor prints: help and version text
    // come back as `output` and go to our stdout.
    await parser.exitProcess(false).parseAsync(argv, {}, (_err, _args, output) => {
      printed = output;
    });
  } catch (error) {
    failure ??= error;
  }
  if (printed && usageError === null && failure === null) (streams.stdout ?? process.stdout).write(`${printed}\n`);
  if (usageError !== null) {
    // yargs quotes the arguments it refuses: formatted (and escaped) like every error.
    stderr.write(`${formatErrorLine(new CliError('USAGE', String(usageError)))}\n`);
    return USAGE_EXIT_CODE;
  }
  if (failure !== null) {
    stderr.write(`${formatErrorLine(failure)}\n`);
    if (debug && failure instanceof Error && failure.stack) stderr.write(`${escapeTerminal(failure.stack, { multiline: true })}\n`);
    return exitCodeFor(failure);
  }
  return 0;
}
