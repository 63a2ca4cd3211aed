// Which engines train the adapters when the pipeline or `layerprune heal` heals,
// from the same words as inference (`engine`, `backend`, `threads`, `device`) and by
// the same rules (engineFactories): the ordered list @layerprune/lora's heal()
// takes as `trainer`. @layerprune/engine-onnx is imported only when an onnx
// trainer may be wanted.
import { tfjsTrainerFactory, type TrainerFactory } from '@layerprune/lora';
import { PipelineError } from '../pipeline-error.js';
import {
  engineConflict,
  factoriesOf,
  ONNX_ENGINE_PACKAGE,
  type EngineFactoriesDeps,
  type EngineFactoriesOptions,
  type EngineName,
  type EngineOptionField,
  type FactoryKind,
} from './engine-factories.js';

const training = (keepActivations: boolean | 'auto', log: ((line: string) => void) | undefined): FactoryKind<TrainerFactory> => ({
  label: 'training engine',
  tfjs: (backend) => tfjsTrainerFactory(backend),
  // An @layerprune/engine-onnx from before training existed has no trainer: `auto` trains on tfjs.
  missing: (module) =>
    typeof (module as Partial<typeof module>).onnxTrainerFactory === 'function' ? null : `this ${ONNX_ENGINE_PACKAGE} cannot train (it has no onnxTrainerFactory; update it)`,
  onnx: (module, options) => module.onnxTrainerFactory({ ...options, keepActivations, ...(log ? { log } : {}) }),
});

/** The options messages about training name: the engine's, and keepActivations. */
export type TrainerOptionField = EngineOptionField | 'keepActivations';

export interface TrainerFactoriesOptions extends EngineFactoriesOptions {
  /**
   * The onnx trainer keeps each block's activations for its backward instead of recomputing
   * them: faster, more memory, the same training to rounding. 'auto' (default): kept when they fit in a
   * quarter of the machine's memory (the choice is logged). `true` is a setting of the onnx trainer only:
   * with an engine that cannot be onnx it is CONFIG_INVALID (see trainerConflict).
   */
  keepActivations?: boolean | 'auto';
  /** How messages name each option, e.g. { keepActivations: '--keep-activations' } (default: the option's name). */
  names?: Partial<Record<TrainerOptionField, string>>;
}

/**
 * engineConflict for training: the same conflicts, and `keepActivations` with an
 * engine that cannot be onnx (`engine tfjs`, or `auto` with a TensorFlow.js backend),
 * which would ignore it. The field at fault and why (to follow "<field>: "), or null.
 */
export function trainerConflict(name: EngineName, options: TrainerFactoriesOptions): { field: TrainerOptionField; message: string } | null {
  const conflict = engineConflict(name, options);
  if (conflict !== null || options.keepActivations !== true) return conflict;
  const label = (field: TrainerOptionField): string => options.names?.[field] ?? field;
  const backend = options.backend ?? 'auto';
  const what = 'keeping activations is a setting of the onnx trainer';
  if (name === 'tfjs') return { field: 'keepActivations', message: `${what}; ${label('engine')} tfjs trains on ${label('backend')}` };
  if (name === 'auto' && backend !== 'auto') {
    return { field: 'keepActivations', message: `${what}, but ${label('backend')} ${backend} is a TensorFlow.js backend: give one of them` };
  }
  return null;
}

/**
 * The factory list for heal()'s `trainer` option, by engineFactories' rules:
 * - 'tfjs': TensorFlow.js on `backend`;
 * - 'onnx': the onnx trainer, or PipelineError ENGINE_UNAVAILABLE when its package does not import
 *   (or cannot train);
 * - 'auto': onnx then tfjs (heal takes the first that can train the model and whose
 *   runtime starts), tfjs alone with one log line when the package does not import;
 *   tfjs alone for a backend other than 'auto', onnx alone for device 'cuda'.
 * Conflicting options are PipelineError CONFIG_INVALID (see trainerConflict).
 */
export async function trainerFactories(name: EngineName, options: TrainerFactoriesOptions = {}, deps: EngineFactoriesDeps = {}): Promise<TrainerFactory[]> {
  const conflict = trainerConflict(name, options);
  if (conflict?.field === 'keepActivations') {
    throw new PipelineError('CONFIG_INVALID', `${options.names?.keepActivations ?? 'keepActivations'}: ${conflict.message}`, { field: 'keepActivations' });
  }
  // The engine options' own conflicts are refused by factoriesOf (after checking the engine's name).
  return factoriesOf(training(options.keepActivations ?? 'auto', options.log), name, options, deps);
}
