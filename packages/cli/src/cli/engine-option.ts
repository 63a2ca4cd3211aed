// `--engine`, `--threads` and `--device`, the same on every command that loads a
// model to run it (analyze, eval, generate, run) or trains on it (heal, run). Given
// to yargs as `choices`, so a misspelt engine or device is a usage error before any work.
// `--keep-activations` (heal, run) is a setting of the onnx trainer.
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

/** The options of commands that train (heal, run): the engine's and `--keep-activations`. */
export interface TrainerArgs extends EngineArgs {
  /** Absent: auto (the onnx trainer keeps them when they fit in a quarter of memory). */
  keepActivations?: boolean;
}

/** ENGINE_FLAG_NAMES and `--keep-activations`, for errors from the pipeline's trainer choice. */
export const TRAINER_FLAG_NAMES = { ...ENGINE_FLAG_NAMES, keepActivations: '--keep-activations' } as const;

/**
 * `--keep-activations`, for `.options(...)` after engineOptions on commands that train.
 * No yargs default: absent, heal uses 'auto', `run` its pipeline file's `heal.keepActivations` (default 'auto').
 */
export function trainerOptions(fromPipelineFile = false) {
  return {
    'keep-activations': {
      type: 'boolean' as const,
      describe: `onnx training: keep each block's activations for the backward (faster, more memory), or recompute them with --no-keep-activations; default ${fromPipelineFile ? "the pipeline file's, else " : ''}auto: kept when they fit in a quarter of the machine's memory (logged)`,
    },
  };
}

/** What the engine does in the command: runs the model, trains adapters on it, or both (`run`). */
export type EngineUse = 'inference' | 'training' | 'both';

const ENGINE_USE: Record<EngineUse, string> = {
  inference: 'Inference engine',
  training: 'Training engine',
  both: 'Engine of analysis, evaluation and healing',
};

/**
 * The yargs definitions of the three options, for `.options(...)` right after
 * `--backend`. No yargs defaults: each command falls back to auto / all cores /
 * cpu, and `run` to its pipeline file's values (`fromPipelineFile` says so in the help).
 */
export function engineOptions(fromPipelineFile = false, use: EngineUse = 'inference') {
  const given = (fallback: string): string => (fromPipelineFile ? `the pipeline file's, else ${fallback}` : fallback);
  const supported = use === 'training' ? 'trains the model' : 'supports the model';
  return {
    engine: {
      choices: [...ENGINE_NAMES] as EngineName[],
      describe: `${ENGINE_USE[use]}: auto = onnx when installed and it ${supported}, else tfjs; a --backend other than auto means tfjs (default ${given('auto')})`,
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
