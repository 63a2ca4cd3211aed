// Independent, deliberately naive float64 reference computations for the tests:
// copy to Float64Array, normalise, then compare. Written separately from the
// library code so that a shared mistake is unlikely.
import { createRandom } from '@layerprune/data';

/** The project's seeded generator (@layerprune/data's mulberry32 stream): same seed, same numbers. */
export const mulberry32: (seed: number) => () => number = createRandom;

/** Standard normal via Box-Muller. */
export function gaussian(random: () => number): number {
  const u = 1 - random();
  const v = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

export function referenceCosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const x = Float64Array.from(a);
  const y = Float64Array.from(b);
  const nx = Math.hypot(...x);
  const ny = Math.hypot(...y);
  let c = 0;
  for (let i = 0; i < x.length; i++) c += (x[i] / nx) * (y[i] / ny);
  return Math.min(1, Math.max(-1, c));
}

export function referenceAngular(a: ArrayLike<number>, b: ArrayLike<number>): number {
  return Math.acos(referenceCosine(a, b)) / Math.PI;
}

export function referenceMagnitude(input: ArrayLike<number>, output: ArrayLike<number>): number {
  const diff = Array.from(output, (v, i) => v - input[i]);
  return Math.hypot(...diff) / Math.hypot(...Array.from(output));
}

/**
 * Residual-stream-like states for `samples` sequences: x(l+1) = x(l) + update with
 * updates that grow with depth, so distances differ between blocks. Returns
 * states[sample][layer][token] as Float32Array rows of width H.
 */
export function syntheticStates(options: { seed: number; layers: number; hidden: number; lengths: number[] }): Float32Array[][][] {
  const random = mulberry32(options.seed);
  return options.lengths.map((len) =>
    Array.from({ length: len }, () => {
      const rows: Float32Array[] = [];
      let x = Float32Array.from({ length: options.hidden }, () => gaussian(random));
      rows.push(x);
      for (let l = 0; l < options.layers; l++) {
        const scale = l === options.layers - 1 ? 3 : 0.2 + 0.4 * Math.abs(Math.sin(l));
        x = Float32Array.from(x, (v) => v + scale * gaussian(random));
        rows.push(x);
      }
      return rows;
    }),
  ).map((perToken) => {
    // perToken[t][l] -> [l][t]
    return Array.from({ length: options.layers + 1 }, (_, l) => perToken.map((rows) => rows[l]));
  });
}

/** Packs states[sample][layer][token] into the ForwardResult layout for a batch. */
export function packBatch(
  states: Float32Array[][][],
  mode: 'last' | 'all',
): { batch: number; hiddenSize: number; maxLength: number; lengths: number[]; hidden: Float32Array[] } {
  const batch = states.length;
  const layers = states[0].length;
  const hiddenSize = states[0][0][0].length;
  const lengths = states.map((s) => s[0].length);
  const maxLength = Math.max(...lengths);
  const hidden = Array.from({ length: layers }, (_, l) => {
    const out = new Float32Array(mode === 'all' ? batch * maxLength * hiddenSize : batch * hiddenSize);
    // Padding positions hold NaN: reading one would make the accumulator throw.
    out.fill(Number.NaN);
    states.forEach((sample, b) => {
      const tokens = sample[l];
      if (mode === 'all') tokens.forEach((row, t) => out.set(row, (b * maxLength + t) * hiddenSize));
      else out.set(tokens[tokens.length - 1], b * hiddenSize);
    });
    return out;
  });
  return { batch, hiddenSize, maxLength, lengths, hidden };
}
