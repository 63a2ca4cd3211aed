// Reads a model directory whose weights may be bitsandbytes-quantized (written
// by quantizeModelDir or by transformers + bitsandbytes): every logical tensor
// name maps to either dense float32 values or a quantized state that
// dequantizes, whole or by row range, on demand. The auxiliary tensors
// (absmax, maps, quant_state, SCB, weight_format) are hidden behind their weight.
// A directory without quantization reads as all dense, so a model runtime can
// always load through this.
import { join } from 'node:path';
import { type DType } from '@layerprune/tensor-io';
import { openModelDir, type ModelDir } from '@layerprune/architectures';
import { fourBitTensorNames, int8TensorNames } from './bnb-tensor-names.js';
import { dequantize } from './dequantize.js';
import { QuantError } from './errors.js';
import { parseQuantizationConfig, type QuantizationInfo } from './quantization-config.js';
import { parseQuantStateJson } from './quant-state-json.js';
import { readFourBitState, readInt8State } from './read-quantized-state.js';
import type { DequantizeOptions, Int8RowwiseState, QuantState4bit, QuantType } from './types.js';

export type WeightKind = 'dense' | QuantType;

export interface WeightEntry {
  name: string;
  kind: WeightKind;
  /** Logical shape (the original weight's shape for quantized entries). */
  shape: number[];
  /** Stored dtype for dense entries; U8 / I8 for quantized ones. */
  storedDtype: DType;
}

export type LoadedWeight =
  | { kind: 'dense'; name: string; shape: number[]; data: Float32Array }
  | {
      kind: 'nf4' | 'fp4';
      name: string;
      shape: number[];
      state: QuantState4bit;
      dequantize(options?: DequantizeOptions): Float32Array;
    }
  | {
      kind: 'int8';
      name: string;
      shape: number[];
      state: Int8RowwiseState;
      dequantize(options?: DequantizeOptions): Float32Array;
    };

export interface QuantizedWeights {
  readonly dir: string;
  readonly model: ModelDir;
  /** The parsed quantization_config, null for a plain model. */
  readonly quantization: QuantizationInfo | null;
  /** Logical tensor names, auxiliary quantization tensors excluded. */
  names(): string[];
  has(name: string): boolean;
  entry(name: string): WeightEntry;
  /** Dense values or the quantized state (read from disk on each call; keep what you need). */
  load(name: string): Promise<LoadedWeight>;
  /** Float32 values of any entry, dequantized if needed, optionally a row range into a reused buffer. */
  readFloat32(name: string, options?: DequantizeOptions): Promise<Float32Array>;
  close(): Promise<void>;
}

/** Finds the quantized weights and their auxiliary tensors among `names`. */
function indexEntries(model: ModelDir): Map<string, WeightEntry> {
  const store = model.weights;
  const all = new Set(store.names());
  const auxiliary = new Set<string>();
  const entries = new Map<string, WeightEntry>();
  for (const name of all) {
    for (const type of ['nf4', 'fp4'] as const) {
      const names = fourBitTensorNames(name, type);
      if (!all.has(names.quantState)) continue;
      for (const aux of [names.absmax, names.quantMap, names.nestedAbsmax, names.nestedQuantMap, names.quantState]) auxiliary.add(aux);
      entries.set(name, { name, kind: type, shape: [], storedDtype: store.info(name).dtype });
    }
    const int8 = int8TensorNames(name);
    if (name.endsWith('weight') && store.info(name).dtype === 'I8' && all.has(int8.scb)) {
      auxiliary.add(int8.scb).add(int8.weightFormat);
      entries.set(name, { name, kind: 'int8', shape: store.info(name).shape, storedDtype: 'I8' });
    }
  }
  const ordered = new Map<string, WeightEntry>();
  for (const name of all) {
    if (auxiliary.has(name)) continue;
    ordered.set(name, entries.get(name) ?? { name, kind: 'dense', shape: store.info(name).shape, storedDtype: store.info(name).dtype });
  }
  return ordered;
}

/** Opens the weights of `dir` (or of an already opened ModelDir, which close() then closes). */
export async function openQuantizedWeights(dirOrModel: string | ModelDir): Promise<QuantizedWeights> {
  const model = typeof dirOrModel === 'string' ? await openModelDir(dirOrModel) : dirOrModel;
  try {
    const quantization = parseQuantizationConfig(model.rawConfig, join(model.dir, 'config.json'));
    const entries = indexEntries(model);
    // 4-bit shapes live in the quant_state JSON: read them now (a few hundred bytes each).
    for (const entry of entries.values()) {
      if (entry.kind === 'nf4' || entry.kind === 'fp4') {
        const stateName = fourBitTensorNames(entry.name, entry.kind).quantState;
        entry.shape = parseQuantStateJson(await model.weights.readRaw(stateName), stateName).shape;
      }
    }
    const entryOf = (name: string): WeightEntry => {
      const entry = entries.get(name);
      if (!entry) {
        throw new QuantError('TENSOR_NOT_FOUND', `${model.dir}: no tensor "${name}" among ${entries.size} weights`, {
          file: model.dir,
          tensor: name,
        });
      }
      return entry;
    };
    const load = async (name: string): Promise<LoadedWeight> => {
      const entry = entryOf(name);
      if (entry.kind === 'dense') {
        return { kind: 'dense', name, shape: entry.shape, data: await model.weights.readFloat32(name) };
      }
      if (entry.kind === 'int8') {
        const state = await readInt8State(model.weights, name);
        return { kind: 'int8', name, shape: entry.shape, state, dequantize: (options) => dequantize(state, options) };
      }
      const state = await readFourBitState(model.weights, name, entry.kind);
      return { kind: entry.kind, name, shape: entry.shape, state, dequantize: (options) => dequantize(state, options) };
    };
    return {
      dir: model.dir,
      model,
      quantization,
      names: () => [...entries.keys()],
      has: (name) => entries.has(name),
      entry: (name) => ({ ...entryOf(name), shape: [...entryOf(name).shape] }),
      load,
      readFloat32: async (name, options = {}) => {
        const loaded = await load(name);
        if (loaded.kind !== 'dense') return loaded.dequantize(options);
        if (!options.rows && !options.out) return loaded.data;
        const rows = loaded.shape.length === 0 ? 1 : loaded.shape[0];
        const rowLength = rows === 0 ? 0 : loaded.data.length / rows;
        const [r0, r1] = options.rows ?? [0, rows];
        if (!Number.isInteger(r0) || !Number.isInteger(r1) || r0 < 0 || r1 < r0 || r1 > rows) {
          throw new QuantError('RANGE_OUT_OF_BOUNDS', `row range [${r0}, ${r1}) is outside tensor "${name}" with ${rows} rows`, {
            tensor: name,
            field: 'rows',
            limit: rows,
          });
        }
        const slice = loaded.data.subarray(r0 * rowLength, r1 * rowLength);
        if (!options.out) return slice;
        if (options.out.length < slice.length) {
          throw new QuantError('OUTPUT_TOO_SMALL', `output buffer of ${options.out.length} floats is too small for ${slice.length} values of tensor "${name}"`, {
            tensor: name,
            field: 'out',
            limit: slice.length,
          });
        }
        const view = options.out.subarray(0, slice.length);
        view.set(slice);
        return view;
      },
      close: () => model.close(),
    };
  } catch (error) {
    await model.close();
    throw error;
  }
}
