// Gemma 2 and Gemma 3 text on the ONNX engine against @layerprune/model's
// independent float64 forward: logits and every block input within 1e-4 for tiny
// random models whose family features all bite (checked: the reference without
// each of them is another model), through the float32 graph, the KV-cache decoder
// and the 4-bit MatMulBnb4 graph (reference on the dequantized weights).
//   gemma2: (1 + w) sandwich norms, sqrt(hidden) embeddings, query_pre_attn_scalar,
//     attention softcap 2 and final softcap 3, GeGLU, sliding window 3 on even layers.
//   gemma3_text: q/k norms, sliding/full layer pattern, local rope theta 100 on
//     sliding layers, theta 10000 with linear rope scaling on full ones.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createModelFromProvider, tfjsEngineFactory } from '@layerprune/model';
import type { LlamaModel } from '@layerprune/model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OnnxEngine } from './onnx-engine.js';
import { onnxEngineFactory } from './onnx-engine-factory.js';
import { maxAbsDiff, quietLog, randomModel, randomProvider, referenceForward } from './testing/random-models.js';
import type { RandomModelSpec } from './testing/random-models.js';
import { decoderDiffFromReference, diffFromReference, loadOnnx, quantizedRandomModel } from './testing/reference-checks.js';

const TOLERANCE = 1e-4;
const TOKENS = [1, 5, 9, 33, 2, 17, 40, 8, 11, 3];
/** A 4-token prefill, then single tokens and a pair: every sliding layer's window is passed while decoding. */
const DECODE_STEPS = [4, 1, 1, 2, 1, 1];

const GEMMA2: RandomModelSpec = {
  modelType: 'gemma2',
  numLayers: 4,
  slidingWindow: 3,
  attnLogitSoftcap: 2,
  finalLogitSoftcap: 3,
  queryPreAttnScalar: 16,
  seed: 51,
};
const GEMMA3: RandomModelSpec = {
  modelType: 'gemma3_text',
  numLayers: 5,
  slidingWindow: 3,
  slidingWindowPattern: 3,
  localRopeTheta: 100,
  ropeTheta: 10000,
  ropeScaling: { rope_type: 'linear', factor: 4 },
  queryPreAttnScalar: 16,
  seed: 52,
};

/** Config changes that turn one family feature off: the reference must move by more than 1e-2 for each. */
const FEATURES_OFF: Record<string, [string, Record<string, unknown>][]> = {
  gemma2: [
    ['no attention softcap', { attn_logit_softcapping: null }],
    ['no final softcap', { final_logit_softcapping: null }],
    ['no sliding window', { sliding_window: 4096 }],
    ['head_dim^-0.5 scale', { query_pre_attn_scalar: 8 }],
  ],
  gemma3_text: [
    ['global rope on sliding layers', { rope_local_base_freq: 10000, rope_scaling: null }],
    ['local rope without the global scaling', { rope_scaling: null }],
    ['no sliding window', { sliding_window: 4096 }],
  ],
};

const models: LlamaModel[] = [];
afterAll(() => models.forEach((m) => m.dispose()));

