import { describe, expect, it } from 'vitest';
import { FrozenBase } from './frozen-base.js';
import { createTinyModel } from './testing/tiny-model.js';

/** bf16 by round-to-nearest-even on the float32 bits, written independently of tensor-io. */
function toBf16(x: number): number {
  const f = new Float32Array([x]);
  const u = new Uint32Array(f.buffer);
  const lsb = (u[0] >>> 16) & 1;
  u[0] = ((u[0] + 0x7fff + lsb) >>> 16) << 16;
  return f[0];
}

describe('FrozenBase', () => {
  const model = createTinyModel(4, { intermediateSize: 64, hiddenSize: 32, numAttentionHeads: 4, headDim: 8 });
  const name = 'model.layers.1.mlp.down_proj.weight';
  const original = model.weights.get(name)!;

  it('32-bit keeps the weights exactly; 16-bit stores bf16 of them', async () => {
    const f32 = await FrozenBase.load(model.config, model.reader, 32);
    expect(f32.linear(1, 'down_proj')).toEqual(original);
    const half = await FrozenBase.load(model.config, model.reader, 16);
    const out = new Float32Array(original.length + 5).fill(7);
    const view = half.linear(1, 'down_proj', out);
    expect(view.buffer).toBe(out.buffer); // decoded into the caller's buffer
    expect(Array.from(view)).toEqual(Array.from(original, toBf16));
    expect(half.linearBytes() * 2).toBe(f32.linearBytes());
  });

  it('4-bit stores NF4 with double quantization at ~0.5 byte per weight and dequantizes close to the original', async () => {
    const nf4 = await FrozenBase.load(model.config, model.reader, 4);
    const values = nf4.linear(1, 'down_proj', new Float32Array(original.length));
    let err = 0;
    let norm = 0;
    for (let i = 0; i < original.length; i++) {
      err += (values[i] - original[i]) ** 2;
      norm += original[i] ** 2;
    }
    // NF4 (block 64) on uniform weights: relative RMS error well under 15%.
    expect(Math.sqrt(err / norm)).toBeLessThan(0.15);
    expect(Math.sqrt(err / norm)).toBeGreaterThan(0.001);
    const f32Bytes = (await FrozenBase.load(model.config, model.reader, 32)).linearBytes();
    expect(nf4.linearBytes() / f32Bytes).toBeLessThan(0.14); // 4.127 bits of 32
  });
});
