import { describe, expect, it } from 'vitest';
import { FP4_CODE, NF4_CODE } from './code-tables.js';
import { dequantize4bit } from './dequantize-4bit.js';
import { QuantError } from './errors.js';
import { quantize4bitValue } from './quantize-4bit-value.js';
import { quantize4bit } from './quantize-4bit.js';
import { gaussian } from './testing/gaussian.js';
import { relativeRmse } from './testing/quant-error.js';

/** The kernel written plainly: per block absmax, float32 reciprocal, one tree call per value. */
function referencePacked(values: Float32Array, blockSize: number, type: 'nf4' | 'fp4'): { packed: number[]; absmax: number[] } {
  const codes: number[] = [];
  const absmax: number[] = [];
  for (let start = 0; start < values.length; start += blockSize) {
    const block = Array.from(values.subarray(start, start + blockSize));
    const m = Math.max(...block.map(Math.abs));
    absmax.push(m);
    const inv = Math.fround(1 / m);
    for (const v of block) codes.push(quantize4bitValue(Math.fround(v * inv), type));
    // The kernel pads a partial block with zeros, scaled like the block.
    if (block.length % 2 === 1) codes.push(quantize4bitValue(Math.fround(0 * inv), type));
  }
  const packed: number[] = [];
  for (let i = 0; i < codes.length; i += 2) packed.push((codes[i] << 4) | codes[i + 1]);
  return { packed, absmax };
}

describe('quantize4bit', () => {
  it('puts the first element of a pair in the HIGH nibble (bitsandbytes packing)', () => {
    const state = quantize4bit(Float32Array.from([-1, 1, 0, 0.5]), { blockSize: 64 });
    // NF4: -1 -> 0, 1 -> 15, 0 -> 7, 0.5 -> 12 (0.5 < midpoint 0.5017 of codes 12 and 13).
    expect(Array.from(state.packed)).toEqual([0x0f, 0x7c]);
    const fp4 = quantize4bit(Float32Array.from([1, -1]), { type: 'fp4', blockSize: 64 });
    expect(Array.from(fp4.packed)).toEqual([(0b0011 << 4) | 0b1011]);
  });

  it('matches the plain kernel reference on Gaussian data for every block size and both types', () => {
    const values = gaussian(4096 * 3 + 37, 5, 0.02); // odd length: a partial, odd last block
    for (const type of ['nf4', 'fp4'] as const) {
      for (const blockSize of [32, 64, 128, 256, 1024, 4096]) {
        const state = quantize4bit(values, { type, blockSize });
        const ref = referencePacked(values, blockSize, type);
        expect(Array.from(state.absmax!)).toEqual(ref.absmax);
        expect(Array.from(state.packed)).toEqual(ref.packed);
        expect(state.packed.length).toBe(Math.ceil(values.length / 2));
        expect(state.absmax!.length).toBe(Math.ceil(values.length / blockSize));
      }
    }
  });

  it('takes the absmax of a tail block over its own values only', () => {
    const values = new Float32Array(64 + 6).fill(0.5);
    values[10] = 4;
    values[66] = -0.25;
    const state = quantize4bit(values, { blockSize: 64 });
    expect(Array.from(state.absmax!)).toEqual([4, 0.5]);
  });

  it('encodes a zero block as code 0 that dequantizes to zeros, never NaN', () => {
    const values = new Float32Array(128);
    values.fill(0.3, 64);
    for (const type of ['nf4', 'fp4'] as const) {
      const state = quantize4bit(values, { type, blockSize: 64 });
      expect(state.absmax![0]).toBe(0);
      expect(Array.from(state.packed.subarray(0, 32)).every((b) => b === 0)).toBe(true);
      const restored = dequantize4bit(state);
      expect(Array.from(restored.subarray(0, 64)).every((v) => v === 0)).toBe(true);
      expect(restored.every((v) => Number.isFinite(v))).toBe(true);
    }
  });

  it('is a fixed point: quantize(dequantize(q)) reproduces q', () => {
    const values = gaussian(64 * 200 + 32, 9, 0.05);
    values.fill(0, 64, 128); // a zero block too
    for (const type of ['nf4', 'fp4'] as const) {
      for (const doubleQuant of [false, true]) {
        const first = quantize4bit(values, { type, doubleQuant, blockSize: 64 });
        const restored = dequantize4bit(first);
        const second = quantize4bit(restored, { type, doubleQuant, blockSize: 64 });
        // FP4 code 8 is -0: it dequantizes to -0, which the kernel (x < 0 is false)
        // quantizes to code 0, the same value. Compare codes with that identity.
        const canonical = (packed: Uint8Array): number[] =>
          type === 'nf4' ? Array.from(packed) : Array.from(packed, (b) => ((b >> 4 === 8 ? 0 : b >> 4) << 4) | ((b & 15) === 8 ? 0 : b & 15));
        expect(canonical(second.packed)).toEqual(canonical(first.packed));
        const again = dequantize4bit(second);
        if (!doubleQuant) expect(again.every((v, i) => v === restored[i])).toBe(true);
        else {
          // The nested offset is the mean of slightly different absmax values: the
          // 4-bit codes stay, the block scales move by about one step of the 8-bit
          // map (under 1% of the largest weight).
          const largest = Math.max(...Array.from(values, Math.abs));
          let moved = 0;
          for (let i = 0; i < again.length; i++) moved = Math.max(moved, Math.abs(again[i] - restored[i]));
          expect(moved).toBeGreaterThan(0);
          expect(moved).toBeLessThan(0.01 * largest);
        }
      }
    }
  });

  it('loses about 0.092 of the standard deviation on Gaussian weights with NF4, block 64; FP4 loses more', () => {
    const values = gaussian(1 << 20, 2024, 0.02);
    const nf4 = relativeRmse(values, dequantize4bit(quantize4bit(values, { type: 'nf4', blockSize: 64 })));
    const fp4 = relativeRmse(values, dequantize4bit(quantize4bit(values, { type: 'fp4', blockSize: 64 })));
    expect(nf4).toBeGreaterThan(0.0905);
    expect(nf4).toBeLessThan(0.0935);
    expect(fp4).toBeGreaterThan(nf4 * 1.2);
    // Larger blocks lose more: the absmax grows with the block.
    const nf4Block256 = relativeRmse(values, dequantize4bit(quantize4bit(values, { blockSize: 256 })));
    expect(nf4Block256).toBeGreaterThan(nf4);
  });

  it('records the state bitsandbytes keeps: type, block size, shape, dtype and code table', () => {
    const state = quantize4bit(new Float32Array(12).fill(1), { shape: [3, 4], dtype: 'bfloat16', type: 'fp4', blockSize: 32 });
    expect(state).toMatchObject({ quantType: 'fp4', blockSize: 32, shape: [3, 4], numel: 12, dtype: 'bfloat16', nested: null });
    expect(Array.from(state.quantMap)).toEqual(Array.from(FP4_CODE));
    expect(Array.from(quantize4bit(new Float32Array(2)).quantMap)).toEqual(Array.from(NF4_CODE));
  });
});

