// A quantized weight as the safetensors entries bitsandbytes writes for it, ready
// for writeSafetensors / writeShardedSafetensors. The bytes are already in memory,
// so read() returns them directly (little-endian typed arrays on every platform
// Node supports).
import type { TensorSource } from '@layerprune/tensor-io';
import { fourBitTensorNames, int8TensorNames } from './bnb-tensor-names.js';
import { packQuantStateJson } from './quant-state-json.js';
import type { QuantizedState } from './types.js';

function bytesOf(view: ArrayBufferView): Uint8Array {
  return new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
}

/** The tensors bitsandbytes stores for `state` under the weight name `weightName`. */
export function quantizedTensorSources(weightName: string, state: QuantizedState): TensorSource[] {
  if (state.quantType === 'int8') {
    const names = int8TensorNames(weightName);
    return [
      { name: names.weight, dtype: 'I8', shape: [...state.shape], read: () => bytesOf(state.weight) },
      { name: names.scb, dtype: 'F32', shape: [state.shape[0]], read: () => bytesOf(state.scb) },
      { name: names.weightFormat, dtype: 'U8', shape: [], read: () => Uint8Array.of(0) },
    ];
  }
  const names = fourBitTensorNames(weightName, state.quantType);
  const json = packQuantStateJson(state);
  // Params4bit keeps the packed bytes as a column: [(numel + 1) // 2, 1].
  const sources: TensorSource[] = [{ name: names.weight, dtype: 'U8', shape: [state.packed.length, 1], read: () => state.packed }];
  if (state.nested) {
    const nested = state.nested;
    sources.push(
      { name: names.absmax, dtype: 'U8', shape: [nested.codes.length], read: () => nested.codes },
      { name: names.quantMap, dtype: 'F32', shape: [state.quantMap.length], read: () => bytesOf(state.quantMap) },
      { name: names.nestedAbsmax, dtype: 'F32', shape: [nested.absmax.length], read: () => bytesOf(nested.absmax) },
      { name: names.nestedQuantMap, dtype: 'F32', shape: [nested.quantMap.length], read: () => bytesOf(nested.quantMap) },
    );
  } else {
    const absmax = state.absmax!;
    sources.push(
      { name: names.absmax, dtype: 'F32', shape: [absmax.length], read: () => bytesOf(absmax) },
      { name: names.quantMap, dtype: 'F32', shape: [state.quantMap.length], read: () => bytesOf(state.quantMap) },
    );
  }
  sources.push({ name: names.quantState, dtype: 'U8', shape: [json.length], read: () => json });
  return sources;
}
