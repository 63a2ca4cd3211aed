// 4-bit models on the ONNX engine: the output of `layerprune quantize` (the
// bitsandbytes layout, as @layerprune/quant writes and transformers +
// bitsandbytes save) runs through com.microsoft MatMulBnb4 with the packed
// weights fed as stored, and gives the tfjs engine's results (which dequantizes
// every weight to float32) within 1e-4; int8 directories run dequantized.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultModelDir } from '@layerprune/assets';
import { loadModel, tfjsEngineFactory } from '@layerprune/model';
import type { LlamaModel, WeightMode } from '@layerprune/model';
import { quantizeModelDir } from '@layerprune/quant';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OnnxEngine } from './onnx-engine.js';
import { onnxEngineFactory } from './onnx-engine-factory.js';
import { maxAbsDiff, quietLog } from './testing/random-models.js';

const PROMPTS = [
  [1, 403, 407, 261, 378, 290, 72, 287, 9],
  [1, 76, 261, 499, 9, 300],
];

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'engine-onnx-4bit-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe.each([
  ['nf4 with double quantization', { type: 'nf4', doubleQuant: true }, 'block_nf4_64'],
  ['fp4', { type: 'fp4', doubleQuant: false }, 'block_fp4_64'],
  ['int8 (dequantized: no 4-bit matmul)', { type: 'int8', doubleQuant: false }, null],
] as const)('%s', (_name, options, graph) => {
  let dir: string;
  const models: LlamaModel[] = [];
  beforeAll(async () => {
    dir = join(root, options.type + String(options.doubleQuant));
    await quantizeModelDir(defaultModelDir(), dir, options);
  });
  afterAll(() => models.forEach((m) => m.dispose()));

  const load = async (engine: 'onnx' | 'tfjs', mode: WeightMode): Promise<LlamaModel> => {
    const model = await loadModel(dir, { engine: engine === 'onnx' ? onnxEngineFactory({ threads: 2 }) : tfjsEngineFactory('wasm'), mode, log: quietLog });
    models.push(model);
    return model;
  };

  it.each(['resident', 'streaming'] as const)('%s: logits and hidden states equal the tfjs engine to 1e-4, through the expected graph', async (mode) => {
    const tfjs = await load('tfjs', 'resident');
    const onnx = await load('onnx', mode);
    const a = await tfjs.forward(PROMPTS, { logits: 'all', hidden: 'all' });
    const b = await onnx.forward(PROMPTS, { logits: 'all', hidden: 'all' });
    expect(maxAbsDiff(a.logits!, b.logits!)).toBeLessThan(1e-4);
    a.hidden!.forEach((h, l) => expect(maxAbsDiff(h, b.hidden![l]), `x(${l})`).toBeLessThan(1e-4));
    const graphs = (onnx.engine as OnnxEngine).graphs;
    if (graph) expect(graphs).toContain(graph);
    else expect(graphs.filter((g) => g.startsWith('block_'))).toEqual([]);
    expect(await onnx.generate(PROMPTS[0], { maxTokens: 16, temperature: 0 })).toEqual(await tfjs.generate(PROMPTS[0], { maxTokens: 16, temperature: 0 }));
  });
});
