import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeToFloat32, encodeFromFloat32 } from './dtype-codec.js';
import { halfReadTarget, widenHalfInPlace } from './decode-half-in-place.js';
import { openSafetensors } from './open-safetensors.js';
import { makeTempDir, removeTempDir } from './testing/temp-dir.js';
import { writeSafetensors } from './write-safetensors.js';

describe('widenHalfInPlace', () => {
  it.each(['F16', 'BF16'] as const)('%s: equals decodeToFloat32 bit for bit, for odd and even counts', (dtype) => {
    for (const count of [1, 2, 3, 7, 1000, 1001]) {
      const values = Float32Array.from({ length: count }, (_, i) => Math.sin(i * 1.3) * 10 ** ((i % 9) - 4) * (i % 5 === 0 ? -1 : 1));
      const bytes = encodeFromFloat32(values, dtype);
      const target = halfReadTarget(count)!;
      target.raw.set(bytes);
      const widened = widenHalfInPlace(target.out, target.raw, dtype);
      expect(widened).toBe(target.out);
      expect(Array.from(widened)).toEqual(Array.from(decodeToFloat32(bytes, dtype)));
    }
  });
});

describe('readFloat32 of 16-bit tensors (read in place)', () => {
  it('gives the values of the raw bytes decoded the general way, beside other tensors in the file', async () => {
    const dir = await makeTempDir();
    try {
      const values = Float32Array.from({ length: 1001 }, (_, i) => Math.cos(i) * (i + 1));
      const path = join(dir, 'm.safetensors');
      await writeSafetensors(path, [
        { name: 'a', dtype: 'F32', shape: [3], read: () => Float32Array.from([1, 2, 3]) },
        { name: 'h', dtype: 'F16', shape: [7, 143], read: () => encodeFromFloat32(values, 'F16') },
        { name: 'b', dtype: 'BF16', shape: [1001], read: () => encodeFromFloat32(values, 'BF16') },
      ]);
      const reader = await openSafetensors(path);
      for (const [name, dtype] of [['h', 'F16'], ['b', 'BF16']] as const) {
        expect(Array.from(await reader.readFloat32(name))).toEqual(Array.from(decodeToFloat32(await reader.readRaw(name), dtype)));
      }
      expect(Array.from(await reader.readFloat32('a'))).toEqual([1, 2, 3]);
      await reader.close();
    } finally {
      await removeTempDir(dir);
    }
  });
});
