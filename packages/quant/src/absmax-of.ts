// The float32 per-block absmax of a 4-bit state, undoing double quantization when
// present: float32(float32(code[q] * nested_absmax) + offset), like bitsandbytes'
// dequantize_blockwise followed by `absmax += offset`. Cached per state because
// the QLoRA loop dequantizes the same weight every step.
import { dequantizeBlockwise8bit } from './dequantize-blockwise-8bit.js';
import type { QuantState4bit } from './types.js';

const cache = new WeakMap<QuantState4bit, Float32Array>();

/** Per-block float32 absmax of `state` (do not mutate the returned array). */
export function absmaxOf(state: QuantState4bit): Float32Array {
  if (state.absmax) return state.absmax;
  let absmax = cache.get(state);
  if (!absmax) {
    const nested = state.nested!;
    absmax = dequantizeBlockwise8bit(nested.codes, nested.absmax, nested.quantMap, nested.blockSize);
    for (let i = 0; i < absmax.length; i++) absmax[i] = absmax[i] + nested.offset;
    cache.set(state, absmax);
  }
  return absmax;
}