describe.each([
  ['gemma2', GEMMA2],
  ['gemma3_text', GEMMA3],
] as const)('%s on the onnx engine vs the float64 reference', (family, spec) => {
  const random = randomModel(spec);
  const reference = referenceForward(random.rawConfig, random.tensors, TOKENS);

  it('every family feature changes the reference (so the checks below can fail)', () => {
    const moved = (raw: Record<string, unknown>, options = {}): number => {
      const other = referenceForward(raw, random.tensors, TOKENS, options).logits;
      return Math.max(...other.map((row, t) => maxAbsDiff(row, reference.logits[t])));
    };
    for (const [what, change] of FEATURES_OFF[family]) expect(moved({ ...random.rawConfig, ...change }), what).toBeGreaterThan(1e-2);
    expect(moved(random.rawConfig, { normOffset: 0 }), 'norms scaled by w, not 1 + w').toBeGreaterThan(1e-2);
  });

  it.each(['resident', 'streaming'] as const)('%s float32 weights: logits and hidden states within 1e-4', async (mode) => {
    const onnx = await createModelFromProvider(randomProvider(random), { rawConfig: random.rawConfig, log: quietLog, engine: onnxEngineFactory({ threads: 2 }), mode });
    models.push(onnx);
    expect(onnx.engine.name).toBe('onnx');
    const diff = await diffFromReference(onnx, TOKENS, reference);
    console.log(`${family} onnx fp32 ${mode}: max |logit - float64| ${diff.logits.toExponential(2)}, max |hidden - float64| ${diff.hidden.toExponential(2)}`);
    expect(diff.logits).toBeLessThan(TOLERANCE);
    expect(diff.hidden).toBeLessThan(TOLERANCE);
    const decoded = await decoderDiffFromReference(onnx, TOKENS, DECODE_STEPS, reference);
    console.log(`${family} onnx KV-cache decode ${mode}: max |logit - float64| ${decoded.toExponential(2)}`);
    expect(decoded).toBeLessThan(TOLERANCE);
  });

  it('engine list onnx, tfjs: onnx runs it (no fallback) and agrees with tfjs on padded batches', async () => {
    const lines: string[] = [];
    const model = await createModelFromProvider(randomProvider(random), {
      rawConfig: random.rawConfig,
      log: (line) => lines.push(line),
      engine: [onnxEngineFactory({ threads: 2 }), tfjsEngineFactory('wasm')],
      mode: 'resident',
    });
    const tfjs = await createModelFromProvider(randomProvider(random), { rawConfig: random.rawConfig, log: quietLog, engine: tfjsEngineFactory('wasm'), mode: 'resident' });
    models.push(model, tfjs);
    expect(model.engine.name, lines.join('\n')).toBe('onnx');
    const batch = [TOKENS, TOKENS.slice(0, 4), TOKENS.slice(3, 9)];
    const a = await model.forward(batch, { logits: 'all' });
    const b = await tfjs.forward(batch, { logits: 'all' });
    expect(maxAbsDiff(a.logits!, b.logits!)).toBeLessThan(TOLERANCE);
    const [lpA, lpB] = [await model.tokenLogProbs(batch), await tfjs.tokenLogProbs(batch)];
    lpA.forEach((lp, i) => expect(maxAbsDiff(lp, lpB[i]), `log-probs ${i}`).toBeLessThan(TOLERANCE));
  });
});

describe('gemma 4-bit (nf4) directories', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'engine-onnx-gemma-'));
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it.each([
    ['gemma2', GEMMA2],
    ['gemma3_text', GEMMA3],
  ] as const)('%s: the MatMulBnb4 graph within 1e-4 of the reference on the dequantized weights', async (family, spec) => {
    // hidden 64, head_dim 16, intermediate 128: every linear weight is a whole number of 64-value blocks.
    const random = randomModel({ ...spec, hiddenSize: 64, numHeads: 4, numKvHeads: 2, headDim: 16, intermediateSize: 128 });
    const { dir, tensors } = await quantizedRandomModel(join(root, family), random);
    const reference = referenceForward(random.rawConfig, tensors, TOKENS);
    // The 4-bit model is another model: a reference on the float32 weights would not pass the checks below.
    const unquantized = referenceForward(random.rawConfig, random.tensors, TOKENS).logits;
    expect(Math.max(...unquantized.map((row, t) => maxAbsDiff(row, reference.logits[t])))).toBeGreaterThan(1e-3);
    for (const mode of ['resident', 'streaming'] as const) {
      const onnx = await loadOnnx(dir, mode);
      models.push(onnx);
      const diff = await diffFromReference(onnx, TOKENS, reference);
      console.log(`${family} onnx nf4 ${mode}: max |logit - float64| ${diff.logits.toExponential(2)}, max |hidden - float64| ${diff.hidden.toExponential(2)}`);
      expect(diff.logits, mode).toBeLessThan(TOLERANCE);
      expect(diff.hidden, mode).toBeLessThan(TOLERANCE);
      expect((onnx.engine as OnnxEngine).graphs).toContain('block_nf4_64');
      expect(await decoderDiffFromReference(onnx, TOKENS, DECODE_STEPS, reference), `${mode} decoder`).toBeLessThan(TOLERANCE);
    }
  });
});
