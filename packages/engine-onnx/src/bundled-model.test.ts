// Acceptance on the bundled stories260K (and the BabyLlama test model): the ONNX
// engine reproduces llama2.c's greedy text, the tfjs engine's logits and hidden
// states to 1e-4, and its held-out loss to 1e-5.
import { readFile } from 'node:fs/promises';
import { defaultHeldoutFile, defaultModelDir, testModelDir } from '@layerprune/assets';
import { loadModel, loadTokenizer, tfjsEngineFactory } from '@layerprune/model';
import type { LlamaModel } from '@layerprune/model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { onnxEngineFactory } from './onnx-engine-factory.js';
import { maxAbsDiff, quietLog } from './testing/random-models.js';

// llama2.c doc/stories260K.md, `./run stories260K.bin -z tok512.bin -t 0 -i "Once upon a time"`.
const EXPECTED_PREFIX =
  'Once upon a time, there was a little girl named Lily. She loved to play outside in the park. One day, she saw a big, red ball. She wanted to play with it, but it was too high.\nLily';

async function heldoutBatch(dir: string, sequences: number, length: number): Promise<number[][]> {
  const tokenizer = await loadTokenizer(dir);
  const documents = (await readFile(defaultHeldoutFile(), 'utf8')).split(/\n\s*\n/).filter((d) => d.trim().length > 0);
  // Different lengths, so the batch is padded.
  return documents.slice(0, sequences).map((d, i) => tokenizer.encode(d).slice(0, length - 5 * i));
}

/** Mean negative log-likelihood per predicted token. */
function meanNll(logProbs: Float32Array[]): number {
  let sum = 0;
  let count = 0;
  for (const lp of logProbs) {
    for (const v of lp) {
      sum -= v;
      count++;
    }
  }
  return sum / count;
}

describe.each([
  ['stories260K', defaultModelDir()],
  ['babyllama-tok105', testModelDir('babyllama-tok105')],
])('%s on the onnx engine', (_, dir) => {
  let tfjs: LlamaModel;
  let onnx: LlamaModel;
  beforeAll(async () => {
    tfjs = await loadModel(dir, { engine: tfjsEngineFactory('wasm'), log: quietLog });
    onnx = await loadModel(dir, { engine: onnxEngineFactory({ threads: 2 }), log: quietLog });
  });
  afterAll(() => {
    tfjs.dispose();
    onnx.dispose();
  });

  it('gives the tfjs logits and hidden states to 1e-4 on a padded held-out batch', async () => {
    const batch = await heldoutBatch(dir, 6, 96);
    expect(new Set(batch.map((s) => s.length)).size).toBeGreaterThan(1);
    const a = await tfjs.forward(batch, { logits: 'all', hidden: 'all' });
    const b = await onnx.forward(batch, { logits: 'all', hidden: 'all' });
    // Padded rows are meaningless: compare real positions only.
    const V = a.vocabSize;
    let logitDiff = 0;
    batch.forEach((seq, s) => {
      const from = s * a.maxLength * V;
      logitDiff = Math.max(logitDiff, maxAbsDiff(a.logits!.subarray(from, from + seq.length * V), b.logits!.subarray(from, from + seq.length * V)));
    });
    expect(logitDiff).toBeLessThan(1e-4);
    a.hidden!.forEach((h, l) => expect(maxAbsDiff(h, b.hidden![l]), `x(${l})`).toBeLessThan(1e-4));
  });

  it('gives the tfjs held-out loss to 1e-5', async () => {
    const batch = await heldoutBatch(dir, 16, 256);
    const lossTfjs = meanNll(await tfjs.tokenLogProbs(batch));
    const lossOnnx = meanNll(await onnx.tokenLogProbs(batch));
    expect(lossTfjs).toBeGreaterThan(0.5);
    expect(Math.abs(lossOnnx - lossTfjs)).toBeLessThan(1e-5);
  });

  it('generates the same greedy text as the tfjs engine', async () => {
    const tokenizer = await loadTokenizer(dir);
    const prompt = tokenizer.encode('Once upon a time');
    const options = { maxTokens: 64, temperature: 0 };
    const generated = await onnx.generate(prompt, options);
    expect(generated).toEqual(await tfjs.generate(prompt, options));
    if (dir === defaultModelDir()) expect(tokenizer.decode([...prompt, ...generated]).startsWith(EXPECTED_PREFIX)).toBe(true);
  });
});
