// Gemma 2 and Gemma 3 text on the tfjs engine against the independent float64
// reference (testing/reference-forward.ts): full forward (logits and every block
// input), the KV-cache decoder, and streaming mode. Each model is set up so its
// Gemma features change the result: softcaps small enough to bend the scores and
// logits, a sliding window (3) shorter than the 12-token sequence, a
// query_pre_attn_scalar unlike head_dim, Gemma 3's local rope theta far from the
// global one plus linear scaling on the global layers. The ablation checks show
// the reference (and so the comparison) would notice each one missing.
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from './backend/select-backend.js';
import type { WeightMode } from './engine.js';
import { maxAbsDiff, quietLog } from './testing/random-llama-model.js';
import type { RandomModelSpec } from './testing/random-model.js';
import { randomModel } from './testing/random-model.js';
import { compareWithReference, type ReferenceDiffs } from './testing/compare-with-reference.js';
import { referenceForward } from './testing/reference-forward.js';
import type { ReferenceOptions, ReferenceResult } from './testing/reference-forward.js';

const TOKENS = [1, 5, 9, 33, 2, 17, 40, 8, 11, 3, 29, 44];
/** Tokens fed at once before decoding the rest one by one. */
const PROMPT = 4;

const GEMMA2: RandomModelSpec = {
  modelType: 'gemma2',
  numLayers: 4,
  headDim: 8,
  queryPreAttnScalar: 12,
  slidingWindow: 3,
  attnLogitSoftcap: 2.0,
  finalLogitSoftcap: 3.0,
  seed: 51,
};

const GEMMA3: RandomModelSpec = {
  modelType: 'gemma3_text',
  numLayers: 4,
  headDim: 8,
  queryPreAttnScalar: 6,
  slidingWindow: 3,
  slidingWindowPattern: 2,
  ropeTheta: 10000,
  localRopeTheta: 50,
  ropeScaling: { rope_type: 'linear', factor: 4 },
  seed: 52,
};

function compare(spec: RandomModelSpec, mode: WeightMode = 'resident'): Promise<ReferenceDiffs> {
  return compareWithReference(spec, TOKENS, PROMPT, mode);
}

/** Largest logit change of the reference when `raw` / `options` are altered: a feature the comparison must notice. */
function referenceShift(spec: RandomModelSpec, change: { raw?: Record<string, unknown>; options?: ReferenceOptions }): number {
  const random = randomModel(spec);
  const base: ReferenceResult = referenceForward(random.rawConfig, random.tensors, TOKENS);
  const altered = referenceForward({ ...random.rawConfig, ...change.raw }, random.tensors, TOKENS, change.options);
  return Math.max(...base.logits.map((logits, t) => maxAbsDiff(logits, altered.logits[t])));
}

describe('Gemma 2 and Gemma 3 text on the tfjs engine agree with the float64 reference to 1e-4', () => {
  beforeAll(async () => {
    await selectBackend('wasm', quietLog);
  });

  it('gemma2: sandwich norms, (1 + w) norms, GeGLU, scaled embeddings, softcaps, sliding even layers', async () => {
    const d = await compare(GEMMA2);
    console.log(`gemma2 tfjs vs float64 reference: max |logit diff| ${d.logits.toExponential(2)}, hidden ${d.hidden.toExponential(2)}, decode ${d.decode.toExponential(2)}`);
    expect(d.logits).toBeLessThan(1e-4);
    expect(d.hidden).toBeLessThan(1e-4);
    expect(d.decode).toBeLessThan(1e-4);
  });

  it('gemma3_text: q/k norms, local rope on sliding layers, linear scaling on global ones, no softcaps', async () => {
    const d = await compare(GEMMA3);
    console.log(`gemma3_text tfjs vs float64 reference: max |logit diff| ${d.logits.toExponential(2)}, hidden ${d.hidden.toExponential(2)}, decode ${d.decode.toExponential(2)}`);
    expect(d.logits).toBeLessThan(1e-4);
    expect(d.hidden).toBeLessThan(1e-4);
    expect(d.decode).toBeLessThan(1e-4);
  });

  it('gemma2 with tied embeddings off, attention biases and grouped heads 4/1, in streaming mode', async () => {
    const d = await compare({ ...GEMMA2, tieWordEmbeddings: false, attentionBias: true, numKvHeads: 1, seed: 53 }, 'streaming');
    expect(d.logits).toBeLessThan(1e-4);
    expect(d.decode).toBeLessThan(1e-4);
  });

  it('each Gemma feature moves the reference logits by more than 1e-2 (so the comparisons above can fail)', () => {
    const shifts = {
      attnSoftcap: referenceShift(GEMMA2, { raw: { attn_logit_softcapping: null } }),
      finalSoftcap: referenceShift(GEMMA2, { raw: { final_logit_softcapping: null } }),
      gemma2NormOffset: referenceShift(GEMMA2, { options: { normOffset: 0 } }),
      gemma2Sliding: referenceShift(GEMMA2, { raw: { sliding_window: 4096 } }),
      gemma2Scale: referenceShift(GEMMA2, { raw: { query_pre_attn_scalar: 8 } }),
      gemma3NormOffset: referenceShift(GEMMA3, { options: { normOffset: 0 } }),
      gemma3LocalRope: referenceShift(GEMMA3, { raw: { rope_local_base_freq: 10000 } }),
      gemma3GlobalScaling: referenceShift(GEMMA3, { raw: { rope_scaling: null } }),
      gemma3Sliding: referenceShift(GEMMA3, { raw: { sliding_window: 4096 } }),
    };
    console.log(`reference logit shifts without each feature: ${Object.entries(shifts).map(([k, v]) => `${k} ${v.toExponential(1)}`).join(', ')}`);
    for (const [feature, shift] of Object.entries(shifts)) expect(shift, feature).toBeGreaterThan(1e-2);
  });
});
