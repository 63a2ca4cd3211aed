// Qwen3 (per-head RMSNorm of q and k before the rotary embedding) on both
// engines against @layerprune/model's independent float64 forward: logits within
// 1e-4, for a random tiny model with grouped kv heads, head_dim unlike
// hidden / heads and tied embeddings, and one with attention_bias (q/k/v/o
// biases) and a sliding window; a 4-bit directory runs the MatMulBnb4 graph with
// the q/k norms fed in float32 and gives the tfjs engine's results. The onnx
// trainer has no q/k norm backward yet: `auto` trains qwen3 on tfjs, saying why.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chooseTrainer, tfjsTrainerFactory } from '@layerprune/lora';
import { loadModel, tfjsEngineFactory } from '@layerprune/model';
import type { LlamaModel } from '@layerprune/model';
import { quantizeModelDir } from '@layerprune/quant';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { OnnxEngine } from './onnx-engine.js';
import { onnxEngineFactory } from './onnx-engine-factory.js';
import { onnxTrainerFactory } from './training/onnx-trainer-factory.js';
import { maxAbsDiff, quietLog, randomModel, randomModelOnBothEngines, referenceForward, writeRandomModelDir } from './testing/random-models.js';
import type { EnginePair, RandomModelSpec } from './testing/random-models.js';

const TOKENS = [1, 5, 9, 33, 2, 17, 40, 8, 11, 3, 29, 44];

let pair: EnginePair | null = null;
afterEach(() => {
  pair?.dispose();
  pair = null;
});

/** Largest |logit - float64 reference| over every position, for one engine's model. */
async function referenceDiff(model: LlamaModel, reference: Float64Array[], vocab: number): Promise<number> {
  const { logits } = await model.forward([TOKENS], { logits: 'all' });
  let worst = 0;
  reference.forEach((row, t) => (worst = Math.max(worst, maxAbsDiff(logits!.subarray(t * vocab, (t + 1) * vocab), row))));
  return worst;
}

describe('qwen3 on both engines vs the float64 reference', () => {
  it.each<[string, RandomModelSpec]>([
    ['grouped kv heads, head_dim 16 with hidden 32 / 4 heads, tied embeddings', { modelType: 'qwen3', headDim: 16, tieWordEmbeddings: true, seed: 41 }],
    ['attention_bias (q/k/v/o biases), one kv head, sliding window 4', { modelType: 'qwen3', attentionBias: true, numKvHeads: 1, slidingWindow: 4, seed: 42 }],
  ])('%s: logits within 1e-4', async (name, spec) => {
    pair = await randomModelOnBothEngines(spec);
    const { random } = pair;
    const reference = referenceForward(random.rawConfig, random.tensors, TOKENS).logits;
    const tfjs = await referenceDiff(pair.tfjs, reference, random.config.vocabSize);
    const onnx = await referenceDiff(pair.onnx, reference, random.config.vocabSize);
    console.log(`qwen3 ${name}: max |logit - float64| tfjs ${tfjs.toExponential(2)}, onnx ${onnx.toExponential(2)}`);
    expect(tfjs).toBeLessThan(1e-4);
    expect(onnx).toBeLessThan(1e-4);
    // Without the q/k norms the model is another one: the check above would see it.
    const plain = referenceForward({ ...random.rawConfig, model_type: 'qwen2' }, random.tensors, TOKENS).logits;
    expect(Math.max(...plain.map((row, t) => maxAbsDiff(row, reference[t])))).toBeGreaterThan(1e-2);
  });
});

describe('qwen3 4-bit (nf4) directory', () => {
  let root: string;
  const models: LlamaModel[] = [];
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'engine-onnx-qwen3-'));
  });
  afterAll(async () => {
    models.forEach((m) => m.dispose());
    await rm(root, { recursive: true, force: true });
  });

  it('runs the MatMulBnb4 graph with the q/k norms and equals the tfjs engine to 1e-4', async () => {
    // hidden 64, head_dim 16: every linear weight is a whole number of 64-value blocks.
    const random = randomModel({ modelType: 'qwen3', hiddenSize: 64, numHeads: 4, numKvHeads: 2, headDim: 16, intermediateSize: 128, seed: 43 });
    const dense = join(root, 'dense');
    await writeRandomModelDir(dense, random);
    const quantized = join(root, 'nf4');
    await quantizeModelDir(dense, quantized, { type: 'nf4', doubleQuant: true });
    const tfjs = await loadModel(quantized, { engine: tfjsEngineFactory('wasm'), mode: 'resident', log: quietLog });
    models.push(tfjs);
    for (const mode of ['resident', 'streaming'] as const) {
      const onnx = await loadModel(quantized, { engine: onnxEngineFactory({ threads: 2 }), mode, log: quietLog });
      models.push(onnx);
      const a = await tfjs.forward([TOKENS], { logits: 'all' });
      const b = await onnx.forward([TOKENS], { logits: 'all' });
      expect(maxAbsDiff(a.logits!, b.logits!), mode).toBeLessThan(1e-4);
      expect((onnx.engine as OnnxEngine).graphs).toContain('block_nf4_64');
      expect(await onnx.generate(TOKENS.slice(0, 4), { maxTokens: 8, temperature: 0, stopAtEos: false })).toEqual(
        await tfjs.generate(TOKENS.slice(0, 4), { maxTokens: 8, temperature: 0, stopAtEos: false }),
      );
    }
  });
});

describe('training a qwen3 model', () => {
  it('auto (onnx, then tfjs) trains it on onnx: the training graphs carry the q/k norms (gradients: training/onnx-lora-trainer.test.ts)', async () => {
    const config = randomModel({ modelType: 'qwen3', seed: 44 }).config;
    expect(config.qkNorm).toBe(true);
    const onnx = onnxTrainerFactory({ threads: 1 });
    expect(onnx.unsupportedReason(config, 4, 64)).toBeNull();
    const lines: string[] = [];
    const { prepared, skipped } = await chooseTrainer([onnx, tfjsTrainerFactory('cpu')], config, 4, 64, 'qwen3', (line) => lines.push(line));
    expect(prepared.name).toBe('onnx');
    expect(skipped).toEqual([]);
    expect(lines.join('\n')).toContain('training engine onnx on cpu');
  });
});
