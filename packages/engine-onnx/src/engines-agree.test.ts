// Acceptance: the ONNX engine gives the tfjs engine's logits, hidden states and
// log-probabilities within 1e-4 on random llama / mistral / qwen2 / qwen3 / gemma2 /
// gemma3_text / phi3 models (padded batches, skipped blocks, streaming, every
// supported rope scaling), and the same greedy tokens and decoder logits through
// the KV cache.
import { afterEach, describe, expect, it } from 'vitest';
import { maxAbsDiff, randomModelOnBothEngines } from './testing/random-models.js';
import type { EnginePair, RandomModelSpec } from './testing/random-models.js';

const TOLERANCE = 1e-4;
// Right-padded to 9: different lengths, so padding rows exist in every block.
const SEQUENCES = [
  [1, 3, 5, 7, 9, 11, 13, 15, 17],
  [1, 2, 4],
  [1, 40, 41, 42, 43, 44],
];

const CASES: [string, RandomModelSpec][] = [
  ['llama', { modelType: 'llama', numLayers: 3, seed: 11 }],
  ['llama with attention_bias and tied embeddings', { modelType: 'llama', attentionBias: true, tieWordEmbeddings: true, seed: 12 }],
  ['llama with llama3 rope scaling', { modelType: 'llama', ropeScaling: { rope_type: 'llama3', factor: 8, low_freq_factor: 1, high_freq_factor: 4, original_max_position_embeddings: 8 }, ropeTheta: 500000, seed: 13 }],
  ['llama with linear rope scaling', { modelType: 'llama', ropeScaling: { rope_type: 'linear', factor: 4 }, seed: 14 }],
  ['mistral with a sliding window shorter than the batch', { modelType: 'mistral', slidingWindow: 3, seed: 15 }],
  ['qwen2 with biases and a sliding window', { modelType: 'qwen2', slidingWindow: 4, numHeads: 4, numKvHeads: 1, seed: 16 }],
  ['grouped heads with a head_dim unlike hidden / heads', { modelType: 'llama', hiddenSize: 48, numHeads: 6, numKvHeads: 2, headDim: 16, seed: 17 }],
  ['qwen3 with q/k norms, head_dim unlike hidden / heads and tied embeddings', { modelType: 'qwen3', headDim: 16, tieWordEmbeddings: true, seed: 18 }],
  ['qwen3 with attention_bias and a sliding window', { modelType: 'qwen3', attentionBias: true, slidingWindow: 4, seed: 19 }],
  ['gemma2 with softcaps and a sliding window shorter than the batch', { modelType: 'gemma2', slidingWindow: 3, attnLogitSoftcap: 2, finalLogitSoftcap: 3, seed: 24 }],
  [
    'gemma3_text with local rope on sliding layers, linear scaling on full ones',
    { modelType: 'gemma3_text', slidingWindow: 3, slidingWindowPattern: 2, localRopeTheta: 100, ropeScaling: { rope_type: 'linear', factor: 4 }, seed: 25 },
  ],
  ['phi3 (fused qkv / gate_up served as seven modules) with a sliding window', { modelType: 'phi3', slidingWindow: 4, seed: 26 }],
];

let pair: EnginePair | null = null;
afterEach(() => {
  pair?.dispose();
  pair = null;
});

function expectClose(a: Float32Array | undefined, b: Float32Array | undefined, what: string): void {
  expect(a, what).toBeDefined();
  expect(b, what).toBeDefined();
  expect(a!.length, what).toBe(b!.length);
  expect(maxAbsDiff(a!, b!), what).toBeLessThan(TOLERANCE);
}

