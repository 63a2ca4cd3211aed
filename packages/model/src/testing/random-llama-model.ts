// Test helper: a random model loaded into the engine from memory.
import type { BackendName } from '../backend/choose-backend.js';
import type { WeightMode } from '../engine.js';
import { createModelFromProvider } from '../load-model.js';
import type { LlamaModel } from '../llama-model.js';
import { HfWeightProvider } from '../weights/hf-weight-provider.js';
import { readerFromMap } from '../weights/tensor-reader.js';
import { randomModel } from './random-model.js';
import type { RandomModel, RandomModelSpec } from './random-model.js';

export const quietLog = (): void => {};

export async function randomLlamaModel(
  spec: RandomModelSpec,
  options: { backend?: BackendName; mode?: WeightMode } = {},
): Promise<{ model: LlamaModel; random: RandomModel }> {
  const random = randomModel(spec);
  const provider = new HfWeightProvider(random.config, readerFromMap(random.tensors), { cache: true });
  provider.validate();
  const model = await createModelFromProvider(provider, {
    backend: options.backend ?? 'wasm',
    mode: options.mode ?? 'resident',
    rawConfig: random.rawConfig,
    log: quietLog,
  });
  return { model, random };
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new RangeError(`length ${a.length} vs ${b.length}`);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
  return max;
}

/** Row r (length `width`) of a flat array. */
export function row(values: Float32Array, r: number, width: number): Float32Array {
  return values.subarray(r * width, (r + 1) * width);
}
