import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TensorIoError } from './errors.js';
import { openSafetensors } from './open-safetensors.js';
import { BF16_FORMAT, F16_FORMAT, roundToFormatReference } from './testing/reference-float.js';
import { makeTempDir, removeTempDir } from './testing/temp-dir.js';
import type { DType, TensorSource } from './types.js';
import { writeSafetensors } from './write-safetensors.js';

let dir: string;
beforeAll(async () => {
  dir = await makeTempDir();
});
afterAll(async () => {
  await removeTempDir(dir);
});

/** Float values that exercise rounding: thirds, large, tiny, negative zero. */
const floats = [0, -0, 1, -1.5, 1 / 3, -2 / 3, 1e-3, 65504, 70000, 1e-8, 3.14159265, -123.456];

describe('writeSafetensors -> openSafetensors round trip', () => {
  it('round-trips every dtype', async () => {
    const sources: TensorSource[] = [
      { name: 'f64', dtype: 'F64', shape: [3, 4], read: () => Float64Array.from(floats) },
      { name: 'f32', dtype: 'F32', shape: [12], read: () => Float32Array.from(floats) },
      { name: 'f16', dtype: 'F16', shape: [2, 6], read: () => Float32Array.from(floats) },
      { name: 'bf16', dtype: 'BF16', shape: [6, 2], read: () => Float32Array.from(floats) },
      { name: 'i64', dtype: 'I64', shape: [3], read: () => BigInt64Array.from([-(2n ** 62n), 0n, 2n ** 63n - 1n]) },
      { name: 'i32', dtype: 'I32', shape: [3], read: () => Int32Array.from([-(2 ** 31), 7, 2 ** 31 - 1]) },
      { name: 'i16', dtype: 'I16', shape: [3], read: () => Int16Array.from([-32768, 1, 32767]) },
      { name: 'i8', dtype: 'I8', shape: [3], read: () => Int8Array.from([-128, 0, 127]) },
      { name: 'u8', dtype: 'U8', shape: [1, 3], read: () => Uint8Array.from([0, 128, 255]) },
      { name: 'bool', dtype: 'BOOL', shape: [4], read: () => Uint8Array.from([1, 0, 0, 1]) },
      { name: 'scalar', dtype: 'F32', shape: [], read: () => Float32Array.from([42]) },
      { name: 'empty', dtype: 'F16', shape: [0, 5], read: () => new Float32Array(0) },
    ];
    const path = join(dir, 'all-dtypes.safetensors');
    const written = await writeSafetensors(path, sources, { metadata: { format: 'pt', note: 'round trip' } });
    const reader = await openSafetensors(path);
    try {
      expect(written.bytes).toBe(reader.fileSize);
      expect(reader.metadata).toEqual({ format: 'pt', note: 'round trip' });
      expect([...reader.tensors.keys()]).toEqual(sources.map((s) => s.name));
      for (const s of sources) expect(reader.info(s.name)).toMatchObject({ dtype: s.dtype, shape: s.shape });
      expect(Array.from((await reader.read('f64')) as Float64Array)).toEqual(floats);
      expect(Array.from((await reader.read('f32')) as Float32Array)).toEqual(floats.map(Math.fround));
      const f16 = Array.from((await reader.read('f16')) as Float32Array);
      expect(f16).toEqual(floats.map((v) => roundToFormatReference(Math.fround(v), F16_FORMAT)));
      expect(f16[9]).toBe(0); // 1e-8 is below half the smallest F16 subnormal
      expect(f16[8]).toBe(Infinity); // 70000 overflows F16
      const bf16 = Array.from((await reader.readFloat32('bf16')));
      expect(bf16).toEqual(floats.map((v) => roundToFormatReference(Math.fround(v), BF16_FORMAT)));
      expect(await reader.read('i64')).toEqual(BigInt64Array.from([-(2n ** 62n), 0n, 2n ** 63n - 1n]));
      expect(await reader.read('i32')).toEqual(Int32Array.from([-(2 ** 31), 7, 2 ** 31 - 1]));
      expect(await reader.read('i16')).toEqual(Int16Array.from([-32768, 1, 32767]));
      expect(await reader.read('i8')).toEqual(Int8Array.from([-128, 0, 127]));
      expect(await reader.read('u8')).toEqual(Uint8Array.from([0, 128, 255]));
      expect(await reader.read('bool')).toEqual(Uint8Array.from([1, 0, 0, 1]));
      expect(Array.from(await reader.readFloat32('scalar'))).toEqual([42]);
      expect((await reader.read('empty')).length).toBe(0);
      expect(Array.from(await reader.readFloat32('f64'))).toEqual(floats.map(Math.fround));
    } finally {
      await reader.close();
    }
  });

  it('pads the header with spaces to an 8-byte boundary and lays tensors out in order', async () => {
    for (const name of ['a', 'ab', 'abc', 'abcd', 'abcde', 'abcdef', 'abcdefg', 'abcdefgh']) {
      const path = join(dir, `pad-${name}.safetensors`);
      await writeSafetensors(path, [{ name, dtype: 'U8', shape: [3], read: () => Uint8Array.from([1, 2, 3]) }]);
      const bytes = await readFile(path);
      const n = Number(bytes.readBigUInt64LE(0));
      expect(n % 8).toBe(0);
      const header = bytes.subarray(8, 8 + n).toString('utf8');
      expect(JSON.parse(header)).toEqual({ [name]: { dtype: 'U8', shape: [3], data_offsets: [0, 3] } });
      expect(header.trimEnd().length).toBeGreaterThan(n - 8);
      expect(header.slice(header.trimEnd().length)).toMatch(/^ *$/);
      expect(Array.from(bytes.subarray(8 + n))).toEqual([1, 2, 3]);
    }
  });

  it('copies raw bytes given as a Uint8Array without conversion', async () => {
    const path = join(dir, 'raw.safetensors');
    const halfBits = Uint8Array.from([0x00, 0x3c, 0x00, 0xc0]); // F16 1.0 and -2.0, little-endian
    await writeSafetensors(path, [{ name: 'h', dtype: 'F16', shape: [2], read: () => halfBits }]);
    const reader = await openSafetensors(path);
    expect(await reader.readRaw('h')).toEqual(halfBits);
    expect(Array.from(await reader.readFloat32('h'))).toEqual([1, -2]);
    await reader.close();
  });

  it('calls read() lazily, one tensor at a time, in order', async () => {
    const events: string[] = [];
    const source = (name: string): TensorSource => ({
      name,
      dtype: 'F32',
      shape: [2],
      read: async () => {
        events.push(`start ${name}`);
        await new Promise((r) => setTimeout(r, 5));
        events.push(`end ${name}`);
        return new Float32Array([1, 2]);
      },
    });
    await writeSafetensors(join(dir, 'lazy.safetensors'), [source('x'), source('y'), source('z')]);
    expect(events).toEqual(['start x', 'end x', 'start y', 'end y', 'start z', 'end z']);
  });
});

