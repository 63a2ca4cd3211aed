// Which engines a model is loaded with, from the user's words (`engine`,
// `backend`, `threads`, `device`) to the ordered factory list @layerprune/model's
// loadModel takes. One place for pipeline files and the command line alike.
// @layerprune/engine-onnx is imported only here and only when an onnx engine may
// be wanted (dynamic import()), so `--help`, `--engine tfjs` and every command
// that runs no model never load onnxruntime.
// Types only: erased from the output, so this line loads nothing.
import type * as OnnxEngine from '@layerprune/engine-onnx';
import { tfjsEngineFactory, type BackendName, type EngineFactory } from '@layerprune/model';
import { PipelineError } from '../pipeline-error.js';

export const ENGINE_NAMES = ['auto', 'onnx', 'tfjs'] as const;
export type EngineName = (typeof ENGINE_NAMES)[number];

/**
 * The onnx engine's devices and thread limit, as @layerprune/engine-onnx's
 * ONNX_DEVICES and MAX_THREADS. Written out so that reading a pipeline file does
 * not load the engine; a test checks that they agree.
 */
export const ENGINE_DEVICES = ['cpu', 'cuda'] as const;
export type EngineDevice = (typeof ENGINE_DEVICES)[number];
export const MAX_ENGINE_THREADS = 1024;

export const ONNX_ENGINE_PACKAGE = '@layerprune/engine-onnx';

/** What this module (and trainer-factories.ts) needs of @layerprune/engine-onnx. */
export type OnnxEngineModule = Pick<typeof OnnxEngine, 'onnxEngineFactory' | 'onnxTrainerFactory'>;

export interface EngineFactoriesOptions {
  /** TensorFlow.js backend of the tfjs engine (default 'auto'). A backend other than 'auto' names tfjs, so engine 'auto' then means tfjs. */
  backend?: BackendName;
  /** Intra-op threads of the onnx engine; undefined or null: all cores. Only the onnx engine takes it. */
  threads?: number | null;
  /** Device of the onnx engine (default 'cpu'); 'cuda' needs the onnx engine, so engine 'auto' then means onnx only. */
  device?: EngineDevice;
  /** Where "engine onnx skipped (...)" goes when 'auto' falls back to tfjs. */
  log?: (line: string) => void;
  /** How messages name each option, e.g. { threads: '--threads' } for the command line (default: the pipeline field). */
  names?: Partial<Record<EngineOptionField, string>>;
}

export type EngineOptionField = 'engine' | 'backend' | 'threads' | 'device';

export interface EngineFactoriesDeps {
  /** Loads @layerprune/engine-onnx; tests replace it to simulate the package absent, broken or present. */
  importOnnx?: () => Promise<OnnxEngineModule>;
}

/**
 * Options that name two different engines (`engine tfjs` with `device cuda`,
 * `engine onnx` with `backend wasm`, ...): the field at fault and why (to follow
 * "<field>: "), or null. Refused rather than one of them ignored.
 */
export function engineConflict(name: EngineName, options: EngineFactoriesOptions): { field: EngineOptionField; message: string } | null {
  const label = (field: EngineOptionField): string => options.names?.[field] ?? field;
  const backend = options.backend ?? 'auto';
  const device = options.device ?? 'cpu';
  const threads = options.threads ?? undefined;
  // What points at an engine besides `engine` itself: a backend at tfjs; a GPU device or a thread count at onnx.
  let onnxOption: { field: 'device' | 'threads'; what: string } | null = null;
  if (device !== 'cpu') onnxOption = { field: 'device', what: `${device} is a device of the onnx engine` };
  else if (threads !== undefined) onnxOption = { field: 'threads', what: `${threads} threads is a setting of the onnx engine` };
  if (name === 'tfjs' && onnxOption !== null) {
    return { field: onnxOption.field, message: `${onnxOption.what}; ${label('engine')} tfjs runs on ${label('backend')}` };
  }
  if (name === 'onnx' && backend !== 'auto') {
    return { field: 'backend', message: `${backend} is a TensorFlow.js backend; ${label('engine')} onnx runs on ${label('device')} cpu or cuda` };
  }
  if (name === 'auto' && backend !== 'auto' && onnxOption !== null) {
    return { field: onnxOption.field, message: `${onnxOption.what}, but ${label('backend')} ${backend} is a TensorFlow.js backend: give one of them` };
  }
  return null;
}

