// Entry points: loadModel(dir) for a Hugging Face directory, and
// createModelFromProvider for weights that come from elsewhere (in-memory
// random models, a dequantizing 4-bit provider).
import { readFile } from 'node:fs/promises';
import { isQuantizedModelDir, openQuantizedWeights } from '@layerprune/quant';
import { isTensorIoError } from '@layerprune/tensor-io';
import { isArchitectureError, openModelDir, validateModelWeights } from '@layerprune/architectures';
import type { ArchitectureConfig, ModelDir } from '@layerprune/architectures';
import type { BackendName } from './backend/choose-backend.js';
import { resolveArchitecture } from './config/resolve-architecture.js';
import type { Architecture } from './config/resolve-architecture.js';
import type { WeightMode } from './engine.js';
import { ModelError } from './errors.js';
import type { ModelErrorCode } from './errors.js';
import { createLlamaModel } from './llama-model.js';
import type { LlamaModel } from './llama-model.js';
import { estimateLoadMemoryBytes, residentWeightBytes } from './memory/estimate-load-memory.js';
import type { WeightCache } from './memory/estimate-load-memory.js';
import { machineMemoryBytes, MEMORY_ENV } from './memory/machine-memory-bytes.js';
import { chooseEngine } from './engine/choose-engine.js';
import type { EngineFactory, PreparedEngine } from './engine/engine-factory.js';
import { tfjsEngineFactory, tfjsResidentLimitBytes } from './engine/tfjs-engine-factory.js';
import type { WeightProvider } from './weights/block-weights.js';
import { finiteWeightProvider } from './weights/finite-weight-provider.js';
import { HfWeightProvider } from './weights/hf-weight-provider.js';
import { readerFromQuantizedWeights, validateQuantizedWeights } from './weights/quantized-tensor-reader.js';
import { readerFromWeightStore } from './weights/tensor-reader.js';
import type { TensorReader } from './weights/tensor-reader.js';

export { WASM_RESIDENT_LIMIT_BYTES } from './engine/tfjs-engine-factory.js';

export interface LoadModelOptions {
  /**
   * The engine, or engines in order of preference: the first that supports the
   * architecture and whose runtime loads is used, and the choice is logged.
   * Default: TensorFlow.js on `backend`.
   */
  engine?: EngineFactory | readonly EngineFactory[];
  /** TensorFlow.js backend of the default engine. Default 'auto' (tensorflow-gpu, tensorflow, wasm, cpu: the first that loads). */
  backend?: BackendName;
  /** 'auto' (default): resident unless the weights exceed the backend's budget, then streaming. */
  mode?: WeightMode | 'auto';
  /**
   * Streaming only: keep block weights in memory after the first read ('memory') or
   * re-read them from disk per pass ('none'). Default: 'memory' when the estimate fits
   * the machine's memory, else 'none'.
   */
  weightCache?: WeightCache;
  /**
   * Memory to budget against (default: the machine's total or its cgroup limit, or
   * LAYERPRUNE_MEMORY_BYTES). A model whose estimate for the chosen mode exceeds it is
   * refused with MODEL_TOO_LARGE before any weight is read.
   */
  memoryBytes?: number;
  log?: (line: string) => void;
}

export interface CreateModelOptions extends Omit<LoadModelOptions, 'weightCache' | 'memoryBytes'> {
  /** An engine already chosen and prepared (loadModel passes its choice); otherwise chosen from `engine`. */
  prepared?: PreparedEngine;
  /** config.json verbatim (fields tensor-io does not normalise, e.g. layer_types). */
  rawConfig?: Record<string, unknown>;
  /** Directory or label used in messages and as model.dir. */
  dir?: string;
  /** End-of-sequence ids for generation (default: config.eosTokenId). */
  eosIds?: number[];
  /** Called once by model.dispose(). */
  onDispose?: () => void;
}

/** Resident budget of a TensorFlow.js backend: the wasm heap limit, or half of `memoryBytes` (default: the machine's memory) elsewhere. */
export function residentLimitBytes(backend: string, memoryBytes: number = machineMemoryBytes()): number {
  return tfjsResidentLimitBytes(backend, memoryBytes);
}

