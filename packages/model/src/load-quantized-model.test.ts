// loadModel on the output of `layerprune quantize` (@layerprune/quant's
// quantizeModelDir: the bitsandbytes layout, quantization_config in config.json)
// of the bundled stories260K. The reference is a float32 model whose weights are
// the dequantized values, built here independently of the loader: every quantized
// weight of the original is quantized again with quant's quantize4bit /
// quantizeInt8Rowwise (its codes checked equal to the bytes on disk) and
// dequantized with dequantize4bit / dequantizeInt8Rowwise.
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultHeldoutFile, defaultModelDir } from '@layerprune/assets';
import {
  dequantize4bit,
  dequantizeInt8Rowwise,
  fourBitTensorNames,
  int8TensorNames,
  quantize4bit,
  quantizeInt8Rowwise,
  quantizeModelDir,
  type QuantType,
} from '@layerprune/quant';
import { openSafetensors, writeSafetensors, type TensorSource } from '@layerprune/tensor-io';
import { openModelDir } from '@layerprune/architectures';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from './backend/select-backend.js';
import type { ModelError } from './errors.js';
import type { LlamaModel } from './llama-model.js';
import { createModelFromProvider, loadModel } from './load-model.js';
import { maxAbsDiff, quietLog } from './testing/random-llama-model.js';
import { loadTokenizer } from './tokenizer/index.js';
import { HfWeightProvider } from './weights/hf-weight-provider.js';
import { readerFromMap, type InMemoryTensor } from './weights/tensor-reader.js';

const SOURCE = defaultModelDir();
const PROMPTS = [
  [1, 403, 407, 261, 378],
  [1, 76, 261, 499, 9, 300, 8, 333, 421, 290, 72, 287],
];

let root: string;
let documents: number[][];
let fp32: LlamaModel;

const failure = (promise: Promise<unknown>): Promise<ModelError> =>
  promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: unknown) => e as ModelError,
  );

/** Mean next-token NLL (nats) over every token of every document. */
async function heldOutLoss(model: LlamaModel): Promise<number> {
  const logProbs = await model.tokenLogProbs(documents);
  let sum = 0;
  let count = 0;
  for (const row of logProbs) {
    for (const v of row) sum -= v;
    count += row.length;
  }
  return sum / count;
}

async function allLogits(model: LlamaModel): Promise<Float32Array> {
  return (await model.forward(PROMPTS, { logits: 'all', hidden: 'none' })).logits!;
}

/** The original weights, each quantized weight replaced by its independently dequantized values; checks the codes on disk. */
async function dequantizedReference(quantizedDir: string, type: QuantType, doubleQuant: boolean): Promise<Map<string, InMemoryTensor>> {
  const source = await openModelDir(SOURCE);
  const stored = await openModelDir(quantizedDir);
  const tensors = new Map<string, InMemoryTensor>();
  try {
    for (const name of source.weights.names()) {
      const shape = source.weights.info(name).shape;
      const values = await source.weights.readFloat32(name);
      const linear = /^model\.layers\.\d+\.(self_attn|mlp)\.\w+_proj\.weight$/.test(name);
      if (!linear) {
        tensors.set(name, { shape, data: values });
        continue;
      }
      if (type === 'int8') {
        const state = quantizeInt8Rowwise(values, shape as [number, number]);
        expect(new Int8Array((await stored.weights.readRaw(name)).slice().buffer)).toEqual(state.weight);
        expect(await stored.weights.readFloat32(int8TensorNames(name).scb)).toEqual(state.scb);
        tensors.set(name, { shape, data: dequantizeInt8Rowwise(state) });
      } else {
        const state = quantize4bit(values, { type, blockSize: 64, doubleQuant, shape });
        expect(await stored.weights.readRaw(name)).toEqual(state.packed);
        const absmax = await stored.weights.readRaw(fourBitTensorNames(name, type).absmax);
        expect(absmax).toEqual(state.nested ? state.nested.codes : new Uint8Array(state.absmax!.buffer));
        tensors.set(name, { shape, data: dequantize4bit(state) });
      }
    }
  } finally {
    await source.close();
    await stored.close();
  }
  return tensors;
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'layerprune-quantized-load-'));
  await selectBackend('wasm', quietLog);
  const tokenizer = await loadTokenizer(SOURCE);
  // The first 20 documents (paragraphs) of the bundled held-out TinyStories text.
  const text = await readFile(defaultHeldoutFile(), 'utf8');
  const paragraphs = text
    .split(/\n\s*\n/)
    .map((p) => p.trim())
    .filter((p) => p !== '')
    .slice(0, 20);
  documents = paragraphs.map((p) => tokenizer.encode(p).slice(0, 512));
  fp32 = await loadModel(SOURCE, { log: quietLog });
});

