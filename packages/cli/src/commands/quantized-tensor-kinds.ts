// Which tensors of a safetensors file are bitsandbytes-quantized weights (the
// layout `layerprune quantize` and transformers + bitsandbytes write) and which
// are the state stored beside them, found from the names alone so that
// `inspect` can label a single file as well as a model directory.
import { fourBitTensorNames, int8TensorNames } from '@layerprune/quant';
import type { DType } from '@layerprune/tensor-io';

/** nf4 / fp4 / int8: a quantized weight; state: absmax, maps, quant_state, SCB or weight_format of one. */
export type QuantizedTensorKind = 'nf4' | 'fp4' | 'int8' | 'state';

/** The kind of every tensor that takes part in quantization; plain tensors are absent. */
export function quantizedTensorKinds(names: readonly string[], dtypeOf: (name: string) => DType): Map<string, QuantizedTensorKind> {
  const all = new Set(names);
  const kinds = new Map<string, QuantizedTensorKind>();
  for (const name of names) {
    for (const type of ['nf4', 'fp4'] as const) {
      const parts = fourBitTensorNames(name, type);
      if (!all.has(parts.quantState)) continue;
      kinds.set(name, type);
      for (const state of [parts.absmax, parts.quantMap, parts.nestedAbsmax, parts.nestedQuantMap, parts.quantState]) {
        if (all.has(state)) kinds.set(state, 'state');
      }
    }
    const int8 = int8TensorNames(name);
    if (name.endsWith('.weight') && dtypeOf(name) === 'I8' && all.has(int8.scb)) {
      kinds.set(name, 'int8');
      kinds.set(int8.scb, 'state');
      if (all.has(int8.weightFormat)) kinds.set(int8.weightFormat, 'state');
    }
  }
  return kinds;
}
