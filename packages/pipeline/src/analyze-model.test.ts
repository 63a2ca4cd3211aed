import { defaultModelDir } from '@layerprune/assets';
import { loadModel, type LlamaModel } from '@layerprune/model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AnalyzeModelError, analyzeModel } from './analyze-model.js';

// The real bundled model; sequences of varied lengths so that batches are padded.
let model: LlamaModel;
const sequences = Array.from({ length: 20 }, (_, i) => [1, ...Array.from({ length: 3 + ((i * 7) % 23) }, (_, t) => 3 + ((t * 31 + i * 17) % 500))]);

beforeAll(async () => {
  model = await loadModel(defaultModelDir(), { log: () => undefined });
});
afterAll(() => model?.dispose());

/** Float64 angular distance, written independently of @layerprune/similarity. */
function angular(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    aa += a[i] * a[i];
    bb += b[i] * b[i];
  }
  return Math.acos(Math.max(-1, Math.min(1, dot / Math.sqrt(aa * bb)))) / Math.PI;
}

describe('analyzeModel on the bundled model', () => {
  it('padded batches give the per-sequence float64 result (mean and standard error)', async () => {
    const L = model.config.numHiddenLayers;
    const table = await analyzeModel(model, sequences, { batchSize: 6 });
    // Independent path: one unpadded sequence per forward pass, distances in float64 here.
    const perSample: number[][][] = [];
    for (const seq of sequences) {
      const { hidden } = await model.forward([seq], { logits: 'none', hidden: 'last' });
      perSample.push(Array.from({ length: L }, (_, n) => Array.from({ length: L - n + 1 }, (_, l) => (n === 0 ? 0 : angular(hidden![l], hidden![l + n])))));
    }
    expect(table.samples).toBe(sequences.length);
    expect(table.tokens).toBe(sequences.reduce((s, q) => s + q.length, 0));
    for (let n = 1; n < L; n++) {
      for (let l = 0; l <= L - n; l++) {
        const values = perSample.map((s) => s[n][l]);
        const mean = values.reduce((s, v) => s + v, 0) / values.length;
        const se = Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / (values.length - 1) / values.length);
        expect(Math.abs(table.value(n, l) - mean)).toBeLessThan(1e-5);
        expect(Math.abs((table.standardError(n, l) ?? Number.NaN) - se)).toBeLessThan(1e-5);
      }
    }
  });

  it('reports progress per forward pass and splits token-averaged passes to fit the state budget', async () => {
    const seen: number[] = [];
    const H = model.config.hiddenSize;
    const L = model.config.numHiddenLayers;
    const longest = Math.max(...sequences.map((s) => s.length));
    // Room for exactly two sequences of the longest length per pass.
    const budget = 2 * (L + 1) * longest * H * 4;
    const table = await analyzeModel(model, sequences, { metric: 'bi', batchSize: 8, maxStateBytes: budget, onProgress: (done) => seen.push(done) });
    expect(seen.at(-1)).toBe(sequences.length);
    // The longest batch comes first and fits exactly two sequences per pass; later, shorter batches fit more.
    expect(seen[0]).toBe(2);
    expect(seen.length).toBeGreaterThan(Math.ceil(sequences.length / 8));
    const unsplit = await analyzeModel(model, sequences, { metric: 'bi', batchSize: 8 });
    for (let n = 1; n < L; n++) {
      table.row(n).values.forEach((v, l) => expect(Math.abs(v - unsplit.value(n, l))).toBeLessThan(1e-5));
    }
  });

  it('gives the same table with the weights streamed layer by layer', async () => {
    const streaming = await loadModel(defaultModelDir(), { mode: 'streaming', log: () => undefined });
    try {
      expect(streaming.mode).toBe('streaming');
      const streamed = await analyzeModel(streaming, sequences, { batchSize: 8 });
      const resident = await analyzeModel(model, sequences, { batchSize: 8 });
      for (let n = 1; n < model.config.numHiddenLayers; n++) {
        streamed.row(n).values.forEach((v, l) => expect(Math.abs(v - resident.value(n, l))).toBeLessThan(1e-6));
      }
    } finally {
      streaming.dispose();
    }
  });

  it('fails with a typed error when one sequence alone exceeds the state budget, or when there is nothing to analyze', async () => {
    await expect(analyzeModel(model, sequences, { metric: 'angular-mean', maxStateBytes: 1024 })).rejects.toMatchObject({ code: 'STATES_TOO_LARGE' });
    await expect(analyzeModel(model, [])).rejects.toBeInstanceOf(AnalyzeModelError);
  });
});
