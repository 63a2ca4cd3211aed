// `--backend`, the same on every command that runs a model (analyze, heal, eval,
// generate, run): one list, given to yargs as `choices`, so a misspelt backend is
// a usage error before any work.
import type { BackendName } from '@layerprune/model';

/**
 * The backends a model runs on, as @layerprune/model's BACKEND_NAMES. Written out
 * here because importing that package loads TensorFlow.js, which `--help` must
 * not; a test checks that the two lists agree, and `satisfies` that every entry
 * is a backend the model knows.
 */
export const BACKEND_NAMES = ['auto', 'tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'] as const satisfies readonly BackendName[];

/**
 * The yargs definition of `--backend`. No yargs default: each command falls back
 * to 'auto', and `run` to its pipeline file's backend (`defaultText` says which).
 */
export function backendOption(defaultText = 'auto') {
  const tried = BACKEND_NAMES.filter((name) => name !== 'auto').join(', ');
  return { choices: [...BACKEND_NAMES] as BackendName[], describe: `TensorFlow.js backend; auto tries ${tried} in turn (default ${defaultText})` };
}
