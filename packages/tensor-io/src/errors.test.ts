import { describe, expect, it } from 'vitest';
import { TensorIoError, isTensorIoError } from './errors.js';

describe('TensorIoError', () => {
  it('carries a code and the file, tensor and limit it names', () => {
    const err = new TensorIoError('HEADER_TOO_LARGE', 'x.safetensors: header is 200000000 bytes, limit 100000000', {
      file: 'x.safetensors',
      limit: 100_000_000,
    });
    expect(isTensorIoError(err)).toBe(true);
    expect(err.code).toBe('HEADER_TOO_LARGE');
    expect(err.file).toBe('x.safetensors');
    expect(err.limit).toBe(100_000_000);
    expect(isTensorIoError(new Error('plain'))).toBe(false);
  });
});
