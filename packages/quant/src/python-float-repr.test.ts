import { describe, expect, it } from 'vitest';
import { pythonFloatRepr } from './python-float-repr.js';

describe('pythonFloatRepr', () => {
  it('writes floats like Python repr (values checked against CPython 3)', () => {
    const cases: [number, string][] = [
      [0, '0.0'],
      [-0, '-0.0'],
      [1, '1.0'],
      [100, '100.0'],
      [0.1, '0.1'],
      [-2.5, '-2.5'],
      [0.0001, '0.0001'],
      [0.00001, '1e-05'],
      [0.000123, '0.000123'],
      [1.5e-7, '1.5e-07'],
      [1e16, '1e+16'],
      [1e15, '1000000000000000.0'],
      [123456789.125, '123456789.125'],
      [1.7976931348623157e308, '1.7976931348623157e+308'],
      [5e-324, '5e-324'],
      [Math.fround(0.012345678), '0.012345678173005581'],
      [Math.fround(3.0517578125e-5), '3.0517578125e-05'],
    ];
    for (const [value, expected] of cases) expect(pythonFloatRepr(value), String(value)).toBe(expected);
  });

  it('round-trips every float32 offset it writes', () => {
    for (const v of [Math.fround(0.0123), Math.fround(-7.1e-6), Math.fround(2 / 3)]) {
      expect(Math.fround(Number(pythonFloatRepr(v)))).toBe(v);
    }
  });
});
