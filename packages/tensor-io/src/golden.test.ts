// Reads test-fixtures/golden.safetensors, written by test-fixtures/make_golden.py
// (Python struct + json only; command in its header), and checks every value
// against formulas recomputed here. Then writes the same tensors with our
// writer and checks the tensor bytes are identical to Python's.
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSafetensors } from './open-safetensors.js';
import type { SafetensorsReader } from './open-safetensors.js';
import { BF16_FORMAT, F16_FORMAT, roundToFormatReference } from './testing/reference-float.js';
import { makeTempDir, removeTempDir } from './testing/temp-dir.js';
import type { TensorSource } from './types.js';
import { writeSafetensors } from './write-safetensors.js';

const golden = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', 'test-fixtures', 'golden.safetensors');
const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

const f32Values = range(6).map((i) => i / 7 - 0.5);
const f16Inputs = [...range(8).map((i) => Math.fround(i / 10 - 0.35)), 65504, Math.fround(1e-7), -0, Math.fround(1 / 3)];
const bf16Inputs = [...range(4).map((i) => Math.fround(i / 7 - 0.5)), Math.fround(Math.PI), Math.fround(-1e30)];

let reader: SafetensorsReader;
let dir: string;
beforeAll(async () => {
  reader = await openSafetensors(golden);
  dir = await makeTempDir();
});
afterAll(async () => {
  await reader.close();
  await removeTempDir(dir);
});

describe('golden file from an independent Python writer', () => {
  it('has the expected layout: unpadded header, unaligned data', () => {
    expect(reader.dataStart % 4).not.toBe(0);
    expect(reader.metadata).toEqual({ format: 'pt', producer: 'make_golden.py' });
    expect([...reader.tensors.keys()]).toEqual([
      'u8_prefix', 'f32', 'f16', 'bf16', 'f64', 'i64', 'i32', 'i16', 'i8', 'bool', 'model.layers.0.mlp.up_proj.weight',
    ]);
    expect(reader.info('f16')).toMatchObject({ dtype: 'F16', shape: [3, 4], dataOffsets: [27, 51] });
    expect(reader.info('f16').fileOffset % 2).toBe(1);
  });

  it('reads every dtype with the right values', async () => {
    expect(await reader.read('u8_prefix')).toEqual(Uint8Array.from([1, 2, 3]));
    expect(Array.from((await reader.read('f32')) as Float32Array)).toEqual(f32Values.map(Math.fround));
    expect(Array.from((await reader.read('f16')) as Float32Array)).toEqual(f16Inputs.map((v) => roundToFormatReference(v, F16_FORMAT)));
    expect(Array.from((await reader.read('bf16')) as Float32Array)).toEqual(bf16Inputs.map((v) => roundToFormatReference(v, BF16_FORMAT)));
    expect(Array.from((await reader.read('f64')) as Float64Array)).toEqual([Math.PI, -1e300, 5e-324]);
    expect(await reader.read('i64')).toEqual(BigInt64Array.from([-(2n ** 63n), 2n ** 63n - 1n]));
    expect(await reader.read('i32')).toEqual(Int32Array.from([-(2 ** 31), 0, 123456789]));
    expect(await reader.read('i16')).toEqual(Int16Array.from([-32768, 32767]));
    expect(await reader.read('i8')).toEqual(Int8Array.from([-128, -1, 127]));
    expect(await reader.read('bool')).toEqual(Uint8Array.from([1, 0, 1]));
    expect(Array.from(await reader.readFloat32('model.layers.0.mlp.up_proj.weight'))).toEqual([1, -1, 0.5, 0.25]);
  });

  it('our writer produces byte-identical tensor data (F16/BF16 rounding agrees with Python)', async () => {
    const sources: TensorSource[] = [
      { name: 'u8_prefix', dtype: 'U8', shape: [3], read: () => Uint8Array.from([1, 2, 3]) },
      { name: 'f32', dtype: 'F32', shape: [2, 3], read: () => Float64Array.from(f32Values) },
      { name: 'f16', dtype: 'F16', shape: [3, 4], read: () => Float32Array.from(f16Inputs) },
      { name: 'bf16', dtype: 'BF16', shape: [6], read: () => Float32Array.from(bf16Inputs) },
      { name: 'f64', dtype: 'F64', shape: [3], read: () => Float64Array.from([Math.PI, -1e300, 5e-324]) },
      { name: 'i64', dtype: 'I64', shape: [2], read: () => BigInt64Array.from([-(2n ** 63n), 2n ** 63n - 1n]) },
      { name: 'i32', dtype: 'I32', shape: [3], read: () => Int32Array.from([-(2 ** 31), 0, 123456789]) },
      { name: 'i16', dtype: 'I16', shape: [2], read: () => Int16Array.from([-32768, 32767]) },
      { name: 'i8', dtype: 'I8', shape: [3], read: () => Int8Array.from([-128, -1, 127]) },
      { name: 'bool', dtype: 'BOOL', shape: [3], read: () => Uint8Array.from([1, 0, 1]) },
      { name: 'model.layers.0.mlp.up_proj.weight', dtype: 'F32', shape: [2, 2], read: () => Float32Array.from([1, -1, 0.5, 0.25]) },
    ];
    const path = join(dir, 'ours.safetensors');
    await writeSafetensors(path, sources, { metadata: reader.metadata as Record<string, string> });
    const ours = await openSafetensors(path);
    try {
      for (const name of reader.tensors.keys()) {
        expect(ours.info(name).dataOffsets).toEqual(reader.info(name).dataOffsets);
        expect(await ours.readRaw(name)).toEqual(await reader.readRaw(name));
      }
      expect(ours.fileSize - ours.dataStart).toBe(reader.fileSize - reader.dataStart);
    } finally {
      await ours.close();
    }
  });
});
