// The one shape every command has: parse options (yargs builder), run a pure
// function that returns a plain result object, then print that result as a human
// table or as JSON. Errors propagate to main(), which prints one line.
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { createCommandContext, type CommandContext, type GlobalOptions } from './command-context.js';
import { escapeTerminal } from './escape-terminal.js';
import { jsonForTerminal } from './json-for-terminal.js';
import { rejectRepeatedOptions } from './reject-repeated-options.js';

export interface CommandSpec<A extends object, R> {
  command: string | string[];
  describe: string;
  builder: (yargs: Argv<GlobalOptions>) => Argv<A>;
  run: (args: ArgumentsCamelCase<A> & GlobalOptions, ctx: CommandContext) => Promise<R>;
  /** Human-readable rendering of the result (ignored with --json). */
  render: (result: R, args: ArgumentsCamelCase<A> & GlobalOptions) => string;
}

/** Where results and errors go; main() swaps the streams in tests. */
export const commandRuntime: { streams: { stdout?: NodeJS.WriteStream; stderr?: NodeJS.WriteStream } } = {
  streams: {},
};

/** yargs has getOptions() at run time but not in its type definitions. */
interface WithOptions {
  getOptions(): { array?: string[] };
}

export function defineCommand<A extends object, R>(spec: CommandSpec<A, R>): CommandModule<GlobalOptions, A> {
  // Options declared `array: true` by the builder: the only ones that may repeat.
  let repeatable: string[] = [];
  return {
    command: spec.command,
    describe: spec.describe,
    builder: (yargs) => {
      const built = spec.builder(yargs);
      repeatable = (built as unknown as WithOptions).getOptions().array ?? [];
      return built;
    },
    handler: async (args) => {
      rejectRepeatedOptions(args as Record<string, unknown>, repeatable);
      const ctx = createCommandContext(args as GlobalOptions, commandRuntime.streams);
      const full = args as ArgumentsCamelCase<A> & GlobalOptions;
      const result = await spec.run(full, ctx);
      // Renderers interpolate names read from files; whatever one misses, no
      // control character but the line break and the tab reaches the terminal.
      ctx.out(ctx.json ? jsonForTerminal(result) : escapeTerminal(spec.render(result, full), { multiline: true }));
    },
  };
}
