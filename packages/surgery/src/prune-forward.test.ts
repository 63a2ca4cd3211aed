// Acceptance: a pruned model computes exactly what the original computes with
// the same blocks skipped (ForwardOptions.skipLayers of @layerprune/model): same
// weights, same arithmetic, so the float32 logits must be bit-identical. Covers
// llama, mistral, qwen2 and qwen3, single-file and sharded inputs, BF16 weights, and
// sliding-window layouts that depend on the rewritten per-layer config.
import { join } from 'node:path';
import { loadModel, selectBackend } from '@layerprune/model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pruneModel } from './prune-model.js';
import type { RemovalSpec } from './removal-plan.js';
import { makeTempDir } from './testing/temp-dir.js';
import { writeTinyModel, type TinyModelOptions } from './testing/tiny-model.js';

let root: string;
let cleanup: () => Promise<void>;
const quiet = (): void => {};

beforeAll(async () => {
  ({ path: root, cleanup } = await makeTempDir());
  await selectBackend('wasm', quiet);
});
afterAll(() => cleanup());

// Two right-padded sequences longer than the 3-token windows used below.
const BATCH = [
  [1, 7, 22, 5, 40, 13, 9, 31, 2, 18],
  [1, 44, 3, 27, 11, 6],
];

function mismatches(a: Float32Array, b: Float32Array): number {
  let count = a.length === b.length ? 0 : Math.max(a.length, b.length);
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (!Object.is(a[i], b[i])) count += 1;
  return count;
}

interface Case {
  label: string;
  model: TinyModelOptions;
  spec: RemovalSpec;
  skipped: number[];
}

const CASES: Case[] = [
  { label: 'llama, single file', model: { modelType: 'llama', numLayers: 6 }, spec: { kind: 'drop-block', start: 2, end: 4 }, skipped: [2, 3] },
  { label: 'llama, sharded, BF16, tied', model: { modelType: 'llama', numLayers: 6, shards: 3, dtype: 'BF16', tieWordEmbeddings: true }, spec: { kind: 'drop-layers', layers: [1, 4] }, skipped: [1, 4] },
  { label: 'mistral, single file, window 3', model: { modelType: 'mistral', numLayers: 5, slidingWindow: 3 }, spec: { kind: 'drop-deepest', n: 2 }, skipped: [2, 3] },
  { label: 'mistral, sharded', model: { modelType: 'mistral', numLayers: 5, shards: 2 }, spec: { kind: 'keep-slices', slices: [[0, 1], [3, 5]] }, skipped: [1, 2] },
  // max_window_layers = 4: old layers 4, 5 slide. Without layer_types the runtime
  // reads max_window_layers, so the rewritten value decides the pruned attention.
  { label: 'qwen2, single file, windowed via max_window_layers', model: { modelType: 'qwen2', numLayers: 6, slidingWindow: 3, layerTypes: false }, spec: { kind: 'drop-block', start: 1, end: 3 }, skipped: [1, 2] },
  { label: 'qwen2, sharded, windowed via layer_types', model: { modelType: 'qwen2', numLayers: 6, slidingWindow: 3, shards: 3 }, spec: { kind: 'drop-block', start: 3, end: 5 }, skipped: [3, 4] },
  // q_norm / k_norm move with their blocks.
  { label: 'qwen3 (q/k norms), sharded, tied', model: { modelType: 'qwen3', numLayers: 6, shards: 2, tieWordEmbeddings: true }, spec: { kind: 'drop-block', start: 2, end: 4 }, skipped: [2, 3] },
  { label: 'qwen3, windowed via max_window_layers', model: { modelType: 'qwen3', numLayers: 6, slidingWindow: 3, layerTypes: false }, spec: { kind: 'drop-layers', layers: [0, 4] }, skipped: [0, 4] },
];

describe('pruned forward == original forward with the blocks skipped', () => {
  for (const [i, c] of CASES.entries()) {
    it(c.label, async () => {
      const source = await writeTinyModel(join(root, `src-${i}`), { seed: 100 + i, ...c.model });
      const out = join(root, `out-${i}`);
      const result = await pruneModel({ model: source.dir, out, spec: c.spec });
      expect(result.plan.removed).toEqual(c.skipped);

      const original = await loadModel(source.dir, { backend: 'wasm', log: quiet });
      const pruned = await loadModel(out, { backend: 'wasm', log: quiet });
      try {
        expect(pruned.config.numHiddenLayers).toBe(original.config.numHiddenLayers - c.skipped.length);
        const skipped = await original.forward(BATCH, { logits: 'all', skipLayers: c.skipped });
        const full = await original.forward(BATCH, { logits: 'all' });
        const cut = await pruned.forward(BATCH, { logits: 'all' });
        expect(cut.logits!.length).toBe(BATCH.length * 10 * (source.config.vocab_size as number));
        expect(mismatches(cut.logits!, skipped.logits!)).toBe(0);
        // The comparison has teeth: skipping the blocks changes almost every logit.
        expect(mismatches(cut.logits!, full.logits!)).toBeGreaterThan(cut.logits!.length / 2);
      } finally {
        original.dispose();
        pruned.dispose();
      }
    });
  }

  it('a wrong max_window_layers would be caught: the windows matter for these inputs', async () => {
    // Same qwen2 model with the window turned off gives different logits, so the
    // exact match above depends on the rewritten max_window_layers.
    const windowed = await writeTinyModel(join(root, 'w-on'), { modelType: 'qwen2', numLayers: 6, slidingWindow: 3, layerTypes: false, seed: 7 });
    const plain = await writeTinyModel(join(root, 'w-off'), { modelType: 'qwen2', numLayers: 6, layerTypes: false, seed: 7 });
    const a = await loadModel(windowed.dir, { backend: 'wasm', log: quiet });
    const b = await loadModel(plain.dir, { backend: 'wasm', log: quiet });
    try {
      const la = (await a.forward(BATCH, { logits: 'all' })).logits!;
      const lb = (await b.forward(BATCH, { logits: 'all' })).logits!;
      expect(mismatches(la, lb)).toBeGreaterThan(0);
    } finally {
      a.dispose();
      b.dispose();
    }
  });
});
