// The engines a command loads its model with (or trains with), from --engine,
// --threads, --device, --backend and --keep-activations (declared by engine-option.ts): the pipeline's
// engineFactories and trainerFactories, so the command line and pipeline files
// choose alike. Separate from the flags' declaration so that `<command> --help`
// does not load the pipeline.
import type { TrainerFactory } from '@layerprune/lora';
import type { BackendName, EngineFactory } from '@layerprune/model';
import { engineFactories, trainerFactories, type EngineFactoriesOptions } from '@layerprune/pipeline';
import type { CommandContext } from './command-context.js';
import { checkEngineArgs, ENGINE_FLAG_NAMES, TRAINER_FLAG_NAMES, type EngineArgs, type TrainerArgs } from './engine-option.js';

/**
 * Checks the flags (`--threads 0` is a usage error) and returns the factory list
 * for loadModel. Errors name the flags: `--engine onnx` without
 * @layerprune/engine-onnx is ENGINE_UNAVAILABLE, `--engine tfjs --device cuda` CONFIG_INVALID.
 */
export async function engineFactoriesFrom(args: EngineArgs & { backend?: BackendName }, ctx: Pick<CommandContext, 'log'>): Promise<EngineFactory[]> {
  checkEngineArgs(args);
  return engineFactories(args.engine ?? 'auto', factoryOptions(args, ctx));
}

/**
 * The same for training (heal's `trainer` option), by the same rules, with
 * `--keep-activations` for the onnx trainer (CONFIG_INVALID with `--engine tfjs`
 * or a `--backend` other than auto).
 */
export async function trainerFactoriesFrom(args: TrainerArgs & { backend?: BackendName }, ctx: Pick<CommandContext, 'log'>): Promise<TrainerFactory[]> {
  checkEngineArgs(args);
  return trainerFactories(args.engine ?? 'auto', { ...factoryOptions(args, ctx), keepActivations: args.keepActivations ?? 'auto', names: TRAINER_FLAG_NAMES });
}

function factoryOptions(args: EngineArgs & { backend?: BackendName }, ctx: Pick<CommandContext, 'log'>): EngineFactoriesOptions {
  return {
    backend: args.backend ?? 'auto',
    threads: args.threads,
    device: args.device ?? 'cpu',
    log: (line) => ctx.log(line),
    names: ENGINE_FLAG_NAMES,
  };
}

/** "engine onnx on cpu", as result headers and footers say it. */
export function describeEngine(model: { engine: string; backend: string }): string {
  return `engine ${model.engine} on ${model.backend}`;
}
