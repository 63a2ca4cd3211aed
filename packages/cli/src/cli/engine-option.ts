// `--engine`, `--threads` and `--device`, the same on every command that loads a
// model to run it (analyze, eval, generate, run). Not on heal: training runs on
// TensorFlow.js whatever the engine. Given to yargs as `choices`, so a misspelt
// engine or device is a usage error before any work.
import type { EngineDevice, EngineName } from '@layerprune/pipeline';
import { checkOption, type OptionRule } from './check-option.js';

/**
 * The engines and devices of @layerprune/pipeline (ENGINE_NAMES, ENGINE_DEVICES,
 * MAX_ENGINE_THREADS). Written out here because importing the pipeline loads the
 * model runtime, which `--help` must not; engine-options.test.ts checks that they agree,
 * and `satisfies` that every entry is one the pipeline knows.
 */
export const ENGINE_NAMES = ['auto', 'onnx', 'tfjs'] as const satisfies readonly EngineName[];
export const ENGINE_DEVICES = ['cpu', 'cuda'] as const satisfies readonly EngineDevice[];
export const MAX_THREADS = 1024;

export const THREADS_RULE: Readonly<OptionRule> = Object.freeze({ integer: true, min: 1, max: MAX_THREADS });

/** What the three options parse to; undefined = not given (the command's or the pipeline file's default). */
export interface EngineArgs {
  engine?: EngineName;
  threads?: number;
  device?: EngineDevice;
}

/** How errors about these options (from the pipeline's engine choice) name them on the command line. */
export const ENGINE_FLAG_NAMES = { engine: '--engine', backend: '--backend', threads: '--threads', device: '--device' } as const;

/**
 * The yargs definitions of the three options, for `.options(...)` right after
 * `--backend`. No yargs defaults: each command falls back to auto / all cores /
 * cpu, and `run` to its pipeline file's values (`fromPipelineFile` says so in the help).
 */
export function engineOptions(fromPipelineFile = false) {
  const given = (fallback: string): string => (fromPipelineFile ? `the pipeline file's, else ${fallback}` : fallback);
  return {
    engine: {
      choices: [...ENGINE_NAMES] as EngineName[],
      describe: `Inference engine: auto = onnx when installed and the model is supported, else tfjs; a --backend other than auto means tfjs (default ${given('auto')})`,
    },
    threads: { type: 'number' as const, describe: `Threads of the onnx engine, 1-${MAX_THREADS} (default ${given('all cores')})` },
    device: {
      choices: [...ENGINE_DEVICES] as EngineDevice[],
      describe: `Device of the onnx engine; cuda needs onnxruntime-node with CUDA (default ${given('cpu')})`,
    },
  };
}

/** Range checks yargs does not do: `--threads 0` or `1.5` is a usage error naming the flag and the range. */
export function checkEngineArgs(args: EngineArgs): void {
  checkOption('--threads', args.threads, THREADS_RULE);
}