afterAll(async () => {
  fp32?.dispose();
  await rm(root, { recursive: true, force: true });
});

// Measured on these 20 documents: fp32 1.5508; nf4 + double quant +0.119, nf4 +0.122, fp4 +0.228, int8 +0.002.
// 4-bit costs this much on a 64-wide model (relative RMSE 0.09 per weight); int8 stays within 0.05 nats.
const FORMATS: { type: QuantType; doubleQuant: boolean; maxLossIncrease: number; maxShardBytes?: number }[] = [
  { type: 'nf4', doubleQuant: true, maxLossIncrease: 0.15 },
  { type: 'nf4', doubleQuant: false, maxLossIncrease: 0.15 },
  { type: 'fp4', doubleQuant: false, maxLossIncrease: 0.3 },
  // Sharded (model.safetensors.index.json), as large checkpoints are.
  { type: 'int8', doubleQuant: false, maxLossIncrease: 0.05, maxShardBytes: 64 * 1024 },
];

describe('loadModel on a quantizeModelDir output of the bundled model', () => {
  const losses: Record<string, number> = {};

  for (const { type, doubleQuant, maxLossIncrease, maxShardBytes } of FORMATS) {
    const label = `${type}${doubleQuant ? ' + double quant' : ''}`;
    it(`${label}: logits equal the dequantized float32 model's; held-out loss measured against fp32`, async () => {
      const dir = join(root, `${type}${doubleQuant ? '-dq' : ''}`);
      await quantizeModelDir(SOURCE, dir, { type, doubleQuant, maxShardBytes });
      expect(existsSync(join(dir, 'model.safetensors.index.json'))).toBe(maxShardBytes !== undefined);
      const reference = await dequantizedReference(dir, type, doubleQuant);
      const rawConfig = JSON.parse(await readFile(join(SOURCE, 'config.json'), 'utf8')) as Record<string, unknown>;
      const source = await openModelDir(SOURCE);
      const config = source.config;
      await source.close();
      const expected = await createModelFromProvider(new HfWeightProvider(config, readerFromMap(reference)), { rawConfig, log: quietLog });

      for (const mode of ['resident', 'streaming'] as const) {
        const model = await loadModel(dir, { mode, weightCache: mode === 'streaming' ? 'none' : undefined, log: quietLog });
        try {
          expect(model.mode).toBe(mode);
          expect(maxAbsDiff(await allLogits(model), await allLogits(expected))).toBeLessThan(1e-4);
          const loss = await heldOutLoss(model);
          expect(Math.abs(loss - (await heldOutLoss(expected)))).toBeLessThan(1e-4);
          losses[label] = loss;
        } finally {
          model.dispose();
        }
      }
      expected.dispose();
      const base = await heldOutLoss(fp32);
      losses.fp32 = base;
      // Quantization error, not a loading error (the logits above are exact): the loss rises, within what the format costs.
      expect(losses[label] - base).toBeGreaterThan(-0.05);
      expect(losses[label] - base).toBeLessThan(maxLossIncrease);
      // The numbers the report quotes.
      console.log(`held-out loss, first 20 documents: fp32 ${base.toFixed(4)}, ${label} ${losses[label].toFixed(4)} (+${(losses[label] - base).toFixed(4)})`);
    });
  }

  it('greedy generation runs on the quantized model', async () => {
    const model = await loadModel(join(root, 'int8'), { log: quietLog });
    const ids = await model.generate(PROMPTS[0], { maxTokens: 20, temperature: 0 });
    model.dispose();
    expect(ids.length).toBeGreaterThan(0);
    expect(ids.length).toBeLessThanOrEqual(20);
  });
});

