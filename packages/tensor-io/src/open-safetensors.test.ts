import { open, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TensorIoError } from './errors.js';
import type { TensorIoErrorCode } from './errors.js';
import { openSafetensors } from './open-safetensors.js';
import { float32LeBytes, rawSafetensors } from './testing/raw-safetensors.js';
import { makeTempDir, removeTempDir } from './testing/temp-dir.js';

let dir: string;
beforeAll(async () => {
  dir = await makeTempDir();
});
afterAll(async () => {
  await removeTempDir(dir);
});

async function fileWith(name: string, bytes: Uint8Array): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, bytes);
  return path;
}

async function openError(path: string): Promise<TensorIoError> {
  const err = await openSafetensors(path).then(
    async (r) => {
      await r.close();
      return null;
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(TensorIoError);
  return err as TensorIoError;
}

const header = {
  a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
  b: { dtype: 'F32', shape: [2], data_offsets: [8, 16] },
};
const values = [1.5, -2, 3.25, 1e-3];

describe('openSafetensors', () => {
  it('reads tensors by positioned reads, including at unaligned offsets', async () => {
    // 3 bytes of U8 first put the F32 and I16 tensors at odd offsets in the data buffer.
    const data = new Uint8Array([9, 8, 7, ...float32LeBytes([0.5, -4]), 0x01, 0x80]);
    const path = await fileWith(
      'unaligned.safetensors',
      rawSafetensors(
        {
          u: { dtype: 'U8', shape: [3], data_offsets: [0, 3] },
          f: { dtype: 'F32', shape: [2], data_offsets: [3, 11] },
          i: { dtype: 'I16', shape: [1], data_offsets: [11, 13] },
        },
        data,
      ),
    );
    const reader = await openSafetensors(path);
    expect(await reader.read('u')).toEqual(Uint8Array.from([9, 8, 7]));
    expect(Array.from(await reader.readFloat32('f'))).toEqual([0.5, -4]);
    expect(await reader.read('i')).toEqual(Int16Array.from([-32767]));
    expect(await reader.readRaw('f')).toEqual(data.subarray(3, 11));
    await reader.close();
  });

  it('reads into a caller-given buffer, and refuses one that is too small', async () => {
    const path = await fileWith('into.safetensors', rawSafetensors(header, float32LeBytes(values)));
    const reader = await openSafetensors(path);
    const buffer = new Uint8Array(12).fill(0xee);
    const got = await reader.readRaw('b', buffer);
    expect(got.buffer).toBe(buffer.buffer);
    expect(got).toEqual(float32LeBytes(values.slice(2)));
    expect(buffer[8]).toBe(0xee);
    await expect(reader.readRaw('b', new Uint8Array(7))).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', tensor: 'b', limit: 7 });
    await reader.close();
  });

  it('serves concurrent reads of different tensors', async () => {
    const path = await fileWith('two.safetensors', rawSafetensors(header, float32LeBytes(values)));
    const reader = await openSafetensors(path);
    const [a, b] = await Promise.all([reader.readFloat32('a'), reader.readFloat32('b')]);
    expect([...a, ...b]).toEqual(values.map(Math.fround));
    await reader.close();
    await reader.close(); // idempotent
  });

  it('opens a 10 GB (sparse) file without reading its data', async () => {
    const big = 10_000_000_000;
    const path = await fileWith(
      'ten-gigabytes.safetensors',
      rawSafetensors({
        huge: { dtype: 'U8', shape: [big], data_offsets: [0, big] },
        tail: { dtype: 'F32', shape: [2], data_offsets: [big, big + 8] },
      }),
    );
    const handle = await open(path, 'r+');
    const { size: headerEnd } = await handle.stat();
    await handle.write(float32LeBytes([7, -7]), 0, 8, headerEnd + big);
    await handle.close();
    const started = performance.now();
    const reader = await openSafetensors(path);
    expect(reader.fileSize).toBe(headerEnd + big + 8);
    expect(Array.from(await reader.readFloat32('tail'))).toEqual([7, -7]);
    expect(performance.now() - started).toBeLessThan(2000);
    const err = await reader.readRaw('huge').catch((e: unknown) => e);
    expect((err as TensorIoError).code).toBe('TENSOR_TOO_LARGE');
    await reader.close();
  });

  it('reports missing tensors, integer-as-float reads and reads after close', async () => {
    const path = await fileWith('ints.safetensors', rawSafetensors({ t: { dtype: 'I32', shape: [1], data_offsets: [0, 4] } }, new Uint8Array(4)));
    const reader = await openSafetensors(path);
    expect(() => reader.info('nope')).toThrow(expect.objectContaining({ code: 'TENSOR_NOT_FOUND', tensor: 'nope', file: path }));
    await expect(reader.readFloat32('t')).rejects.toMatchObject({ code: 'DATA_MISMATCH', tensor: 't' });
    await reader.close();
    await expect(reader.readRaw('t')).rejects.toMatchObject({ code: 'READ_FAILED' });
  });

  it('detects a file truncated after it was opened (FILE_TRUNCATED)', async () => {
    const path = await fileWith('shrinks.safetensors', rawSafetensors(header, float32LeBytes(values)));
    const reader = await openSafetensors(path);
    await truncate(path, reader.dataStart + 10);
    await expect(reader.readRaw('b')).rejects.toMatchObject({ code: 'FILE_TRUNCATED', tensor: 'b' });
    await reader.close();
  });

  const malformed: [string, () => Uint8Array, TensorIoErrorCode][] = [
    ['an empty file', () => new Uint8Array(0), 'FILE_TOO_SMALL'],
    ['a file truncated inside the header', () => rawSafetensors(header, float32LeBytes(values)).subarray(0, 30), 'HEADER_OUT_OF_BOUNDS'],
    ['a file truncated inside the data', () => rawSafetensors(header, float32LeBytes(values)).subarray(0, -3), 'OFFSETS_OUT_OF_BOUNDS'],
    ['a header length beyond the file', () => rawSafetensors(header, float32LeBytes(values), { declaredHeaderLength: 5000n }), 'HEADER_OUT_OF_BOUNDS'],
    ['a huge header length', () => rawSafetensors(header, float32LeBytes(values), { declaredHeaderLength: 0xffff_ffff_ffffn }), 'HEADER_TOO_LARGE'],
    ['a non-JSON header', () => rawSafetensors('not json at all', float32LeBytes(values)), 'HEADER_NOT_JSON'],
  ];
  it.each(malformed)('refuses %s', async (label, make, code) => {
    const err = await openError(await fileWith(`${label.replaceAll(' ', '-')}.safetensors`, make()));
    expect(err.code).toBe(code);
    expect(err.message).toContain(dir);
  });

  it('reports a missing file as FILE_NOT_FOUND and a directory as READ_FAILED', async () => {
    expect((await openError(join(dir, 'absent.safetensors'))).code).toBe('FILE_NOT_FOUND');
    expect((await openError(dir)).code).toBe('READ_FAILED');
  });

  it('reads the header only up to the caller-given limit', async () => {
    const path = await fileWith('limit.safetensors', rawSafetensors(header, float32LeBytes(values)));
    const err = await openSafetensors(path, { maxHeaderBytes: 16 }).catch((e: unknown) => e as TensorIoError);
    expect(err).toMatchObject({ code: 'HEADER_TOO_LARGE', limit: 16 });
  });
});
