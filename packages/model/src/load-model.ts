// Entry points: loadModel(dir) for a Hugging Face directory, and
// createModelFromProvider for weights that come from elsewhere (in-memory
// random models, a dequantizing 4-bit provider).
import { readFile } from 'node:fs/promises';
import { totalmem } from 'node:os';
import { isTensorIoError, openModelDir } from '@layerprune/tensor-io';
import type { LlamaFamilyConfig, ModelDir } from '@layerprune/tensor-io';
import { selectBackend } from './backend/select-backend.js';
import type { BackendName } from './backend/choose-backend.js';
import { resolveArchitecture } from './config/resolve-architecture.js';
import type { Architecture } from './config/resolve-architecture.js';
import type { WeightMode } from './engine.js';
import { ModelError } from './errors.js';
import { createLlamaModel } from './llama-model.js';
import type { LlamaModel } from './llama-model.js';
import { TfjsEngine } from './tfjs/tfjs-engine.js';
import type { WeightProvider } from './weights/block-weights.js';
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
  /** Streaming only: keep block weights in memory after the first read ('memory', default) or re-read them from disk per pass ('none'). */
  weightCache?: 'memory' | 'none';
  log?: (line: string) => void;
}

export interface CreateModelOptions extends Omit<LoadModelOptions, 'weightCache'> {
  /** config.json verbatim (fields tensor-io does not normalise, e.g. layer_types). */
  rawConfig?: Record<string, unknown>;
  /** Directory or label used in messages and as model.dir. */
  dir?: string;
  /** End-of-sequence ids for generation (default: config.eosTokenId). */
  eosIds?: number[];
  /** Called once by model.dispose(). */
  onDispose?: () => void;
}

/** float32 bytes of everything a resident engine holds on the backend: all blocks and the lm_head. */
export function residentWeightBytes(arch: Architecture): number {
  const { hiddenSize: h, intermediateSize: i, numHeads, numKvHeads, headDim, vocabSize, numLayers } = arch;
  const attention = 2 * h * numHeads * headDim + 2 * h * numKvHeads * headDim;
  const c = arch.config;
  const biases = c.attentionBias ? (numHeads + 2 * numKvHeads) * headDim + (c.modelType === 'llama' ? h : 0) : 0;
  const block = attention + 3 * h * i + 2 * h + biases;
  return 4 * (numLayers * block + h * vocabSize + h);
}

/** Resident budget of a backend: the wasm heap limit, or half of the machine's memory elsewhere. */
export function residentLimitBytes(backend: string): number {
  return backend === 'wasm' ? WASM_RESIDENT_LIMIT_BYTES : totalmem() / 2;
}

function chooseMode(requested: WeightMode | 'auto', arch: Architecture, backend: string): WeightMode {
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
  return bytes > residentLimitBytes(backend) ? 'streaming' : 'resident';
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
  const engine = await TfjsEngine.create(arch, provider, { mode, backend });
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

function asModelError(error: unknown, dir: string): unknown {
  if (!isTensorIoError(error)) return error;
  const code = error.code === 'UNSUPPORTED_ARCHITECTURE' ? 'UNSUPPORTED_ARCHITECTURE' : 'MODEL_DIR_INVALID';
  return new ModelError(code, error.message, { file: error.file ?? dir, tensor: error.tensor, field: error.field, limit: error.limit, cause: error });
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

/** Loads a Hugging Face llama / mistral / qwen2 directory with safetensors weights. */
export async function loadModel(dir: string, options: LoadModelOptions = {}): Promise<LlamaModel> {
  let modelDir: ModelDir;
  try {
    modelDir = await openModelDir(dir);
  } catch (error) {
    throw asModelError(error, dir);
  }
  try {
    const backend = await selectBackend(options.backend ?? 'auto', options.log);
    const arch = resolveArchitecture(modelDir.config, modelDir.rawConfig, `${modelDir.dir}/config.json`);
    const mode = chooseMode(options.mode ?? 'auto', arch, backend);
    const cache = mode === 'streaming' && (options.weightCache ?? 'memory') === 'memory';
    const provider = new HfWeightProvider(modelDir.config, readerFromWeightStore(modelDir.weights, modelDir.dir), { cache });
    provider.validate();
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
