// One random model on the tfjs engine against the independent float64 reference
// (reference-forward.ts): the largest |difference| of the logits and of every block
// input over `tokens`, and of the KV-cache decoder's logits (a prompt chunk, then
// one token per call, so past keys go through sliding masks and rope offsets).
import type { WeightMode } from '../engine.js';
import { maxAbsDiff, randomLlamaModel, row } from './random-llama-model.js';
import type { RandomModelSpec } from './random-model.js';
import { referenceForward } from './reference-forward.js';

export interface ReferenceDiffs {
  logits: number;
  hidden: number;
  decode: number;
}

export async function compareWithReference(spec: RandomModelSpec, tokens: number[], prompt: number, mode: WeightMode = 'resident'): Promise<ReferenceDiffs> {
  const { model, random } = await randomLlamaModel(spec, { mode });
  try {
    const ref = referenceForward(random.rawConfig, random.tensors, tokens);
    const out = await model.forward([tokens], { logits: 'all', hidden: 'all' });
    const { vocabSize: V, hiddenSize: H, numHiddenLayers } = random.config;
    if (out.hidden?.length !== numHiddenLayers + 1) throw new Error(`expected ${numHiddenLayers + 1} hidden states, got ${out.hidden?.length}`);
    const d: ReferenceDiffs = { logits: 0, hidden: 0, decode: 0 };
    tokens.forEach((_, t) => {
      d.logits = Math.max(d.logits, maxAbsDiff(row(out.logits!, t, V), ref.logits[t]));
      ref.hidden.forEach((layer, l) => (d.hidden = Math.max(d.hidden, maxAbsDiff(row(out.hidden![l], t, H), layer[t]))));
    });
    const decoder = model.engine.createDecoder();
    try {
      d.decode = maxAbsDiff(await decoder.append(tokens.slice(0, prompt)), ref.logits[prompt - 1]);
      for (let t = prompt; t < tokens.length; t++) d.decode = Math.max(d.decode, maxAbsDiff(await decoder.append([tokens[t]]), ref.logits[t]));
    } finally {
      decoder.dispose();
    }
    return d;
  } finally {
    model.dispose();
  }
}
