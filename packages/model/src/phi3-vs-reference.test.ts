// Phi-3 on the tfjs engine against the independent float64 reference
// (testing/reference-forward.ts, which slices the fused qkv_proj / gate_up_proj
// itself, as Phi3Attention and Phi3MLP do): logits, every block input and the
// KV-cache decoder, with grouped heads and a sliding window shorter than the
// sequence. The ablations show the comparison notices a wrong row order in the
// fused tensors and a missing window.
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from './backend/select-backend.js';
import type { WeightMode } from './engine.js';
import type { RandomModel, RandomModelSpec } from './testing/random-model.js';
import { randomModel } from './testing/random-model.js';
import { maxAbsDiff, quietLog, row } from './testing/random-llama-model.js';
import { compareWithReference, type ReferenceDiffs } from './testing/compare-with-reference.js';
import { referenceForward } from './testing/reference-forward.js';
import { createModelFromProvider } from './load-model.js';
import { HfWeightProvider } from './weights/hf-weight-provider.js';
import { readerFromMap, type InMemoryTensor } from './weights/tensor-reader.js';

const TOKENS = [1, 5, 9, 33, 2, 17, 40, 8, 11, 3, 29, 44];
const PROMPT = 4;

/** 4 query heads on 2 key/value heads, a window of 5 over 12 tokens. */
const PHI3: RandomModelSpec = { modelType: 'phi3', numLayers: 3, numHeads: 4, numKvHeads: 2, slidingWindow: 5, seed: 71 };

function compare(spec: RandomModelSpec, mode: WeightMode = 'resident'): Promise<ReferenceDiffs> {
  return compareWithReference(spec, TOKENS, PROMPT, mode);
}

/** `random`'s tensors with rows [a, a + n) and [b, b + n) of every `suffix` tensor exchanged. */
function swapRows(random: RandomModel, suffix: string, a: number, b: number, n: number): Map<string, InMemoryTensor> {
  const out = new Map(random.tensors);
  for (const [name, tensor] of random.tensors) {
    if (!name.endsWith(suffix)) continue;
    const cols = tensor.shape[1];
    const data = tensor.data.slice();
    data.set(tensor.data.subarray(b * cols, (b + n) * cols), a * cols);
    data.set(tensor.data.subarray(a * cols, (a + n) * cols), b * cols);
    out.set(name, { shape: tensor.shape, data });
  }
  return out;
}

describe('Phi-3 on the tfjs engine agrees with the float64 reference to 1e-4', () => {
  beforeAll(async () => {
    await selectBackend('wasm', quietLog);
  });

  it('the random model has the fused checkpoint tensors and no unfused ones', () => {
    const { tensors, config } = randomModel(PHI3);
    const q = config.numAttentionHeads * config.headDim;
    const kv = config.numKeyValueHeads * config.headDim;
    expect(tensors.get('model.layers.0.self_attn.qkv_proj.weight')?.shape).toEqual([q + 2 * kv, config.hiddenSize]);
    expect(tensors.get('model.layers.0.mlp.gate_up_proj.weight')?.shape).toEqual([2 * config.intermediateSize, config.hiddenSize]);
    expect([...tensors.keys()].filter((n) => /\.(q|k|v|gate|up)_proj\./.test(n))).toEqual([]);
    expect(config.layerTypes).toEqual(['sliding_attention', 'sliding_attention', 'sliding_attention']);
  });

  it('grouped heads (4 / 2) and a sliding window of 5 over 12 tokens: logits, hidden states, decoding', async () => {
    const d = await compare(PHI3);
    console.log(`phi3 tfjs vs float64 reference: max |logit diff| ${d.logits.toExponential(2)}, hidden ${d.hidden.toExponential(2)}, decode ${d.decode.toExponential(2)}`);
    expect(d.logits).toBeLessThan(1e-4);
    expect(d.hidden).toBeLessThan(1e-4);
    expect(d.decode).toBeLessThan(1e-4);
  });

  it('one kv head, head_dim unlike hidden / heads, tied embeddings, in streaming mode', async () => {
    const d = await compare({ ...PHI3, hiddenSize: 24, numHeads: 4, numKvHeads: 1, headDim: 8, tieWordEmbeddings: true, slidingWindow: 3, seed: 72 }, 'streaming');
    expect(d.logits).toBeLessThan(1e-4);
    expect(d.hidden).toBeLessThan(1e-4);
    expect(d.decode).toBeLessThan(1e-4);
  });

  it('the comparison notices k / v rows or gate / up halves in the wrong order, and a missing window', async () => {
    const random = randomModel(PHI3);
    const ref = referenceForward(random.rawConfig, random.tensors, TOKENS);
    const shift = (tensors: Map<string, InMemoryTensor>, raw = random.rawConfig): number => {
      const other = referenceForward(raw, tensors, TOKENS);
      return Math.max(...ref.logits.map((l, t) => maxAbsDiff(l, other.logits[t])));
    };
    const { numAttentionHeads: heads, numKeyValueHeads: kvHeads, headDim, intermediateSize } = random.config;
    const kv = kvHeads * headDim;
    expect(shift(swapRows(random, 'qkv_proj.weight', heads * headDim, heads * headDim + kv, kv))).toBeGreaterThan(1e-2);
    expect(shift(swapRows(random, 'gate_up_proj.weight', 0, intermediateSize, intermediateSize))).toBeGreaterThan(1e-2);
    expect(shift(random.tensors, { ...random.rawConfig, sliding_window: null })).toBeGreaterThan(1e-2);
    // And the engine reads the rows where the reference does: on swapped k / v rows it follows the swap.
    const swapped = swapRows(random, 'qkv_proj.weight', heads * headDim, heads * headDim + kv, kv);
    const model = await createModelFromProvider(new HfWeightProvider(random.config, readerFromMap(swapped)), { backend: 'wasm', rawConfig: random.rawConfig, log: quietLog });
    try {
      const out = await model.forward([TOKENS], { logits: 'all' });
      const onSwapped = referenceForward(random.rawConfig, swapped, TOKENS);
      const V = random.config.vocabSize;
      expect(Math.max(...TOKENS.map((_, t) => maxAbsDiff(row(out.logits!, t, V), onSwapped.logits[t])))).toBeLessThan(1e-4);
      expect(Math.max(...TOKENS.map((_, t) => maxAbsDiff(row(out.logits!, t, V), ref.logits[t])))).toBeGreaterThan(1e-2);
    } finally {
      model.dispose();
    }
  });
});
