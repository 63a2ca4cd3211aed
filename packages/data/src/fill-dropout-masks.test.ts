import { describe, expect, it } from 'vitest';
import { fillDropoutMasks } from './fill-dropout-masks.js';
import { SeededRng } from './seeded-rng.js';

describe('fillDropoutMasks', () => {
  it('continues one generator across the arrays, in order', () => {
    const state = new SeededRng(9).getState();
    const outs = [new Float32Array(300), new Float32Array(7), new Float32Array(1024)];
    fillDropoutMasks(state, 0.25, outs);
    // Independent: nextFloat() < p drops, one stream over all arrays.
    const rng = new SeededRng(state);
    for (const out of outs) {
      const expected = Float32Array.from({ length: out.length }, () => (rng.nextFloat() < 0.25 ? 0 : 1 / 0.75));
      expect(out).toEqual(expected);
    }
    // A different order of the same sizes gives other masks (the order is part of the contract).
    const swapped = [new Float32Array(7), new Float32Array(300)];
    fillDropoutMasks(state, 0.25, swapped);
    expect(swapped[1]).not.toEqual(outs[0]);
  });
});
