// Neighbouring float32 values, for probing decisions at exact thresholds.
const f32 = new Float32Array(1);
const i32 = new Int32Array(f32.buffer);

/** The next float32 above x (x a finite float32). */
export function nextUpFloat32(x: number): number {
  f32[0] = x;
  if (x === 0) return 1.401298464324817e-45;
  i32[0] += x > 0 ? 1 : -1;
  return f32[0];
}

/** The next float32 below x (x a finite float32). */
export function nextDownFloat32(x: number): number {
  return -nextUpFloat32(-x);
}

/** Float32 bit pattern of x, for bit-exact comparisons that tell 0 from -0. */
export function float32Bits(x: number): number {
  f32[0] = x;
  return i32[0];
}
