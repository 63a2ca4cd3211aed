// Phi-3 on the ONNX engine against @layerprune/model's independent float64
// forward (which slices the fused qkv_proj / gate_up_proj itself, as
// Phi3Attention and Phi3MLP do): logits and every block input within 1e-4 with
// grouped kv heads and a sliding window shorter than the sequence, through the
// float32 graph and the KV-cache decoder. The engine sees only the seven logical
// modules the weight provider serves: a 4-bit directory whose fused tensors split
// on absmax block boundaries runs the MatMulBnb4 graph on the split packed rows;
// one whose modules start inside a block runs the float32 graph on the
// dequantized weights. Both are checked against the reference on the dequantized
// weights.
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
const DECODE_STEPS = [4, 1, 1, 2, 1, 1];

/** 4 query heads on 2 kv heads, a window of 3 over 10 tokens. */
const PHI3: RandomModelSpec = { modelType: 'phi3', numLayers: 3, numHeads: 4, numKvHeads: 2, slidingWindow: 3, seed: 61 };
/** hidden 64, head_dim 16: k starts at element 64 * 64, v at 96 * 64, up at 128 * 64: all on 64-value blocks. */
const ALIGNED: RandomModelSpec = { ...PHI3, hiddenSize: 64, headDim: 16, intermediateSize: 128, seed: 62 };
/** hidden 20, head_dim 10: k starts at row 20, element 400, inside an absmax block. */
const MISALIGNED: RandomModelSpec = { ...PHI3, hiddenSize: 20, numHeads: 2, numKvHeads: 1, headDim: 10, intermediateSize: 40, seed: 63 };

const models: LlamaModel[] = [];
afterAll(() => models.forEach((m) => m.dispose()));

describe('phi3 on the onnx engine vs the float64 reference', () => {
  const random = randomModel(PHI3);
  const reference = referenceForward(random.rawConfig, random.tensors, TOKENS);

  it('the checkpoint fuses q/k/v and gate/up, and the window changes the reference (so the checks below can fail)', () => {
    expect([...random.tensors.keys()]).toContain('model.layers.0.self_attn.qkv_proj.weight');
    expect([...random.tensors.keys()]).toContain('model.layers.0.mlp.gate_up_proj.weight');
    expect([...random.tensors.keys()]).not.toContain('model.layers.0.self_attn.q_proj.weight');
    const unwindowed = referenceForward({ ...random.rawConfig, sliding_window: null }, random.tensors, TOKENS).logits;
    expect(Math.max(...unwindowed.map((row, t) => maxAbsDiff(row, reference.logits[t])))).toBeGreaterThan(1e-2);
  });

  it.each(['resident', 'streaming'] as const)('%s float32 weights: logits, hidden states and the KV-cache decoder within 1e-4', async (mode) => {
    const onnx = await createModelFromProvider(randomProvider(random), { rawConfig: random.rawConfig, log: quietLog, engine: onnxEngineFactory({ threads: 2 }), mode });
    models.push(onnx);
    const diff = await diffFromReference(onnx, TOKENS, reference);
    const decoded = await decoderDiffFromReference(onnx, TOKENS, DECODE_STEPS, reference);
    console.log(`phi3 onnx fp32 ${mode}: max |logit - float64| ${diff.logits.toExponential(2)}, hidden ${diff.hidden.toExponential(2)}, KV-cache decode ${decoded.toExponential(2)}`);
    expect(diff.logits).toBeLessThan(TOLERANCE);
    expect(diff.hidden).toBeLessThan(TOLERANCE);
    expect(decoded).toBeLessThan(TOLERANCE);
  });

  it('engine list onnx, tfjs: onnx runs it (no fallback) and agrees with tfjs on padded batches', async () => {
    const lines: string[] = [];
    const common = { rawConfig: random.rawConfig, mode: 'resident' as const };
    const model = await createModelFromProvider(randomProvider(random), { ...common, log: (line) => lines.push(line), engine: [onnxEngineFactory({ threads: 2 }), tfjsEngineFactory('wasm')] });
    const tfjs = await createModelFromProvider(randomProvider(random), { ...common, log: quietLog, engine: tfjsEngineFactory('wasm') });
    models.push(model, tfjs);
    expect(model.engine.name, lines.join('\n')).toBe('onnx');
    const batch = [TOKENS, TOKENS.slice(0, 4), TOKENS.slice(3, 9)];
    const [a, b] = [await model.forward(batch, { logits: 'all' }), await tfjs.forward(batch, { logits: 'all' })];
    expect(maxAbsDiff(a.logits!, b.logits!)).toBeLessThan(TOLERANCE);
  });
});

describe('phi3 4-bit (nf4) directories', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'engine-onnx-phi3-'));
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it.each([
    ['fused tensors split on absmax blocks: the MatMulBnb4 graph', ALIGNED, 'block_nf4_64'],
    ['a module starting inside an absmax block: the float32 graph on dequantized weights', MISALIGNED, null],
  ] as const)('%s, within 1e-4 of the reference', async (name, spec, graph) => {
    const random = randomModel(spec);
    const { dir, tensors } = await quantizedRandomModel(join(root, graph ?? 'dense-fallback'), random);
    const reference = referenceForward(random.rawConfig, tensors, TOKENS);
    // The 4-bit model is another model: a reference on the float32 weights would not pass the checks below.
    const unquantized = referenceForward(random.rawConfig, random.tensors, TOKENS).logits;
    expect(Math.max(...unquantized.map((row, t) => maxAbsDiff(row, reference.logits[t])))).toBeGreaterThan(1e-3);
    for (const mode of ['resident', 'streaming'] as const) {
      const onnx = await loadOnnx(dir, mode);
      models.push(onnx);
      const diff = await diffFromReference(onnx, TOKENS, reference);
      const decoded = await decoderDiffFromReference(onnx, TOKENS, DECODE_STEPS, reference);
      console.log(`phi3 onnx nf4 ${graph ?? 'dequantized'} ${mode}: max |logit - float64| ${diff.logits.toExponential(2)}, hidden ${diff.hidden.toExponential(2)}, decode ${decoded.toExponential(2)}`);
      expect(diff.logits, `${name} ${mode}`).toBeLessThan(TOLERANCE);
      expect(diff.hidden, `${name} ${mode}`).toBeLessThan(TOLERANCE);
      expect(decoded, `${name} ${mode} decoder`).toBeLessThan(TOLERANCE);
      const blockGraphs = (onnx.engine as OnnxEngine).graphs.filter((g) => g.startsWith('block'));
      if (graph) expect(blockGraphs).toContain(graph);
      else expect(blockGraphs.filter((g) => g.includes('nf4'))).toEqual([]);
    }
  });
});
