import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from './backend/select-backend.js';
import type { LlamaModel } from './llama-model.js';
import { maxAbsDiff, quietLog, randomLlamaModel, row } from './testing/random-llama-model.js';
import type { RandomModelSpec } from './testing/random-model.js';
import { referenceForward } from './testing/reference-forward.js';

const SPEC: RandomModelSpec = { modelType: 'qwen2', numLayers: 3, numHeads: 4, numKvHeads: 2, seed: 21 };
const SEQUENCES = [
  [1, 4, 7, 9, 12, 30, 2],
  [1, 40],
  [1, 8, 8, 8, 23],
];

describe('padded batches, streaming and log-probs', () => {
  let resident: LlamaModel;
  let streaming: LlamaModel;
  beforeAll(async () => {
    await selectBackend('wasm', quietLog);
    resident = (await randomLlamaModel(SPEC, { mode: 'resident' })).model;
    streaming = (await randomLlamaModel(SPEC, { mode: 'streaming' })).model;
  });
  afterAll(() => {
    resident.dispose();
    streaming.dispose();
  });

  it('a right-padded batch gives each sequence the results it gets alone', async () => {
    const V = resident.config.vocabSize;
    const H = resident.config.hiddenSize;
    const batched = await resident.forward(SEQUENCES, { logits: 'all', hidden: 'last' });
    expect(batched.maxLength).toBe(7);
    expect(batched.lengths).toEqual([7, 2, 5]);
    for (let b = 0; b < SEQUENCES.length; b++) {
      const alone = await resident.forward([SEQUENCES[b]], { logits: 'all', hidden: 'last' });
      for (let t = 0; t < SEQUENCES[b].length; t++) {
        expect(maxAbsDiff(row(batched.logits!, b * 7 + t, V), row(alone.logits!, t, V))).toBeLessThan(1e-5);
      }
      for (let l = 0; l <= resident.config.numHiddenLayers; l++) {
        expect(maxAbsDiff(row(batched.hidden![l], b, H), alone.hidden![l])).toBeLessThan(1e-5);
      }
    }
  });

  it("logits 'last' are the logits at each sequence's last real token", async () => {
    const V = resident.config.vocabSize;
    const all = await resident.forward(SEQUENCES, { logits: 'all' });
    const last = await resident.forward(SEQUENCES, { logits: 'last' });
    SEQUENCES.forEach((seq, b) => {
      expect(maxAbsDiff(row(last.logits!, b, V), row(all.logits!, b * 7 + seq.length - 1, V))).toBeLessThan(1e-6);
    });
  });

  it('streaming mode (one block materialised at a time) matches resident mode', async () => {
    expect(resident.mode).toBe('resident');
    expect(streaming.mode).toBe('streaming');
    const a = await resident.forward(SEQUENCES, { logits: 'all', hidden: 'all' });
    const b = await streaming.forward(SEQUENCES, { logits: 'all', hidden: 'all' });
    expect(maxAbsDiff(a.logits!, b.logits!)).toBe(0);
    a.hidden!.forEach((h, l) => expect(maxAbsDiff(h, b.hidden![l])).toBe(0));
  });

  it('tokenLogProbs are the float64 reference log-softmax at the next token', async () => {
    const { model, random } = await randomLlamaModel(SPEC);
    try {
      const logProbs = await model.tokenLogProbs(SEQUENCES);
      expect(logProbs.map((l) => l.length)).toEqual([6, 1, 4]);
      SEQUENCES.forEach((seq, b) => {
        const ref = referenceForward(random.rawConfig, random.tensors, seq);
        const expected = seq.slice(1).map((next, t) => {
          const logits = ref.logits[t];
          const max = Math.max(...logits);
          const lse = max + Math.log(logits.reduce((s, v) => s + Math.exp(v - max), 0));
          return logits[next] - lse;
        });
        expect(maxAbsDiff(logProbs[b], expected)).toBeLessThan(1e-4);
      });
    } finally {
      model.dispose();
    }
  });

  it('rejects empty sequences, out-of-range tokens and skipLayers', async () => {
    await expect(resident.forward([[1, 2], []])).rejects.toMatchObject({ code: 'INVALID_TOKENS' });
    await expect(resident.forward([[1, 999]])).rejects.toMatchObject({ code: 'INVALID_TOKENS', limit: 50 });
    await expect(resident.forward([[1, 2]], { skipLayers: [3] })).rejects.toMatchObject({ code: 'LAYER_OUT_OF_RANGE' });
  });
});
