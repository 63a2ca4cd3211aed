import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { openSafetensors, writeSafetensors, type SafetensorsReader } from '@layerprune/tensor-io';
import { dequantize } from './dequantize.js';
import { quantize4bit } from './quantize-4bit.js';
import { quantizeInt8Rowwise } from './quantize-int8-rowwise.js';
import { quantizedTensorSources } from './quantized-tensor-sources.js';
import { readFourBitState, readInt8State, type RawTensorStore } from './read-quantized-state.js';
import { gaussian } from './testing/gaussian.js';
import { makeTempDir, removeDir } from './testing/tiny-model-dir.js';

let dir: string;
beforeAll(async () => {
  dir = await makeTempDir();
});
afterAll(async () => {
  await removeDir(dir);
});

/** A single-file reader as the store the state readers take (a model's WeightStore fits as is). */
const storeOf = (reader: SafetensorsReader): RawTensorStore => ({
  has: (n) => reader.tensors.has(n),
  info: (n) => reader.info(n),
  readRaw: (n) => reader.readRaw(n),
});

const same = (a: ArrayLike<number>, b: ArrayLike<number>): boolean => a.length === b.length && Array.from(a).every((v, i) => Object.is(v, b[i]));

describe('safetensors round trip with bitsandbytes names', () => {
  it('writes the 4-bit tensors under bitsandbytes names and dtypes and reads the same state back', async () => {
    const name = 'model.layers.0.mlp.down_proj.weight';
    const values = gaussian(48 * 70 + 0, 42, 0.02);
    for (const doubleQuant of [false, true]) {
      for (const type of ['nf4', 'fp4'] as const) {
        const state = quantize4bit(values, { type, blockSize: 64, doubleQuant, shape: [48, 70] });
        const file = join(dir, `w-${type}-${doubleQuant}.safetensors`);
        await writeSafetensors(file, quantizedTensorSources(name, state), { metadata: { format: 'pt' } });
        const reader = await openSafetensors(file);
        const entries = Object.fromEntries([...reader.tensors].map(([n, info]) => [n, `${info.dtype} [${info.shape.join(', ')}]`]));
        const blocks = Math.ceil((48 * 70) / 64);
        expect(entries[name]).toBe(`U8 [${(48 * 70) / 2}, 1]`);
        expect(entries[`${name}.quant_map`]).toBe('F32 [16]');
        expect(entries[`${name}.quant_state.bitsandbytes__${type}`]).toMatch(/^U8 \[\d+\]$/);
        if (doubleQuant) {
          expect(entries[`${name}.absmax`]).toBe(`U8 [${blocks}]`);
          expect(entries[`${name}.nested_absmax`]).toBe(`F32 [${Math.ceil(blocks / 256)}]`);
          expect(entries[`${name}.nested_quant_map`]).toBe('F32 [256]');
        } else {
          expect(entries[`${name}.absmax`]).toBe(`F32 [${blocks}]`);
          expect(Object.keys(entries)).toHaveLength(4);
        }
        const back = await readFourBitState(storeOf(reader), name, type);
        await reader.close();
        expect(back).toMatchObject({ quantType: type, blockSize: 64, shape: [48, 70], numel: 48 * 70, dtype: 'float32' });
        expect(same(back.packed, state.packed)).toBe(true);
        expect(same(dequantize(back), dequantize(state))).toBe(true);
      }
    }
  });

  it('writes int8 as weight I8 + SCB F32 + weight_format and reads it back', async () => {
    const values = gaussian(12 * 20, 8);
    const state = quantizeInt8Rowwise(values, [12, 20]);
    const file = join(dir, 'int8.safetensors');
    await writeSafetensors(file, quantizedTensorSources('model.layers.1.self_attn.q_proj.weight', state));
    const reader = await openSafetensors(file);
    expect(reader.info('model.layers.1.self_attn.q_proj.weight')).toMatchObject({ dtype: 'I8', shape: [12, 20] });
    expect(reader.info('model.layers.1.self_attn.q_proj.SCB')).toMatchObject({ dtype: 'F32', shape: [12] });
    expect(reader.info('model.layers.1.self_attn.q_proj.weight_format')).toMatchObject({ dtype: 'U8', shape: [] });
    const back = await readInt8State(storeOf(reader), 'model.layers.1.self_attn.q_proj.weight');
    await reader.close();
    expect(same(back.weight, state.weight)).toBe(true);
    expect(same(back.scb, state.scb)).toBe(true);
  });

  it('rejects a truncated state with STATE_INVALID naming the tensor', async () => {
    const name = 'w.weight';
    const state = quantize4bit(gaussian(256, 1), { blockSize: 64 });
    const sources = quantizedTensorSources(name, state).filter((s) => !s.name.endsWith('.absmax'));
    const file = join(dir, 'broken.safetensors');
    await writeSafetensors(file, sources);
    const reader = await openSafetensors(file);
    await expect(readFourBitState(storeOf(reader), name, 'nf4')).rejects.toMatchObject({ code: 'STATE_INVALID', tensor: name });
    await reader.close();
  });
});