describe('writeSafetensors failures', () => {
  async function failureOf(path: string, sources: TensorSource[]): Promise<TensorIoError> {
    const err = await writeSafetensors(path, sources).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(TensorIoError);
    return err as TensorIoError;
  }

  it('refuses data whose length differs from the declared shape, names the tensor, and leaves no file behind', async () => {
    const path = join(dir, 'mismatch.safetensors');
    await writeFile(path, 'previous content');
    const err = await failureOf(path, [
      { name: 'ok', dtype: 'F32', shape: [2], read: () => new Float32Array(2) },
      { name: 'model.layers.0.mlp.up_proj.weight', dtype: 'F16', shape: [2, 3], read: () => new Float32Array(5) },
    ]);
    expect(err.code).toBe('DATA_MISMATCH');
    expect(err.tensor).toBe('model.layers.0.mlp.up_proj.weight');
    expect(err.message).toContain('gave 10 bytes as F16 but shape [2, 3] needs 12');
    expect(await readFile(path, 'utf8')).toBe('previous content');
    expect((await readdir(dir)).filter((f) => f.includes('.layerprune-tmp-'))).toEqual([]);
  });

  it('removes the temporary file when a source throws', async () => {
    const path = join(dir, 'throws.safetensors');
    const boom = new TensorIoError('READ_FAILED', 'source failed');
    const err = await failureOf(path, [{ name: 'x', dtype: 'F32', shape: [1], read: () => Promise.reject(boom) }]);
    expect(err).toBe(boom);
    expect((await readdir(dir)).filter((f) => f.includes('.layerprune-tmp-') || f === 'throws.safetensors')).toEqual([]);
  });

  const badSources: [string, TensorSource[], string][] = [
    ['integer array for a float dtype', [{ name: 'x', dtype: 'F32', shape: [1], read: () => new Int32Array(1) }], 'DATA_MISMATCH'],
    ['float array for an integer dtype', [{ name: 'x', dtype: 'I32', shape: [1], read: () => new Float32Array(1) }], 'DATA_MISMATCH'],
    ['unknown dtype', [{ name: 'x', dtype: 'F8' as DType, shape: [1], read: () => new Uint8Array(1) }], 'UNKNOWN_DTYPE'],
    ['negative dimension', [{ name: 'x', dtype: 'U8', shape: [-1], read: () => new Uint8Array(0) }], 'INVALID_SHAPE'],
    [
      'duplicate names',
      [
        { name: 'x', dtype: 'U8', shape: [1], read: () => new Uint8Array(1) },
        { name: 'x', dtype: 'U8', shape: [1], read: () => new Uint8Array(1) },
      ],
      'DUPLICATE_TENSOR',
    ],
    ['the reserved name __metadata__', [{ name: '__metadata__', dtype: 'U8', shape: [0], read: () => new Uint8Array(0) }], 'INVALID_ARGUMENT'],
  ];
  it.each(badSources)('%s', async (_label, sources, code) => {
    expect((await failureOf(join(dir, 'bad.safetensors'), sources)).code).toBe(code);
  });

  it('reports a missing output directory as WRITE_FAILED naming the file', async () => {
    const path = join(dir, 'no', 'such', 'dir', 'x.safetensors');
    const err = await failureOf(path, []);
    expect(err.code).toBe('WRITE_FAILED');
    expect(err.file).toBe(path);
  });
});
