// A bitsandbytes-quantized model directory (`layerprune quantize`, or
// transformers + bitsandbytes) as the frozen base reads it: logical tensors
// through @layerprune/quant's openQuantizedWeights, dequantized to float32 on
// read, and each 4-bit weight's stored state, which FrozenBase keeps as it is at
// 4 bits.
import type { QuantizedWeights } from '@layerprune/quant';
import type { WeightReader } from './frozen-base.js';

export function quantizedWeightReader(weights: QuantizedWeights): WeightReader {
  return {
    has: (name) => weights.has(name),
    readFloat32: (name) => weights.readFloat32(name),
    info: (name) => ({ dtype: weights.entry(name).storedDtype }),
    fourBitState: async (name) => {
      const kind = weights.entry(name).kind;
      if (kind !== 'nf4' && kind !== 'fp4') return null;
      const loaded = await weights.load(name);
      return loaded.kind === 'nf4' || loaded.kind === 'fp4' ? loaded.state : null;
    },
  };
}
