// Entry points: loadModel(dir) for a Hugging Face directory, and
// createModelFromProvider for weights that come from elsewhere (in-memory
// random models, a dequantizing 4-bit provider).
import { readFile } from 'node:fs/promises';
import { isTensorIoError, openModelDir, validateModelWeights } from '@layerprune/tensor-io';
import type { LlamaFamilyConfig, ModelDir } from '@layerprune/tensor-io';
import { selectBackend } from './backend/select-backend.js';
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
import { TfjsEngine } from './tfjs/tfjs-engine.js';
import type { WeightProvider } from './weights/block-weights.js';
import { finiteWeightProvider } from './weights/finite-weight-provider.js';
import { HfWeightProvider } from './weights/hf-weight-provider.js';
import { readerFromWeightStore } from './weights/tensor-reader.js';

/**
 * Largest float32 weight total kept resident on wasm: XNNPACK packs a second
 * copy of every matmul weight inside the same 4 GiB heap, and activations need room.
 */
export const WASM_RESIDENT_LIMIT_BYTES = 1.5 * 1024 ** 3;

export interface LoadModelOptions {
  /** Default 'auto' (tensorflow-gpu, tensorflow, wasm, cpu: the first that loads). */
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
  /** config.json verbatim (fields tensor-io does not normalise, e.g. layer_types). */
  rawConfig?: Record<string, unknown>;
  /** Directory or label used in messages and as model.dir. */
  dir?: string;
  /** End-of-sequence ids for generation (default: config.eosTokenId). */
  eosIds?: number[];
  /** Called once by model.dispose(). */
  onDispose?: () => void;
}

/** Resident budget of a backend: the wasm heap limit, or half of `memoryBytes` (default: the machine's memory) elsewhere. */
export function residentLimitBytes(backend: string, memoryBytes: number = machineMemoryBytes()): number {
  return backend === 'wasm' ? WASM_RESIDENT_LIMIT_BYTES : memoryBytes / 2;
}

function chooseMode(requested: WeightMode | 'auto', arch: Architecture, backend: string, memoryBytes?: number): WeightMode {
  const bytes = residentWeightBytes(arch);
  if (requested === 'streaming') return 'streaming';
  if (requested === 'resident') {
    // Only wasm fails hard (a crash at 4 GiB); elsewhere an explicit request is honoured.
    if (backend === 'wasm' && bytes > WASM_RESIDENT_LIMIT_BYTES) {
      throw new ModelError(
        'MODEL_TOO_LARGE',
        `${arch.source}: ${(bytes / 1024 ** 3).toFixed(2)} GiB of float32 weights cannot be resident on the wasm backend (limit ${(WASM_RESIDENT_LIMIT_BYTES / 1024 ** 3).toFixed(2)} GiB, 4 GiB heap); use mode "streaming"`,
        { file: arch.source, limit: WASM_RESIDENT_LIMIT_BYTES },
      );
    }
    return 'resident';
  }
  const memory = memoryBytes ?? machineMemoryBytes();
  const fits = bytes <= residentLimitBytes(backend, memory) && estimateLoadMemoryBytes(arch, 'resident') <= memory;
  return fits ? 'resident' : 'streaming';
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

function eosSet(config: LlamaFamilyConfig, extra: number[]): Set<number> {
  const ids = new Set<number>(extra);
  const eos = config.eosTokenId;
  if (typeof eos === 'number') ids.add(eos);
  else if (Array.isArray(eos)) eos.forEach((id) => ids.add(id));
  return ids;
}

export async function createModelFromProvider(provider: WeightProvider, options: CreateModelOptions = {}): Promise<LlamaModel> {
  const backend = await selectBackend(options.backend ?? 'auto', options.log);
  const dir = options.dir ?? 'memory';
  const arch = resolveArchitecture(provider.config, options.rawConfig ?? {}, dir);
  const mode = chooseMode(options.mode ?? 'auto', arch, backend);
  // Every engine path reads its weights through this check: a NaN weight is refused, not evaluated.
  const engine = await TfjsEngine.create(arch, finiteWeightProvider(provider, dir), { mode, backend });
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

/** tensor-io codes kept as they are, so one defect has one code in every command (prune, quantize, eval...). */
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
  if (!isTensorIoError(error)) return error;
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
 * Loads a Hugging Face llama / mistral / qwen2 directory with safetensors weights.
 * Before reading any weight: the config is checked for what this runtime
 * supports, the weights against the config (tensor-io's validateModelWeights),
 * and the memory estimate of the chosen mode against the machine's; while
 * reading, every weight is checked for NaN / Infinity.
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
    const memoryBytes = options.memoryBytes ?? machineMemoryBytes();
    const backend = await selectBackend(options.backend ?? 'auto', options.log);
    const mode = chooseMode(options.mode ?? 'auto', arch, backend, memoryBytes);
    const weightCache = planMemory(arch, mode, options.weightCache, memoryBytes, options.log);
    const cache = mode === 'streaming' && weightCache === 'memory';
    const provider = new HfWeightProvider(modelDir.config, readerFromWeightStore(modelDir.weights, modelDir.dir), { cache });
    const model = await createModelFromProvider(provider, {
      ...options,
      backend,
      mode,
      rawConfig: modelDir.rawConfig,
      dir: modelDir.dir,
      eosIds: await generationEosIds(modelDir.files.generationConfig),
      onDispose: () => void modelDir.close().catch(() => undefined),
    });
    // Resident engines hold everything they need; only streaming reads the files later.
    if (mode === 'resident') await modelDir.close();
    return model;
  } catch (error) {
    await modelDir.close().catch(() => undefined);
    throw asModelError(error, dir);
  }
}
