// The one shape every command has: parse options (yargs builder), run a pure
// function that returns a plain result object, then print that result as a human
// table or as JSON. Errors propagate to main(), which prints one line.
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { createCommandContext, type CommandContext, type GlobalOptions } from './command-context.js';

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

export function defineCommand<A extends object, R>(spec: CommandSpec<A, R>): CommandModule<GlobalOptions, A> {
  return {
    command: spec.command,
    describe: spec.describe,
    builder: spec.builder,
    handler: async (args) => {
      const ctx = createCommandContext(args as GlobalOptions, commandRuntime.streams);
      const full = args as ArgumentsCamelCase<A> & GlobalOptions;
      const result = await spec.run(full, ctx);
      ctx.out(ctx.json ? JSON.stringify(result, null, 2) : spec.render(result, full));
    },
  };
}
