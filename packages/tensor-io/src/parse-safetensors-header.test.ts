import { describe, expect, it } from 'vitest';
import { TensorIoError } from './errors.js';
import type { TensorIoErrorCode } from './errors.js';
import { parseSafetensorsBytes } from './parse-safetensors-header.js';
import { float32LeBytes, rawSafetensors } from './testing/raw-safetensors.js';

function codeOf(bytes: Uint8Array, maxHeaderBytes?: number): TensorIoErrorCode | 'OK' {
  try {
    parseSafetensorsBytes(bytes, { file: 'm.safetensors', maxHeaderBytes });
    return 'OK';
  } catch (err) {
    if (err instanceof TensorIoError) return err.code;
    throw err;
  }
}

function errorOf(bytes: Uint8Array): TensorIoError {
  try {
    parseSafetensorsBytes(bytes, { file: 'm.safetensors' });
  } catch (err) {
    if (err instanceof TensorIoError) return err;
    throw err;
  }
  throw new Error('expected a TensorIoError');
}

const twoTensors = {
  __metadata__: { format: 'pt' },
  b: { dtype: 'F32', shape: [2], data_offsets: [8, 16] },
  a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
};
const data16 = float32LeBytes([1, 2, 3, 4]);

describe('parseSafetensorsBytes: valid headers', () => {
  it('lists tensors in data-offset order with absolute file offsets', () => {
    const bytes = rawSafetensors(twoTensors, data16);
    const parsed = parseSafetensorsBytes(bytes);
    const headerLength = bytes.length - 8 - 16;
    expect(parsed.headerLength).toBe(headerLength);
    expect(parsed.dataStart).toBe(8 + headerLength);
    expect([...parsed.tensors.keys()]).toEqual(['a', 'b']);
    expect(parsed.tensors.get('b')).toEqual({
      name: 'b',
      dtype: 'F32',
      shape: [2],
      dataOffsets: [8, 16],
      fileOffset: 8 + headerLength + 8,
      byteLength: 8,
    });
    expect(parsed.metadata).toEqual({ format: 'pt' });
  });

  it('accepts scalars, empty tensors, an empty file and trailing space padding', () => {
    const header = `${JSON.stringify({
      s: { dtype: 'I64', shape: [], data_offsets: [0, 8] },
      e: { dtype: 'F16', shape: [0, 3], data_offsets: [8, 8] },
    })}     `;
    const parsed = parseSafetensorsBytes(rawSafetensors(header, new Uint8Array(8)));
    expect(parsed.tensors.get('s')?.byteLength).toBe(8);
    expect(parsed.tensors.get('e')?.byteLength).toBe(0);
    expect(parseSafetensorsBytes(rawSafetensors({})).tensors.size).toBe(0);
  });
});

