import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../backend/select-backend.js';
import type { Decoder, Engine } from '../engine.js';
import { quietLog, randomLlamaModel } from '../testing/random-llama-model.js';
import type { LlamaModel } from '../llama-model.js';
import { generateTokens } from './generate-tokens.js';
import { argmax } from './sample-token.js';

const PROMPT = [1, 9, 4, 30];

/** Greedy continuation computed the slow way: a full forward pass per step, no cache. */
async function greedyWithoutCache(model: LlamaModel, prompt: number[], steps: number): Promise<number[]> {
  const sequence = [...prompt];
  const out: number[] = [];
  for (let i = 0; i < steps; i++) {
    const { logits } = await model.forward([sequence], { logits: 'last' });
    const next = argmax(logits!);
    out.push(next);
    sequence.push(next);
  }
  return out;
}

describe('generate with a KV cache', () => {
  let mistral: LlamaModel;
  let qwen: LlamaModel;
  let qwen3: LlamaModel;
  beforeAll(async () => {
    await selectBackend('wasm', quietLog);
    // Sliding window 3 < sequence length: the cache must mask old keys exactly like the full pass.
    mistral = (await randomLlamaModel({ modelType: 'mistral', slidingWindow: 3, vocabSize: 40, seed: 51 })).model;
    qwen = (await randomLlamaModel({ modelType: 'qwen2', vocabSize: 40, seed: 52 }, { mode: 'streaming' })).model;
    qwen3 = (await randomLlamaModel({ modelType: 'qwen3', headDim: 16, vocabSize: 40, seed: 53 })).model;
  });
  afterAll(() => {
    mistral.dispose();
    qwen.dispose();
    qwen3.dispose();
  });

  it('greedy decoding equals argmax of a full forward pass at every step (mistral, sliding window)', async () => {
    const tensorsBefore = tf.memory().numTensors;
    const cached = await mistral.generate(PROMPT, { maxTokens: 10, temperature: 0, stopAtEos: false });
    expect(tf.memory().numTensors).toBe(tensorsBefore); // the KV cache is released
    expect(cached).toHaveLength(10);
    expect(cached).toEqual(await greedyWithoutCache(mistral, PROMPT, 10));
  });

  it('greedy decoding equals the full forward pass in streaming mode (qwen2, biases)', async () => {
    const cached = await qwen.generate(PROMPT, { maxTokens: 8, temperature: 0, stopAtEos: false });
    expect(cached).toEqual(await greedyWithoutCache(qwen, PROMPT, 8));
  });

  it('greedy decoding equals the full forward pass (qwen3, q/k norms on the cached keys)', async () => {
    const cached = await qwen3.generate(PROMPT, { maxTokens: 8, temperature: 0, stopAtEos: false });
    expect(cached).toEqual(await greedyWithoutCache(qwen3, PROMPT, 8));
  });

  it('sampling is reproducible for a seed and varies with it', async () => {
    const options = { maxTokens: 12, temperature: 1.5, topP: 1, stopAtEos: false };
    const a = await mistral.generate(PROMPT, { ...options, seed: 7 });
    const b = await mistral.generate(PROMPT, { ...options, seed: 7 });
    const c = await mistral.generate(PROMPT, { ...options, seed: 8 });
    expect(a).toEqual(b);
    expect(c).not.toEqual(a);
  });

  it('rejects invalid options', async () => {
    await expect(mistral.generate(PROMPT, { topP: 0 })).rejects.toMatchObject({ code: 'INVALID_OPTION', field: 'topP' });
    await expect(mistral.generate(PROMPT, { temperature: -1 })).rejects.toMatchObject({ code: 'INVALID_OPTION' });
    await expect(mistral.generate([])).rejects.toMatchObject({ code: 'INVALID_TOKENS' });
  });
});

/** An engine whose decoder makes `script[step]` the argmax at each step. */
function scriptedEngine(script: number[], vocab: number): Engine & { appended: number[][] } {
  const appended: number[][] = [];
  let step = 0;
  const decoder: Decoder = {
    length: 0,
    async append(tokens) {
      appended.push(tokens);
      (decoder as { length: number }).length += tokens.length;
      const logits = new Float32Array(vocab);
      logits[script[step++]] = 10;
      return logits;
    },
    dispose() {},
  };
  return { appended, createDecoder: () => decoder } as unknown as Engine & { appended: number[][] };
}

describe('generateTokens stopping rules', () => {
  it('stops before an EOS id and feeds each new token back', async () => {
    const engine = scriptedEngine([5, 6, 2, 7], 10);
    const out = await generateTokens(engine, [1, 3], { temperature: 0, maxTokens: 10 }, { eosIds: new Set([2]), maxPositions: 100 });
    expect(out).toEqual([5, 6]);
    expect(engine.appended).toEqual([[1, 3], [5], [6]]);
  });

  it('continues through EOS when stopAtEos is false, up to maxTokens', async () => {
    const engine = scriptedEngine([5, 2, 7, 8], 10);
    const out = await generateTokens(engine, [1], { temperature: 0, maxTokens: 3, stopAtEos: false }, { eosIds: new Set([2]), maxPositions: 100 });
    expect(out).toEqual([5, 2, 7]);
  });

  it('stops at max_position_embeddings', async () => {
    const engine = scriptedEngine([5, 6, 7, 8], 10);
    const out = await generateTokens(engine, [1, 3], { temperature: 0, maxTokens: 10 }, { eosIds: new Set(), maxPositions: 4 });
    expect(out).toEqual([5, 6]);
  });
});