describe('a quantized directory whose logical tensors disagree with config.json', () => {
  let dir: string;
  beforeAll(async () => {
    dir = join(root, 'checks-nf4');
    await quantizeModelDir(SOURCE, dir, { type: 'nf4', doubleQuant: true });
  });

  async function copyWith(name: string, edit: (sources: TensorSource[]) => Promise<TensorSource[]>): Promise<string> {
    const out = join(root, name);
    await quantizeModelDir(SOURCE, out, { type: 'nf4', doubleQuant: true });
    const file = join(out, 'model.safetensors');
    const reader = await openSafetensors(file);
    const tensors = [...reader.tensors.values()];
    const bytes = new Map<string, Uint8Array>();
    for (const t of tensors) bytes.set(t.name, (await reader.readRaw(t.name)).slice());
    await reader.close();
    const sources: TensorSource[] = tensors.map((t) => ({ name: t.name, dtype: t.dtype, shape: t.shape, read: () => bytes.get(t.name)! }));
    await writeSafetensors(file, await edit(sources), { metadata: { format: 'pt' } });
    return out;
  }

  it('a missing 4-bit weight is TENSOR_MISSING naming it', async () => {
    const missing = 'model.layers.1.mlp.up_proj.weight';
    const out = await copyWith('missing', async (sources) => sources.filter((s) => s.name !== missing && !s.name.startsWith(`${missing}.`)));
    const error = await failure(loadModel(out, { log: quietLog }));
    expect(error).toMatchObject({ name: 'ModelError', code: 'TENSOR_MISSING', tensor: missing, expected: '[172, 64]', found: 'missing' });
  });

  it('a 4-bit weight whose quant_state shape differs from the config is SHAPE_MISMATCH naming it', async () => {
    // Same element count, so the packed byte count (all a header check sees) still fits: only the logical shape is wrong.
    const weight = 'model.layers.2.mlp.down_proj.weight';
    const stateName = fourBitTensorNames(weight, 'nf4').quantState;
    const out = await copyWith('misshapen', async (sources) =>
      sources.map((s) => {
        if (s.name !== stateName) return s;
        return {
          ...s,
          read: async () => {
            const json = Buffer.from((await s.read()) as Uint8Array).toString('utf8');
            expect(json).toContain('"shape": [64, 172]');
            return new TextEncoder().encode(json.replace('"shape": [64, 172]', '"shape": [172, 64]'));
          },
        };
      }),
    );
    const error = await failure(loadModel(out, { log: quietLog }));
    expect(error).toMatchObject({ name: 'ModelError', code: 'SHAPE_MISMATCH', tensor: weight, expected: '[64, 172]', found: '[172, 64]' });
    expect(error.message).toContain(weight);
  });

  it('a missing companion (absmax) is TENSOR_MISSING naming it, before any weight is read', async () => {
    const absmax = fourBitTensorNames('model.layers.0.self_attn.q_proj.weight', 'nf4').absmax;
    const out = await copyWith('no-absmax', async (sources) => sources.filter((s) => s.name !== absmax));
    expect(await failure(loadModel(out, { log: quietLog }))).toMatchObject({ code: 'TENSOR_MISSING', tensor: absmax });
  });

  it('the config.json of the quantized copy names its quantization (sanity of the fixture)', async () => {
    const config = JSON.parse(await readFile(join(dir, 'config.json'), 'utf8')) as { quantization_config: Record<string, unknown> };
    expect(config.quantization_config).toMatchObject({ quant_method: 'bitsandbytes', load_in_4bit: true, bnb_4bit_quant_type: 'nf4', bnb_4bit_use_double_quant: true });
  });
});