describe('quantize4bit errors', () => {
  const codeOf = (fn: () => unknown): string | undefined => {
    try {
      fn();
    } catch (error) {
      return error instanceof QuantError ? `${error.code}: ${error.message}` : String(error);
    }
    return undefined;
  };

  it('rejects non-finite weights naming the tensor and the index', () => {
    const values = gaussian(300, 1);
    values[201] = Number.NaN;
    const error = (() => {
      try {
        quantize4bit(values, { name: 'model.layers.3.mlp.up_proj.weight' });
      } catch (e) {
        return e as QuantError;
      }
      throw new Error('no error');
    })();
    expect(error.code).toBe('NON_FINITE_WEIGHT');
    expect(error.index).toBe(201);
    expect(error.tensor).toBe('model.layers.3.mlp.up_proj.weight');
    expect(error.message).toContain('model.layers.3.mlp.up_proj.weight');
    expect(error.message).toContain('201');
    values[201] = 0;
    values[7] = -Infinity;
    expect(codeOf(() => quantize4bit(values))).toMatch(/^NON_FINITE_WEIGHT: .*index 7/);
  });

  it('rejects block sizes outside 32..4096 or not powers of two', () => {
    for (const blockSize of [16, 8192, 100, 0, -64, 64.5]) {
      expect(codeOf(() => quantize4bit(new Float32Array(64), { blockSize, name: 'w' }))).toMatch(
        /^BLOCK_SIZE_OUT_OF_RANGE: block size .* for tensor "w" .*32 and 4096/,
      );
    }
  });

  it('rejects an unknown type and a shape that does not match the values', () => {
    expect(codeOf(() => quantize4bit(new Float32Array(4), { type: 'nf3' as 'nf4' }))).toMatch(/^UNSUPPORTED_TYPE/);
    expect(codeOf(() => quantize4bit(new Float32Array(4), { shape: [3, 2] }))).toMatch(/^SHAPE_MISMATCH/);
  });
});
