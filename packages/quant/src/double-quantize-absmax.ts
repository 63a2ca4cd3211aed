// Double quantization (QLoRA section 3, bitsandbytes `compress_statistics=True`):
//   offset = mean(absmax)                      (float32)
//   absmax -= offset                           (float32, in place)
//   qabsmax, state2 = quantize_blockwise(absmax, blocksize=256)  (signed dynamic map)
// Storage per 64-value block drops from a 32-bit float to 8 bits plus a 32-bit
// float per 256 blocks: 0.5 -> 8/64 + 32/(64*256) = 0.127 bits per parameter.
import { createDynamicMap } from './dynamic-map.js';
import { quantizeBlockwise8bit } from './quantize-blockwise-8bit.js';
import type { NestedAbsmax } from './types.js';

/** Blocks of absmax values sharing one nested float32 scale, as in bitsandbytes. */
export const NESTED_BLOCK_SIZE = 256;

/** Double-quantizes per-block absmax values. */
export function doubleQuantizeAbsmax(absmax: Float32Array): NestedAbsmax {
  // torch's float32 mean uses cascaded float32 sums; a float64 sum rounded once is
  // at least as accurate and may differ from it in the last bit. The offset is
  // stored in the checkpoint, so readers never recompute it.
  let sum = 0;
  for (let i = 0; i < absmax.length; i++) sum += absmax[i];
  const offset = absmax.length === 0 ? 0 : Math.fround(sum / absmax.length);
  const centered = new Float32Array(absmax.length);
  for (let i = 0; i < absmax.length; i++) centered[i] = absmax[i] - offset;
  const quantMap = createDynamicMap();
  const { codes, absmax: nestedAbsmax } = quantizeBlockwise8bit(centered, quantMap, NESTED_BLOCK_SIZE);
  return { codes, absmax: nestedAbsmax, quantMap, blockSize: NESTED_BLOCK_SIZE, offset };
}