describe('onnx engine vs tfjs engine', () => {
  it.each(CASES)('%s: logits, hidden states and log-probs agree', async (_, spec) => {
    pair = await randomModelOnBothEngines(spec);
    expect(pair.onnx.engine.name).toBe('onnx');
    expect(pair.tfjs.engine.name).toBe('tfjs');
    for (const [logits, hidden] of [['all', 'all'], ['last', 'last']] as const) {
      const a = await pair.tfjs.forward(SEQUENCES, { logits, hidden });
      const b = await pair.onnx.forward(SEQUENCES, { logits, hidden });
      expectClose(a.logits, b.logits, `logits ${logits}`);
      expect(b.hidden).toHaveLength((spec.numLayers ?? 3) + 1);
      a.hidden!.forEach((h, l) => expectClose(h, b.hidden![l], `hidden ${hidden} x(${l})`));
    }
    const lpA = await pair.tfjs.tokenLogProbs(SEQUENCES);
    const lpB = await pair.onnx.tokenLogProbs(SEQUENCES);
    lpA.forEach((lp, i) => expectClose(lp, lpB[i], `log-probs of sequence ${i}`));
  });

  it('skipped blocks: the same as the tfjs engine, and x(l + 1) = x(l) at a skipped block', async () => {
    pair = await randomModelOnBothEngines({ modelType: 'llama', numLayers: 4, seed: 21 });
    const a = await pair.tfjs.forward(SEQUENCES, { logits: 'all', hidden: 'all', skipLayers: [1, 2] });
    const b = await pair.onnx.forward(SEQUENCES, { logits: 'all', hidden: 'all', skipLayers: [1, 2] });
    expectClose(a.logits, b.logits, 'logits');
    expect(b.hidden![2]).toEqual(b.hidden![1]);
    expect(b.hidden![3]).toEqual(b.hidden![1]);
    const full = await pair.onnx.forward(SEQUENCES, { logits: 'all' });
    expect(maxAbsDiff(full.logits!, b.logits!)).toBeGreaterThan(1e-3);
  });

  it('streaming weights give the resident results', async () => {
    pair = await randomModelOnBothEngines({ modelType: 'qwen2', seed: 22 }, { mode: 'resident', onnxMode: 'streaming' });
    expect(pair.onnx.mode).toBe('streaming');
    const a = await pair.tfjs.forward(SEQUENCES, { logits: 'all', hidden: 'all' });
    const b = await pair.onnx.forward(SEQUENCES, { logits: 'all', hidden: 'all' });
    expectClose(a.logits, b.logits, 'logits');
    a.hidden!.forEach((h, l) => expectClose(h, b.hidden![l], `hidden x(${l})`));
  });

  it.each([
    ['resident', 'qwen2'],
    ['streaming', 'qwen2'],
    // Gemma 3: the q/k norms and the feed-forward norms must be copied too.
    ['resident', 'gemma3_text'],
  ] as const)('%s %s: a provider that refills the same buffers for every block gives the same results', async (mode, modelType) => {
    pair = await randomModelOnBothEngines({ modelType, numLayers: 4, seed: 23 }, { mode: 'resident', onnxMode: mode, onnxRefills: true });
    const a = await pair.tfjs.forward(SEQUENCES, { logits: 'all', hidden: 'all' });
    // The second pass is the one that reads kept blocks (resident) or re-reads them (streaming).
    await pair.onnx.forward(SEQUENCES, { logits: 'all', hidden: 'all' });
    const b = await pair.onnx.forward(SEQUENCES, { logits: 'all', hidden: 'all' });
    expectClose(a.logits, b.logits, 'logits');
    a.hidden!.forEach((h, l) => expectClose(h, b.hidden![l], `hidden x(${l})`));
  });

  it.each([
    ['llama', { modelType: 'llama', seed: 31 }],
    ['mistral with a window shorter than the generation', { modelType: 'mistral', slidingWindow: 4, seed: 32 }],
    ['qwen2 with a skipped block', { modelType: 'qwen2', seed: 33 }],
    ['qwen3 (q/k norms on the cached keys)', { modelType: 'qwen3', headDim: 16, seed: 34 }],
    ['gemma2 (softcaps, windows shorter than the generation)', { modelType: 'gemma2', slidingWindow: 3, attnLogitSoftcap: 2, finalLogitSoftcap: 3, seed: 35 }],
    ['gemma3_text (per-layer rope) with a skipped block', { modelType: 'gemma3_text', slidingWindow: 3, slidingWindowPattern: 2, localRopeTheta: 100, seed: 36 }],
  ] as [string, RandomModelSpec][])('%s: KV-cache decoding gives the same logits and greedy tokens', async (name, spec) => {
    pair = await randomModelOnBothEngines(spec);
    const skipLayers = name.includes('skipped') ? [1] : [];
    const prompt = [1, 5, 9, 2];
    const decoders = [pair.tfjs.engine.createDecoder({ skipLayers: new Set(skipLayers) }), pair.onnx.engine.createDecoder({ skipLayers: new Set(skipLayers) })];
    // A multi-token prefill, then single tokens: every step's logits agree.
    const steps = [prompt, [7], [3], [11, 12], [4]];
    for (const step of steps) {
      const [a, b] = await Promise.all(decoders.map((d) => d.append(step)));
      expectClose(a, b, `decoder logits after ${JSON.stringify(step)}`);
    }
    decoders.forEach((d) => d.dispose());
    const options = { maxTokens: 12, temperature: 0, stopAtEos: false, skipLayers };
    expect(await pair.onnx.generate(prompt, options)).toEqual(await pair.tfjs.generate(prompt, options));
  });
});
