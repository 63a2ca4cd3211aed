// The little a weight provider needs from storage: presence, shape and float32
// data by Hugging Face tensor name. A tensor-io WeightStore fits; so does a Map
// of in-memory arrays (tests, benchmarks, weights generated on the fly).
import type { WeightStore } from '@layerprune/tensor-io';
import type { Packed4bitLinear } from './block-weights.js';

export interface TensorReader {
  /** A label for error messages (a directory, a file, "memory"). */
  readonly source: string;
  has(name: string): boolean;
  shape(name: string): number[];
  readFloat32(name: string): Promise<Float32Array>;
  /** The tensor as stored when it is NF4 / FP4 (quantized directories only), else null. */
  readPacked4bit?(name: string): Promise<Packed4bitLinear | null>;
}

export function readerFromWeightStore(store: WeightStore, source: string): TensorReader {
  return {
    source,
    has: (name) => store.has(name),
    shape: (name) => store.info(name).shape,
    readFloat32: (name) => store.readFloat32(name),
  };
}

export interface InMemoryTensor {
  shape: number[];
  data: Float32Array;
}

export function readerFromMap(tensors: ReadonlyMap<string, InMemoryTensor>, source = 'memory'): TensorReader {
  const get = (name: string): InMemoryTensor => {
    const tensor = tensors.get(name);
    if (!tensor) throw new RangeError(`${source}: no tensor ${name}`);
    return tensor;
  };
  return {
    source,
    has: (name) => tensors.has(name),
    shape: (name) => get(name).shape,
    readFloat32: async (name) => get(name).data,
  };
}
