// An engine-wide linear delta (an unmerged adapter) applies to forward, tokenLogProbs and generate.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { selectBackend } from '../backend/select-backend.js';
import { createRng } from '../generate/create-rng.js';
import { maxAbsDiff, quietLog, randomLlamaModel, row } from '../testing/random-llama-model.js';
import { referenceForward } from '../testing/reference-forward.js';
import { argmax } from '../generate/sample-token.js';
import { matMul2d } from './mat-mul.js';
import type { TfjsEngine } from './tfjs-engine.js';

const TOKENS = [1, 4, 9, 16, 25, 36];

describe('TfjsEngine.linearDelta', () => {
  it('equals adding the delta to the weight, in forward and in generate', async () => {
    await selectBackend('wasm', quietLog);
    const { model, random } = await randomLlamaModel({ modelType: 'mistral', numLayers: 2, seed: 81 });
    const { intermediateSize: I, hiddenSize: H, vocabSize: V } = random.config;
    const rng = createRng(3);
    const delta = Float32Array.from({ length: I * H }, () => (rng() - 0.5) * 0.2); // [in, out]
    const deltaTensor = tf.tensor2d(delta, [I, H]);
    const engine = model.engine as TfjsEngine;
    engine.linearDelta = (layer, module, input) => (layer === 1 && module === 'down_proj' ? matMul2d(input, deltaTensor) : null);

    const tensors = new Map(random.tensors);
    const name = 'model.layers.1.mlp.down_proj.weight';
    const folded = Float32Array.from(random.tensors.get(name)!.data); // [out, in]
    for (let o = 0; o < H; o++) for (let i = 0; i < I; i++) folded[o * I + i] += delta[i * H + o];
    tensors.set(name, { shape: [H, I], data: folded });
    const ref = referenceForward(random.rawConfig, tensors, TOKENS);

    const out = await model.forward([TOKENS], { logits: 'all' });
    TOKENS.forEach((_, t) => expect(maxAbsDiff(row(out.logits!, t, V), ref.logits[t])).toBeLessThan(1e-4));
    const [next] = await model.generate(TOKENS, { maxTokens: 1, temperature: 0, stopAtEos: false });
    expect(next).toBe(argmax(ref.logits[TOKENS.length - 1]));

    engine.linearDelta = null;
    const plain = await model.forward([TOKENS], { logits: 'last' });
    expect(maxAbsDiff(plain.logits!, referenceForward(random.rawConfig, random.tensors, TOKENS).logits[TOKENS.length - 1])).toBeLessThan(1e-4);
    deltaTensor.dispose();
    model.dispose();
  });
});