/** Why the package could not be imported, in words, and whether it is simply not installed. */
function importFailure(error: unknown): { absent: boolean; reason: string } {
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : String(error);
  // Node: ERR_MODULE_NOT_FOUND "Cannot find package '@layerprune/engine-onnx' imported from ...". A
  // dependency of the engine missing (onnxruntime-node) names that package instead: a broken install.
  const absent = (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') && message.includes(`'${ONNX_ENGINE_PACKAGE}'`);
  const reason = absent ? `${ONNX_ENGINE_PACKAGE} is not installed (npm install ${ONNX_ENGINE_PACKAGE})` : `${ONNX_ENGINE_PACKAGE} failed to load: ${message}`;
  return { absent, reason };
}

const defaultImportOnnx = (): Promise<OnnxEngineModule> => import('@layerprune/engine-onnx');

/**
 * How one kind of factory is made on each engine: inference (EngineFactory, for
 * loadModel) or training (@layerprune/lora's TrainerFactory, for heal).
 */
export interface FactoryKind<F> {
  /** How log lines name the engine: "engine" or "training engine". */
  readonly label: string;
  tfjs(backend: BackendName): F;
  /** Why the imported package cannot make this kind of factory (an older version without it), or null. */
  missing?(module: OnnxEngineModule): string | null;
  /** The onnx factory from the imported package (it checks threads and device: OnnxEngineError INVALID_OPTION). */
  onnx(module: OnnxEngineModule, options: { device: EngineDevice; threads?: number }): F;
}

/**
 * The ordered factory list of one kind, by the rules of engineFactories (see
 * there); trainerFactories applies the same rules to training.
 */
export async function factoriesOf<F>(kind: FactoryKind<F>, name: EngineName, options: EngineFactoriesOptions = {}, deps: EngineFactoriesDeps = {}): Promise<F[]> {
  const label = (field: EngineOptionField): string => options.names?.[field] ?? field;
  if (!(ENGINE_NAMES as readonly string[]).includes(name)) {
    throw new PipelineError('CONFIG_INVALID', `${label('engine')}: must be one of ${ENGINE_NAMES.join(', ')}, got ${JSON.stringify(name)}`, { field: 'engine' });
  }
  const conflict = engineConflict(name, options);
  if (conflict !== null) throw new PipelineError('CONFIG_INVALID', `${label(conflict.field)}: ${conflict.message}`, { field: conflict.field });
  const backend = options.backend ?? 'auto';
  const device = options.device ?? 'cpu';
  const tfjs = (): F => kind.tfjs(backend);
  if (name === 'tfjs' || (name === 'auto' && backend !== 'auto')) return [tfjs()];

  // Only onnx can honour a GPU device: 'auto' must not fall back to tfjs and drop it.
  const onnxRequired = name === 'onnx' || device !== 'cpu';
  /** onnx cannot be had: an error when it is required, else tfjs with one log line saying why. */
  const withoutOnnx = (reason: string, cause: unknown): F[] => {
    if (onnxRequired) {
      const why = name === 'onnx' ? `${label('engine')} onnx` : `${label('device')} ${device} needs the onnx engine`;
      throw new PipelineError('ENGINE_UNAVAILABLE', `${why}: ${reason}`, { field: name === 'onnx' ? 'engine' : 'device', cause });
    }
    options.log?.(`layerprune: ${kind.label} onnx skipped (${reason}); using tfjs`);
    return [tfjs()];
  };
  let onnx: OnnxEngineModule;
  try {
    onnx = await (deps.importOnnx ?? defaultImportOnnx)();
  } catch (error) {
    return withoutOnnx(importFailure(error).reason, error);
  }
  const missing = kind.missing?.(onnx) ?? null;
  if (missing !== null) return withoutOnnx(missing, undefined);
  const threads = options.threads ?? undefined;
  const factory = kind.onnx(onnx, { device, ...(threads === undefined ? {} : { threads }) });
  return onnxRequired ? [factory] : [factory, tfjs()];
}

const INFERENCE: FactoryKind<EngineFactory> = {
  label: 'engine',
  tfjs: (backend) => tfjsEngineFactory(backend),
  onnx: (module, options) => module.onnxEngineFactory(options),
};

/**
 * The factory list for loadModel's `engine` option:
 * - 'tfjs': TensorFlow.js on `backend`;
 * - 'onnx': the onnx engine, or PipelineError ENGINE_UNAVAILABLE when its package does not import;
 * - 'auto': onnx then tfjs (loadModel takes the first that supports the model and
 *   whose runtime starts), tfjs alone with one log line when the package does not
 *   import; tfjs alone for a backend other than 'auto', onnx alone for device 'cuda'.
 * Conflicting options are PipelineError CONFIG_INVALID (see engineConflict); bad
 * threads or device values are @layerprune/engine-onnx's OnnxEngineError INVALID_OPTION.
 */
export async function engineFactories(name: EngineName, options: EngineFactoriesOptions = {}, deps: EngineFactoriesDeps = {}): Promise<EngineFactory[]> {
  return factoriesOf(INFERENCE, name, options, deps);
}
