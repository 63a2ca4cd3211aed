// The one shape every command has: parse options (yargs builder), run a pure
// function that returns a plain result object, then print that result as a human
// table or as JSON. Errors propagate to main(), which prints one line.
//
// A command's options, help text and examples live in a light module (what
// `layerprune --help` and `layerprune <command> --help` load); its run and render
// functions, which pull in TensorFlow.js, the model runtime or the pipeline, are
// loaded by `load` with a dynamic import when the command actually runs.
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import type { CommandContext, GlobalOptions } from './command-context.js';
import { escapeTerminal } from './escape-terminal.js';
import { jsonForTerminal } from './json-for-terminal.js';
import { rejectRepeatedOptions } from './reject-repeated-options.js';

/** What a command does once its options are parsed. */
export interface CommandImplementation<A extends object, R> {
  run: (args: ArgumentsCamelCase<A> & GlobalOptions, ctx: CommandContext) => Promise<R>;
  /** Human-readable rendering of the result (ignored with --json). */
  render: (result: R, args: ArgumentsCamelCase<A> & GlobalOptions) => string;
}

interface CommandHelp<A extends object> {
  command: string | string[];
  describe: string;
  builder: (yargs: Argv<GlobalOptions>) => Argv<A>;
  /** `[command line, what it does]` pairs shown under "Examples:" in the command's help. */
  examples?: readonly (readonly [string, string])[];
  /**
   * Options that name a model: a local directory or a Hugging Face repo id, resolved
   * offline before the command runs (./model-source.ts). Default `model` and `compare`.
   */
  modelOptions?: readonly string[];
}

/**
 * A command: its help and either its implementation (`run` and `render`) or a
 * `load` function that imports it on first use (what the built-in commands do,
 * so that `--help` and `--version` stay fast).
 */
export type CommandSpec<A extends object, R> = CommandHelp<A> &
  (CommandImplementation<A, R> | { load: () => Promise<CommandImplementation<A, R>> });

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
      let built = spec.builder(yargs);
      if (spec.examples && spec.examples.length > 0) built = built.example(spec.examples.map(([line, what]) => [line, what]));
      repeatable = (built as unknown as WithOptions).getOptions().array ?? [];
      return built;
    },
    handler: async (args) => {
      rejectRepeatedOptions(args as Record<string, unknown>, repeatable);
      const [implementation, { createCommandContext }, models] = await Promise.all([
        'load' in spec ? spec.load() : Promise.resolve(spec),
        // The context brings the progress bar (cli-progress), model-source tensor-io: loaded only to run.
        import('./command-context.js'),
        import('./model-source.js'),
      ]);
      const ctx = createCommandContext(args as GlobalOptions, commandRuntime.streams);
      const full = args as ArgumentsCamelCase<A> & GlobalOptions;
      // A Hugging Face repo id becomes its snapshot directory, before any work.
      const sources = await models.resolveModelArgs(full as Record<string, unknown>, spec.modelOptions ?? models.DEFAULT_MODEL_OPTIONS, ctx);
      const result = await implementation.run(full, ctx);
      // Renderers interpolate names read from files; whatever one misses, no
      // control character but the line break and the tab reaches the terminal.
      ctx.out(
        ctx.json
          ? jsonForTerminal(models.jsonWithModelSources(result, sources))
          : escapeTerminal(implementation.render(result, full), { multiline: true }),
      );
    },
  };
}
