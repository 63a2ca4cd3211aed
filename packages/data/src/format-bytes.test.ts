import { describe, expect, it } from 'vitest';
import { formatBytes } from './read-limits.js';

describe('formatBytes', () => {
  it('says sizes in binary units, one decimal where not whole', () => {
    expect(formatBytes(512)).toBe('512 bytes');
    expect(formatBytes(64 * 1024 ** 2)).toBe('64 MiB');
    expect(formatBytes(1.5 * 1024 ** 3)).toBe('1.5 GiB');
    expect(formatBytes(35392)).toBe('34.6 KiB');
    expect(formatBytes(Number.POSITIVE_INFINITY)).toBe('Infinity');
  });
});