function chooseMode(requested: WeightMode | 'auto', arch: Architecture, engine: PreparedEngine, memoryBytes?: number): WeightMode {
  const bytes = residentWeightBytes(arch);
  if (requested === 'streaming') return 'streaming';
  if (requested === 'resident') {
    // Only a hard limit (wasm: a crash at 4 GiB) refuses; elsewhere an explicit request is honoured.
    const hard = engine.hardResidentLimitBytes;
    if (hard !== null && bytes > hard) {
      throw new ModelError(
        'MODEL_TOO_LARGE',
        `${arch.source}: ${(bytes / 1024 ** 3).toFixed(2)} GiB of float32 weights cannot be resident on the ${engine.backend} backend (limit ${(hard / 1024 ** 3).toFixed(2)} GiB, 4 GiB heap); use mode "streaming"`,
        { file: arch.source, limit: hard },
      );
    }
    return 'resident';
  }
  const memory = memoryBytes ?? machineMemoryBytes();
  const fits = bytes <= engine.residentLimitBytes(memory) && estimateLoadMemoryBytes(arch, 'resident') <= memory;
  return fits ? 'resident' : 'streaming';
}

function engineList(options: LoadModelOptions): readonly EngineFactory[] {
  const engine = options.engine;
  if (engine === undefined) return [tfjsEngineFactory(options.backend ?? 'auto')];
  return Array.isArray(engine) ? engine : [engine as EngineFactory];
}

const gib = (bytes: number): string => `${bytes >= 1024 ** 3 ? (bytes / 1024 ** 3).toFixed(2) : (bytes / 1024 ** 3).toPrecision(3)} GiB`;

/**
 * Refuses, before any weight is read, a load whose estimate exceeds `memoryBytes`,
 * naming the estimate and the cheaper option; returns the weight cache to use
 * (an unset cache falls back to 'none' when caching would not fit).
 */
function planMemory(arch: Architecture, mode: WeightMode, requestedCache: WeightCache | undefined, memoryBytes: number, log?: (line: string) => void): WeightCache {
  const machine = `the ${gib(memoryBytes)} of memory this machine has (${MEMORY_ENV} overrides the figure)`;
  const lean = estimateLoadMemoryBytes(arch, 'streaming', 'none');
  const tooLarge = (estimate: number, what: string, advice: string): ModelError =>
    new ModelError('MODEL_TOO_LARGE', `${arch.source}: ${what} needs about ${gib(estimate)} of float32 weights, more than ${machine}; ${advice}`, {
      file: arch.source,
      limit: memoryBytes,
      expected: `<= ${memoryBytes} bytes`,
      found: `${estimate} bytes`,
    });
  const leanAdvice =
    lean <= memoryBytes
      ? `use mode "streaming" with weightCache "none" (--mode streaming), about ${gib(lean)}`
      : `even mode "streaming" with weightCache "none" (one block at a time) needs about ${gib(lean)}: use a machine with more memory`;
  if (mode === 'resident') {
    const estimate = estimateLoadMemoryBytes(arch, 'resident');
    if (estimate > memoryBytes) throw tooLarge(estimate, 'loading it resident', leanAdvice);
    return requestedCache ?? 'memory';
  }
  const cached = estimateLoadMemoryBytes(arch, 'streaming', 'memory');
  if (requestedCache === 'memory' && cached > memoryBytes) throw tooLarge(cached, 'streaming with weightCache "memory"', leanAdvice);
  if (requestedCache === undefined && cached <= memoryBytes) return 'memory';
  if (lean > memoryBytes) throw tooLarge(lean, 'streaming one block at a time', 'use a machine with more memory');
  if (requestedCache === undefined) log?.(`${arch.source}: caching the weights would need about ${gib(cached)}; re-reading each block from disk per pass instead`);
  return 'none';
}

function defaultLog(line: string): void {
  process.stderr.write(`${line}\n`);
}

function eosSet(config: ArchitectureConfig, extra: number[]): Set<number> {
  const ids = new Set<number>(extra);
  const eos = config.eosTokenId;
  if (typeof eos === 'number') ids.add(eos);
  else if (Array.isArray(eos)) eos.forEach((id) => ids.add(id));
  return ids;
}

export async function createModelFromProvider(provider: WeightProvider, options: CreateModelOptions = {}): Promise<LlamaModel> {
  const dir = options.dir ?? 'memory';
  const arch = resolveArchitecture(provider.config, options.rawConfig ?? {}, dir);
  const prepared = options.prepared ?? (await chooseEngine(engineList(options), arch, options.log ?? defaultLog)).prepared;
  const mode = chooseMode(options.mode ?? 'auto', arch, prepared);
  // Every engine path reads its weights through this check: a NaN weight is refused, not evaluated.
  const engine = await prepared.create(arch, finiteWeightProvider(provider, dir), { mode });
  const model = createLlamaModel({ engine, dir, eosIds: eosSet(provider.config, options.eosIds ?? []) });
  const dispose = model.dispose.bind(model);
  let disposed = false;
  model.dispose = () => {
    if (disposed) return;
    disposed = true;
    dispose();
    options.onDispose?.();
  };
  return model;
}

