import { describe, expect, it } from 'vitest';
import { parseByteSize } from './parse-byte-size.js';

describe('parseByteSize', () => {
  it.each([
    ['1024', 1024],
    ['2GB', 2_000_000_000],
    ['500MB', 500_000_000],
    ['5GiB', 5 * 1024 ** 3],
    ['1.5 kb', 1500],
    ['10MiB', 10 * 1024 * 1024],
    ['3b', 3],
  ])('%s -> %d', (text, bytes) => {
    expect(parseByteSize(text)).toBe(bytes);
  });

  it.each(['', 'GB', '-5MB', '5 parsecs', '0', '1e3', 'Infinity'])('refuses %j with INVALID_SIZE', (text) => {
    expect(() => parseByteSize(text)).toThrow(expect.objectContaining({ code: 'INVALID_SIZE' }));
  });
});
