// Keep or recompute: the rule at its boundary, and the onnx trainer's count of
// what keeping holds, against an independent count of the activations and
// masks of a tiny model; 'auto' then keeps or recomputes as the budget allows.
import { formatBytes } from '@layerprune/data';
import { FrozenBase, LoraAdapters, llamaLinearShapes, resolveLoraConfig, SeededRng } from '@layerprune/lora';
import { createTinyModel } from '@layerprune/lora/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveOnnxOptions } from '../options.js';
import { loadRuntime, type OnnxRuntime } from '../runtime/load-runtime.js';
import { decideKeepActivations, KEEP_ACTIVATIONS_MEMORY_SHARE } from './keep-activations.js';
import { OnnxLoraTrainer } from './onnx-lora-trainer.js';

describe('decideKeepActivations', () => {
  it('keeps up to a quarter of memory under auto, and does what it is told otherwise', () => {
    expect(KEEP_ACTIVATIONS_MEMORY_SHARE).toBe(0.25);
    const memory = 8 * 1024 ** 3;
    expect(decideKeepActivations('auto', memory / 4, memory).keep).toBe(true);
    const over = decideKeepActivations('auto', memory / 4 + 1, memory);
    expect(over.keep).toBe(false);
    expect(over.reason).toBe("recomputing each block's forward in its backward: keeping activations would take 2.0 GiB, more than a quarter of the machine's 8 GiB");
    expect(decideKeepActivations('auto', 300 * 1024 ** 2, memory).reason).toBe("keeping every block's activations for the backward: 300 MiB, within a quarter of the machine's 8 GiB");
    expect(decideKeepActivations(true, 10 * memory, memory).keep).toBe(true);
    expect(decideKeepActivations(false, 1, memory).keep).toBe(false);
  });
});

describe("the onnx trainer's 'auto'", () => {
  let runtime: OnnxRuntime;
  const trainers: OnnxLoraTrainer[] = [];
  beforeAll(async () => {
    runtime = await loadRuntime(resolveOnnxOptions({ threads: 1 }));
  });
  afterAll(async () => {
    await Promise.all(trainers.map((t) => t.dispose()));
  });

  async function trainer(memoryBytes: number, log: string[]) {
    const tiny = createTinyModel(3, {});
    const base = await FrozenBase.load(tiny.config, tiny.reader, 32);
    const adapters = LoraAdapters.create(resolveLoraConfig({ rank: 2, alpha: 4, dropout: 0.1, targetModules: 'all-linear' }), llamaLinearShapes(tiny.config), new SeededRng(4));
    const t = new OnnxLoraTrainer(base, adapters, runtime, { memoryBytes, log: (line) => log.push(line) });
    trainers.push(t);
    return { t, config: tiny.config, adapters };
  }

  it('counts every block\'s activations and dropout masks, and keeps them only within a quarter of memory', async () => {
    const batch = [
      [1, 5, 3, 9, 2, 7, 4],
      [4, 4, 0, 10, 6, 8, 1],
    ];
    const [B, T] = [batch.length, batch[0].length];
    const probe = await trainer(1e12, []);
    const c = probe.config;
    const D = c.headDim ?? c.hiddenSize / c.numAttentionHeads;
    const [H, I, heads, kv, rows] = [c.hiddenSize, c.intermediateSize, c.numAttentionHeads, c.numKeyValueHeads, B * T];
    // n1, h, n2 [rows, H]; q and attended [rows, heads*D]; k, v [rows, kv*D]; gate, up, act [rows, I]; probs [B, heads, T, T]
    const activations = rows * (3 * H + 2 * heads * D + 2 * kv * D + 3 * I) + B * heads * T * T;
    // masks of q, k, v, gate, up (input H), o (heads*D), down (I)
    const masks = rows * (5 * H + heads * D + I);
    const bytes = 4 * c.numHiddenLayers * (activations + masks);
    expect(probe.t.keepsActivations(B, T).bytes).toBe(bytes);

    const fits: string[] = [];
    const kept = (await trainer(4 * bytes, fits)).t;
    expect(kept.keepsActivations(B, T).keep).toBe(true);
    const tight: string[] = [];
    const recomputed = (await trainer(4 * bytes - 4, tight)).t;
    expect(recomputed.keepsActivations(B, T).keep).toBe(false);

    // A step follows the choice (kept buffers exist only when kept), says it once per shape, and both train alike.
    const grads = (t: OnnxLoraTrainer) => t.adapters!.parameters().map((p) => new Float32Array(p.length));
    const keptGrads = grads(kept);
    const recomputedGrads = grads(recomputed);
    const a = await kept.lossAndGradients(batch, keptGrads, 1, new SeededRng(7));
    await kept.lossAndGradients(batch, grads(kept), 1, new SeededRng(7));
    const b = await recomputed.lossAndGradients(batch, recomputedGrads, 1, new SeededRng(7));
    const savedBuffers = (t: OnnxLoraTrainer) => [...(t as unknown as { activations: Map<string, Float32Array> }).activations.keys()].filter((k) => k.includes('saved_')).length;
    expect(savedBuffers(kept)).toBeGreaterThan(0);
    expect(savedBuffers(recomputed)).toBe(0);
    expect(fits).toEqual([`layerprune: onnx trainer keeping every block's activations for the backward: ${formatBytes(bytes)}, within a quarter of the machine's ${formatBytes(4 * bytes)} (micro-batch 2 x 7 tokens)`]);
    expect(tight).toHaveLength(1);
    expect(tight[0]).toMatch(/^layerprune: onnx trainer recomputing each block's forward in its backward: keeping activations would take /);
    expect(Math.abs(a.loss - b.loss)).toBeLessThan(1e-6);
    keptGrads.forEach((g, i) => g.forEach((v, j) => expect(Math.abs(v - recomputedGrads[i][j])).toBeLessThan(1e-5)));
  });
});
