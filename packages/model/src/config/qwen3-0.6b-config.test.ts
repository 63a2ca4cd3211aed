// The published Qwen3-0.6B config.json (values only, no weights) parses and
// resolves to the architecture the engines run: explicit head_dim 128 (not
// hidden / heads = 64), q/k norms, no biases, full attention on every layer,
// tied embeddings, and the tensor set of a 0.6B model (0.44B outside the embedding).
import { readFile } from 'node:fs/promises';
import { expectedModelTensors, parseArchitectureConfig } from '@layerprune/architectures';
import { describe, expect, it } from 'vitest';
import { estimateLoadMemoryBytes } from '../memory/estimate-load-memory.js';
import { resolveArchitecture } from './resolve-architecture.js';

const FIXTURE = new URL('../testing/fixtures/qwen3-0.6b/config.json', import.meta.url);

async function fixture(): Promise<Record<string, unknown>> {
  return JSON.parse(await readFile(FIXTURE, 'utf8')) as Record<string, unknown>;
}

describe('Qwen3-0.6B config.json', () => {
  it('parses to the published values', async () => {
    const config = parseArchitectureConfig(await fixture(), 'Qwen3-0.6B/config.json');
    expect(config).toEqual({
      modelType: 'qwen3',
      hiddenSize: 1024,
      intermediateSize: 3072,
      numHiddenLayers: 28,
      numAttentionHeads: 16,
      numKeyValueHeads: 8,
      headDim: 128,
      rmsNormEps: 1e-6,
      ropeTheta: 1000000,
      ropeScaling: null,
      vocabSize: 151936,
      tieWordEmbeddings: true,
      maxPositionEmbeddings: 40960,
      torchDtype: 'bfloat16',
      attentionBias: false,
      qkNorm: true,
      hiddenAct: 'silu',
      slidingWindow: null,
      bosTokenId: 151643,
      eosTokenId: 151645,
      mlpBias: false,
      fusedProjections: false,
      normWeightOffset: 0,
      sandwichNorms: false,
      embeddingScale: 1,
      attnLogitSoftcap: null,
      finalLogitSoftcap: null,
      localRopeTheta: null,
      attentionScale: 128 ** -0.5,
      layerTypes: new Array(28).fill('full_attention'),
    });
  });

  it('resolves to the architecture the engines run', async () => {
    const raw = await fixture();
    const arch = resolveArchitecture(parseArchitectureConfig(raw, 'c'), raw, 'Qwen3-0.6B/config.json');
    expect(arch).toMatchObject({ numLayers: 28, hiddenSize: 1024, numHeads: 16, numKvHeads: 8, headDim: 128, groupSize: 2, vocabSize: 151936, rmsNormEps: 1e-6, qkNorm: true });
    expect(arch.attentionScale).toBeCloseTo(1 / Math.sqrt(128), 15);
    expect(arch.layerWindows).toEqual(new Array(28).fill(null));
    expect(arch.invFreq).toHaveLength(64);
    expect(arch.invFreq[1]).toBeCloseTo(1e6 ** (-2 / 128), 7); // float32-rounded, as transformers computes it
    // use_sliding_window false: the window fields change nothing even when set.
    const windowed = { ...raw, sliding_window: 4096, max_window_layers: 20 };
    expect(resolveArchitecture(parseArchitectureConfig(windowed, 'c'), windowed, 'c').layerWindows.every((w) => w === null)).toBe(true);
    const on = { ...windowed, use_sliding_window: true };
    const windows = resolveArchitecture(parseArchitectureConfig(on, 'c'), on, 'c').layerWindows;
    expect(windows.slice(0, 20).every((w) => w === null)).toBe(true);
    expect(windows.slice(20).every((w) => w === 4096)).toBe(true);
    // float32: the 596,049,920 parameters (q/k norms included) on the backend, plus the embedding looked up in JS.
    expect(estimateLoadMemoryBytes(arch, 'resident')).toBe(4 * 596_049_920 + 4 * 151936 * 1024);
  });

  it('implies the tensor set of a 0.6B model: q/k norms of [128], no lm_head (tied), no biases', async () => {
    const raw = await fixture();
    const tensors = expectedModelTensors(parseArchitectureConfig(raw, 'c')).filter((t) => t.required);
    const names = new Set(tensors.map((t) => t.name));
    expect(tensors.find((t) => t.name === 'model.layers.27.self_attn.q_norm.weight')?.shape).toEqual([128]);
    expect(tensors.find((t) => t.name === 'model.layers.0.self_attn.k_norm.weight')?.shape).toEqual([128]);
    expect(tensors.find((t) => t.name === 'model.layers.0.self_attn.q_proj.weight')?.shape).toEqual([2048, 1024]);
    expect(tensors.find((t) => t.name === 'model.layers.0.self_attn.k_proj.weight')?.shape).toEqual([1024, 1024]);
    expect(names.has('lm_head.weight')).toBe(false);
    expect([...names].some((n) => n.endsWith('.bias'))).toBe(false);
    expect(tensors).toHaveLength(1 + 28 * 11 + 1);
    const parameters = tensors.reduce((sum, t) => sum + t.shape.reduce((a, b) => a * b, 1), 0);
    const embedding = 151936 * 1024;
    expect(parameters).toBe(596_049_920);
    expect(parameters - embedding).toBe(440_467_456); // the model card's "Non-Embedding: 0.44B"
  });
});
