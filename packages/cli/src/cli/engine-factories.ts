// The engines a command loads its model with, from --engine, --threads, --device
// and --backend (declared by engine-option.ts): the pipeline's engineFactories,
// so the command line and pipeline files choose alike. Separate from the flags'
// declaration so that `<command> --help` does not load the pipeline.
import type { BackendName, EngineFactory } from '@layerprune/model';
import { engineFactories } from '@layerprune/pipeline';
import type { CommandContext } from './command-context.js';
import { checkEngineArgs, ENGINE_FLAG_NAMES, type EngineArgs } from './engine-option.js';

/**
 * Checks the flags (`--threads 0` is a usage error) and returns the factory list
 * for loadModel. Errors name the flags: `--engine onnx` without
 * @layerprune/engine-onnx is ENGINE_UNAVAILABLE, `--engine tfjs --device cuda` CONFIG_INVALID.
 */
export async function engineFactoriesFrom(args: EngineArgs & { backend?: BackendName }, ctx: Pick<CommandContext, 'log'>): Promise<EngineFactory[]> {
  checkEngineArgs(args);
  return engineFactories(args.engine ?? 'auto', {
    backend: args.backend ?? 'auto',
    threads: args.threads,
    device: args.device ?? 'cpu',
    log: (line) => ctx.log(line),
    names: ENGINE_FLAG_NAMES,
  });
}

/** "engine onnx on cpu", as result headers and footers say it. */
export function describeEngine(model: { engine: string; backend: string }): string {
  return `engine ${model.engine} on ${model.backend}`;
}