describe('parseSafetensorsBytes: malformed inputs give their typed error', () => {
  const cases: [string, Uint8Array, TensorIoErrorCode][] = [
    ['fewer than 8 bytes', new Uint8Array([1, 0, 0]), 'FILE_TOO_SMALL'],
    ['header length beyond the file', rawSafetensors(twoTensors, data16, { declaredHeaderLength: 10_000n }), 'HEADER_OUT_OF_BOUNDS'],
    ['huge header length (2^63)', rawSafetensors(twoTensors, data16, { declaredHeaderLength: 2n ** 63n }), 'HEADER_TOO_LARGE'],
    ['non-JSON header', rawSafetensors('{"a": {"dtype": "F32",', data16), 'HEADER_NOT_JSON'],
    ['invalid UTF-8 in the header', (() => { const b = rawSafetensors('{"a":1}'); b[10] = 0xff; return b; })(), 'HEADER_NOT_JSON'],
    ['a JSON array header', rawSafetensors([1, 2]), 'HEADER_INVALID'],
    ['entry is not an object', rawSafetensors({ a: 5 }), 'HEADER_INVALID'],
    ['unknown dtype', rawSafetensors({ a: { dtype: 'F8_E4M3', shape: [4], data_offsets: [0, 4] } }, new Uint8Array(4)), 'UNKNOWN_DTYPE'],
    ['negative dimension', rawSafetensors({ a: { dtype: 'U8', shape: [-1], data_offsets: [0, 0] } }), 'INVALID_SHAPE'],
    ['fractional dimension', rawSafetensors({ a: { dtype: 'U8', shape: [1.5], data_offsets: [0, 0] } }), 'INVALID_SHAPE'],
    ['shape/dtype size differs from the byte span', rawSafetensors({ a: { dtype: 'F32', shape: [3], data_offsets: [0, 16] } }, data16), 'SHAPE_DTYPE_MISMATCH'],
    ['offsets reversed', rawSafetensors({ a: { dtype: 'U8', shape: [0], data_offsets: [4, 0] } }), 'HEADER_INVALID'],
    ['offsets not a pair', rawSafetensors({ a: { dtype: 'U8', shape: [4], data_offsets: [0, 4, 8] } }), 'HEADER_INVALID'],
    ['out-of-bounds offsets (file truncated)', rawSafetensors(twoTensors, data16.subarray(0, 12)), 'OFFSETS_OUT_OF_BOUNDS'],
    [
      'overlapping offsets',
      rawSafetensors(
        { a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F32', shape: [2], data_offsets: [4, 12] } },
        new Uint8Array(12),
      ),
      'OFFSETS_OVERLAP',
    ],
    [
      'gap between tensors',
      rawSafetensors(
        { a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] }, b: { dtype: 'F32', shape: [2], data_offsets: [8, 16] } },
        data16,
      ),
      'OFFSETS_GAP',
    ],
    ['gap before the first tensor', rawSafetensors({ a: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, new Uint8Array(8)), 'OFFSETS_GAP'],
    ['trailing bytes after the last tensor', rawSafetensors({ a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }, new Uint8Array(8)), 'OFFSETS_GAP'],
    [
      'duplicate tensor names',
      rawSafetensors(
        '{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"a":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}}',
        data16,
      ),
      'DUPLICATE_TENSOR',
    ],
    ['duplicate names spelled with escapes', rawSafetensors('{"a":{"dtype":"U8","shape":[0],"data_offsets":[0,0]},"\\u0061":{"dtype":"U8","shape":[0],"data_offsets":[0,0]}}'), 'DUPLICATE_TENSOR'],
    ['repeated field inside an entry', rawSafetensors('{"a":{"dtype":"U8","dtype":"F32","shape":[0],"data_offsets":[0,0]}}'), 'HEADER_INVALID'],
    ['metadata not an object', rawSafetensors({ __metadata__: ['x'] }), 'INVALID_METADATA'],
    ['metadata value not a string', rawSafetensors({ __metadata__: { step: 5 } }), 'INVALID_METADATA'],
  ];
  it.each(cases)('%s', (_label, bytes, code) => {
    expect(codeOf(bytes)).toBe(code);
  });

  it('applies the caller-given header limit', () => {
    const bytes = rawSafetensors(twoTensors, data16);
    expect(codeOf(bytes, 64)).toBe('HEADER_TOO_LARGE');
    expect(codeOf(bytes, 1000)).toBe('OK');
  });

  it('names the file, the tensor, the field and the limit in its errors', () => {
    const err = errorOf(rawSafetensors({ w: { dtype: 'F32', shape: [3], data_offsets: [0, 16] } }, data16));
    expect(err.message).toBe('m.safetensors: tensor "w": shape [3] x F32 is 12 bytes but data_offsets [0, 16) span 16');
    expect(err).toMatchObject({ file: 'm.safetensors', tensor: 'w', field: 'data_offsets', limit: 12 });
    const huge = errorOf(rawSafetensors({}, undefined, { declaredHeaderLength: 2n ** 64n - 1n }));
    expect(huge.message).toBe('m.safetensors: header length 18446744073709551615 bytes exceeds the limit of 100000000 bytes');
    expect(huge.limit).toBe(100_000_000);
  });

  it('keeps a tensor named "__proto__" as an ordinary tensor', () => {
    const parsed = parseSafetensorsBytes(rawSafetensors('{"__proto__":{"dtype":"U8","shape":[2],"data_offsets":[0,2]}}', new Uint8Array([7, 9])));
    expect([...parsed.tensors.keys()]).toEqual(['__proto__']);
  });
});
