import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from './backend/select-backend.js';
import type { RandomModelSpec } from './testing/random-model.js';
import { maxAbsDiff, quietLog, randomLlamaModel, row } from './testing/random-llama-model.js';
import { referenceForward } from './testing/reference-forward.js';

const TOKENS = [1, 5, 9, 33, 2, 17, 40, 8, 11, 3, 29, 44];

async function compare(spec: RandomModelSpec, options: { skipLayers?: number[] } = {}): Promise<{ logits: number; hidden: number }> {
  const { model, random } = await randomLlamaModel(spec);
  try {
    const ref = referenceForward(random.rawConfig, random.tensors, TOKENS, options);
    const out = await model.forward([TOKENS], { logits: 'all', hidden: 'all', skipLayers: options.skipLayers });
    const V = random.config.vocabSize;
    const H = random.config.hiddenSize;
    let logits = 0;
    let hidden = 0;
    TOKENS.forEach((_, t) => {
      logits = Math.max(logits, maxAbsDiff(row(out.logits!, t, V), ref.logits[t]));
      ref.hidden.forEach((layer, l) => (hidden = Math.max(hidden, maxAbsDiff(row(out.hidden![l], t, H), layer[t]))));
    });
    expect(out.hidden).toHaveLength(random.config.numHiddenLayers + 1);
    return { logits, hidden };
  } finally {
    model.dispose();
  }
}

describe('forward pass agrees with the float64 reference to 1e-4', () => {
  beforeAll(async () => {
    await selectBackend('wasm', quietLog);
  });

  it('llama with grouped-query attention (4 heads, 2 kv heads)', async () => {
    const d = await compare({ modelType: 'llama', seed: 3 });
    expect(d.logits).toBeLessThan(1e-4);
    expect(d.hidden).toBeLessThan(1e-4);
  });

  it('llama with tied embeddings, plain multi-head attention and attention biases', async () => {
    const d = await compare({ modelType: 'llama', numKvHeads: 4, tieWordEmbeddings: true, attentionBias: true, seed: 4 });
    expect(d.logits).toBeLessThan(1e-4);
  });

  it('llama with head_dim different from hidden / heads', async () => {
    const d = await compare({ modelType: 'llama', hiddenSize: 24, numHeads: 4, numKvHeads: 1, headDim: 8, seed: 5 });
    expect(d.logits).toBeLessThan(1e-4);
  });

  it('llama3 rope scaling (all three frequency bands used)', async () => {
    // original_max_position_embeddings 64: wavelengths of head_dim 16 and theta 10000 span 6..~20000,
    // so some frequencies stay, some are divided by the factor, some are blended.
    const ropeScaling = { rope_type: 'llama3', factor: 8, low_freq_factor: 1, high_freq_factor: 4, original_max_position_embeddings: 64 };
    const d = await compare({ modelType: 'llama', hiddenSize: 32, numHeads: 2, numKvHeads: 1, ropeScaling, seed: 6 });
    expect(d.logits).toBeLessThan(1e-4);
  });

  it('linear rope scaling and a large rope_theta', async () => {
    const d = await compare({ modelType: 'llama', ropeScaling: { type: 'linear', factor: 4 }, ropeTheta: 500000, seed: 7 });
    expect(d.logits).toBeLessThan(1e-4);
  });

  it('mistral with a sliding window shorter than the sequence', async () => {
    const d = await compare({ modelType: 'mistral', slidingWindow: 5, seed: 8 });
    expect(d.logits).toBeLessThan(1e-4);
  });

  it('qwen2 with q/k/v biases and a sliding window on every layer', async () => {
    const d = await compare({ modelType: 'qwen2', slidingWindow: 4, seed: 9 });
    expect(d.logits).toBeLessThan(1e-4);
  });

  it('qwen3: per-head q/k norms before rope, head_dim unlike hidden / heads, tied embeddings', async () => {
    const d = await compare({ modelType: 'qwen3', hiddenSize: 24, numHeads: 4, numKvHeads: 2, headDim: 8, tieWordEmbeddings: true, seed: 31 });
    console.log(`qwen3 tfjs vs float64 reference: max |logit diff| ${d.logits.toExponential(2)}, hidden ${d.hidden.toExponential(2)}`);
    expect(d.logits).toBeLessThan(1e-4);
    expect(d.hidden).toBeLessThan(1e-4);
  });

  it('qwen3 with attention_bias (q/k/v/o biases) and a sliding window', async () => {
    const d = await compare({ modelType: 'qwen3', attentionBias: true, slidingWindow: 4, numKvHeads: 1, seed: 32 });
    expect(d.logits).toBeLessThan(1e-4);
  });

  it('hidden states are block inputs, x(L) before the final norm, and skipLayers drops blocks', async () => {
    const d = await compare({ modelType: 'llama', numLayers: 4, seed: 10 }, { skipLayers: [1, 2] });
    expect(d.logits).toBeLessThan(1e-4);
    expect(d.hidden).toBeLessThan(1e-4);
  });
});
