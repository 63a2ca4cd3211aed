import { describe, expect, it } from 'vitest';
import { createDynamicMap } from './dynamic-map.js';

/**
 * create_dynamic_map(signed=True) from its definition, in float64: for exponent
 * i = 0..6, the 2^i midpoints of linspace(0.1, 1, 2^i + 1) times 10^(i-6), both
 * signs, plus 0 and 1.
 */
function dynamicMapFloat64(): number[] {
  const values = [0, 1];
  for (let i = 0; i < 7; i++) {
    const count = 2 ** i;
    for (let j = 0; j < count; j++) {
      const mean = 0.1 + (0.9 * (j + 0.5)) / count;
      values.push(10 ** (i - 6) * mean, -(10 ** (i - 6)) * mean);
    }
  }
  return values.sort((a, b) => a - b);
}

describe('createDynamicMap', () => {
  it('has 256 ascending distinct values: 127 negative, one zero, 128 positive ending at 1', () => {
    const map = createDynamicMap();
    expect(map).toHaveLength(256);
    for (let i = 1; i < 256; i++) expect(map[i]).toBeGreaterThan(map[i - 1]);
    expect(map.filter((v) => v < 0)).toHaveLength(127);
    expect(map[127]).toBe(0);
    expect(map[255]).toBe(1);
  });

  it('matches the float64 definition within float32 rounding (relative 5e-7)', () => {
    const map = createDynamicMap();
    const exact = dynamicMapFloat64();
    for (let i = 0; i < 256; i++) {
      const tolerance = Math.abs(exact[i]) * 5e-7;
      expect(Math.abs(map[i] - exact[i]), `entry ${i}`).toBeLessThanOrEqual(tolerance);
    }
    // Extremes: -(1 - 0.9/128) at index 0 and the smallest magnitude 1e-6 * 0.55 next to 0.
    expect(map[0]).toBeCloseTo(-0.99296875, 6);
    expect(map[128]).toBeCloseTo(5.5e-7, 12);
  });

  it('hands out copies', () => {
    const a = createDynamicMap();
    a[0] = 42;
    expect(createDynamicMap()[0]).not.toBe(42);
  });
});
