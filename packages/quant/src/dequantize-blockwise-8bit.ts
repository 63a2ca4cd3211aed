/**
 * Inverse of quantizeBlockwise8bit: out[i] = float32(code[codes[i]] * absmax[block]),
 * as bitsandbytes' kDequantizeBlockwise computes it.
 */
export function dequantizeBlockwise8bit(
  codes: Uint8Array,
  absmax: Float32Array,
  code: Float32Array,
  blockSize: number,
  out: Float32Array = new Float32Array(codes.length),
): Float32Array {
  const n = codes.length;
  for (let b = 0, start = 0; start < n; b++, start += blockSize) {
    const scale = absmax[b];
    const end = Math.min(n, start + blockSize);
    for (let i = start; i < end; i++) out[i] = code[codes[i]] * scale;
  }
  return out;
}