/** tensor-io and architectures codes kept as they are, so one defect has one code in every command (prune, quantize, eval...). */
const KEPT_CODES = new Set<ModelErrorCode>([
  'UNSUPPORTED_ARCHITECTURE',
  'WEIGHTS_MISMATCH',
  'TENSOR_MISSING',
  'TENSOR_UNEXPECTED',
  'SHAPE_MISMATCH',
  'DTYPE_MISMATCH',
  'SYMLINK_OUTSIDE_MODEL_DIR',
]);

function asModelError(error: unknown, dir: string): unknown {
  if (!isTensorIoError(error) && !isArchitectureError(error)) return error;
  const code = KEPT_CODES.has(error.code as ModelErrorCode) ? (error.code as ModelErrorCode) : 'MODEL_DIR_INVALID';
  return new ModelError(code, error.message, {
    file: error.file ?? dir,
    tensor: error.tensor,
    field: error.field,
    limit: error.limit,
    expected: error.expected,
    found: error.found,
    cause: error,
  });
}

async function generationEosIds(path: string | null): Promise<number[]> {
  if (path === null) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path, 'utf8'));
  } catch (cause) {
    throw new ModelError('MODEL_DIR_INVALID', `${path}: not valid JSON (${(cause as Error).message})`, { file: path, cause });
  }
  const eos = (parsed as { eos_token_id?: unknown } | null)?.eos_token_id;
  const list = Array.isArray(eos) ? eos : [eos];
  return list.filter((id): id is number => Number.isInteger(id) && (id as number) >= 0);
}

/**
 * The reader of an opened directory: its safetensors as they are, or, for a
 * bitsandbytes-quantized directory (`quantization_config` in config.json, as
 * `layerprune quantize` and transformers + bitsandbytes write it), its logical
 * tensors through @layerprune/quant, checked against the config like dense ones
 * and dequantized to float32 when the provider reads them.
 */
async function directoryReader(modelDir: ModelDir): Promise<TensorReader> {
  if (!(await isQuantizedModelDir(modelDir.dir))) return readerFromWeightStore(modelDir.weights, modelDir.dir);
  // Wraps modelDir without reopening it: closing modelDir closes it.
  const quantized = await openQuantizedWeights(modelDir);
  validateQuantizedWeights(quantized);
  return readerFromQuantizedWeights(quantized, modelDir.dir);
}

/**
 * Loads a Hugging Face llama / mistral / qwen2 / qwen3 directory with safetensors weights,
 * dense or bitsandbytes-quantized (NF4 / FP4 / int8: dequantized to float32 block
 * by block as the engine reads them).
 * Before reading any weight: the config is checked for what this runtime
 * supports, the weights against the config (tensor-io's validateModelWeights;
 * for a quantized directory both its stored tensors and its logical ones), and
 * the memory estimate of the chosen mode (float32, what the engines hold)
 * against the machine's; while reading, every weight is checked for NaN / Infinity.
 */
export async function loadModel(dir: string, options: LoadModelOptions = {}): Promise<LlamaModel> {
  let modelDir: ModelDir;
  try {
    // Validated below, after the config: "mlp_bias is not supported" says more than "gate_proj.bias is missing".
    modelDir = await openModelDir(dir, { validate: false });
  } catch (error) {
    throw asModelError(error, dir);
  }
  try {
    const arch = resolveArchitecture(modelDir.config, modelDir.rawConfig, `${modelDir.dir}/config.json`);
    validateModelWeights(modelDir);
    const reader = await directoryReader(modelDir);
    const memoryBytes = options.memoryBytes ?? machineMemoryBytes();
    const { prepared } = await chooseEngine(engineList(options), arch, options.log ?? defaultLog);
    const mode = chooseMode(options.mode ?? 'auto', arch, prepared, memoryBytes);
    const weightCache = planMemory(arch, mode, options.weightCache, memoryBytes, options.log);
    const cache = mode === 'streaming' && weightCache === 'memory';
    const provider = new HfWeightProvider(modelDir.config, reader, { cache });
    const model = await createModelFromProvider(provider, {
      ...options,
      prepared,
      mode,
      rawConfig: modelDir.rawConfig,
      dir: modelDir.dir,
      eosIds: await generationEosIds(modelDir.files.generationConfig),
      onDispose: () => void modelDir.close().catch(() => undefined),
    });
    // Resident engines that read everything up front need the files no more; streaming and lazy engines read them later.
    if (mode === 'resident' && !prepared.readsWeightsLazily) await modelDir.close();
    return model;
  } catch (error) {
    await modelDir.close().catch(() => undefined);
    throw asModelError(error, dir);
  }
}
