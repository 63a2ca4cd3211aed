// A 4-bit (NF4, double-quantized) Phi-3 directory from @layerprune/quant's
// quantizeModelDir, which quantizes the fused qkv_proj / gate_up_proj whole as
// bitsandbytes does. Reference: the float64 forward over weights quantized and
// dequantized here with quant's quantize4bit / dequantize4bit, tensor by tensor,
// independently of the loader. Also the packed blocks (getPackedBlockWeights):
// split by rows when every module starts on an absmax block, else null.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openModelDir } from '@layerprune/architectures';
import { dequantize4bit, NF4_CODE, openQuantizedWeights, quantize4bit, quantizeModelDir, tensorCategory } from '@layerprune/quant';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from './backend/select-backend.js';
import { loadModel } from './load-model.js';
import type { RandomModelSpec } from './testing/random-model.js';
import { randomModel } from './testing/random-model.js';
import { maxAbsDiff, quietLog, row } from './testing/random-llama-model.js';
import { referenceForward } from './testing/reference-forward.js';
import { writeRandomModelDir } from './testing/write-random-model-dir.js';
import { LINEAR_MODULES, type Packed4bitLinear } from './weights/block-weights.js';
import { HfWeightProvider } from './weights/hf-weight-provider.js';
import { readerFromQuantizedWeights } from './weights/quantized-tensor-reader.js';
import type { InMemoryTensor } from './weights/tensor-reader.js';

const TOKENS = [1, 5, 9, 33, 2, 17, 40, 8, 11, 3, 29, 44];
/** hidden 32: q rows 32, k from row 32, v from row 48, up from row 48; each start * 32 is a multiple of 64. */
const ALIGNED: RandomModelSpec = { modelType: 'phi3', hiddenSize: 32, numHeads: 4, numKvHeads: 2, intermediateSize: 48, slidingWindow: 5, seed: 81 };
/** hidden 20: k starts at row 20, element 400, inside the 7th absmax block. */
const MISALIGNED: RandomModelSpec = { modelType: 'phi3', hiddenSize: 20, numHeads: 2, numKvHeads: 1, headDim: 10, intermediateSize: 40, seed: 82 };

let root: string;
let counter = 0;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'layerprune-phi3-4bit-'));
  await selectBackend('wasm', quietLog);
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** A random phi3 written and quantized to NF4; the stored float32 weights and their independently dequantized copy. */
async function quantizedPhi3(spec: RandomModelSpec) {
  const random = randomModel(spec);
  const dir = join(root, `dense-${counter}`);
  const quantized = join(root, `nf4-${counter++}`);
  const stored = await writeRandomModelDir(dir, random);
  await quantizeModelDir(dir, quantized, { type: 'nf4', doubleQuant: true });
  const dequantized = new Map<string, InMemoryTensor>();
  for (const [name, { shape, data }] of stored) {
    const quantize = tensorCategory(name, shape) === 'block-linear';
    dequantized.set(name, { shape, data: quantize ? dequantize4bit(quantize4bit(data, { type: 'nf4', blockSize: 64, doubleQuant: true, shape })) : data });
  }
  return { random, stored, dequantized, quantized };
}

/** Largest logit and block-input differences of the 4-bit directory against the reference over `weights`. */
async function diffs(dir: string, raw: Record<string, unknown>, weights: Map<string, InMemoryTensor>, mode: 'resident' | 'streaming') {
  const model = await loadModel(dir, { mode, weightCache: mode === 'streaming' ? 'none' : undefined, log: quietLog });
  try {
    const ref = referenceForward(raw, weights, TOKENS);
    const out = await model.forward([TOKENS], { logits: 'all', hidden: 'all' });
    const V = raw.vocab_size as number;
    const H = raw.hidden_size as number;
    let logits = 0;
    let hidden = 0;
    TOKENS.forEach((_, t) => {
      logits = Math.max(logits, maxAbsDiff(row(out.logits!, t, V), ref.logits[t]));
      ref.hidden.forEach((layer, l) => (hidden = Math.max(hidden, maxAbsDiff(row(out.hidden![l], t, H), layer[t]))));
    });
    return { logits, hidden };
  } finally {
    model.dispose();
  }
}

function dequantizePacked(p: Packed4bitLinear, numel: number): Float32Array {
  return dequantize4bit({ quantType: p.quantType, blockSize: p.blockSize, shape: [numel], numel, dtype: 'float32', packed: p.packed, quantMap: NF4_CODE, absmax: p.absmax, nested: null });
}

async function provider(dir: string) {
  const weights = await openQuantizedWeights(await openModelDir(dir));
  return { provider: new HfWeightProvider(weights.model.config, readerFromQuantizedWeights(weights)), close: () => weights.close() };
}

describe('a 4-bit Phi-3 directory', () => {
  it('runs resident and streaming with the logits and hidden states of the dequantized float64 reference', async () => {
    const { random, stored, dequantized, quantized } = await quantizedPhi3(ALIGNED);
    for (const mode of ['resident', 'streaming'] as const) {
      const d = await diffs(quantized, random.rawConfig, dequantized, mode);
      console.log(`phi3 nf4 (${mode}) vs dequantized float64 reference: max |logit diff| ${d.logits.toExponential(2)}, hidden ${d.hidden.toExponential(2)}`);
      expect(d.logits).toBeLessThan(1e-4);
      expect(d.hidden).toBeLessThan(1e-4);
    }
    // The quantization error itself, for scale: far above the loading error.
    const unquantized = await diffs(quantized, random.rawConfig, stored, 'resident');
    console.log(`phi3 nf4 vs the unquantized reference: max |logit diff| ${unquantized.logits.toExponential(2)}`);
    expect(unquantized.logits).toBeGreaterThan(1e-3);
  });

  it('packed blocks split the fused tensors by rows, each part dequantizing to its rows of the float32 block', async () => {
    const { quantized, random } = await quantizedPhi3(ALIGNED);
    const { provider: p, close } = await provider(quantized);
    try {
      const packed = await p.getPackedBlockWeights(1);
      expect(packed).not.toBeNull();
      const dense = await p.getBlockWeights(1);
      for (const module of LINEAR_MODULES) {
        const values = dense.linear[module];
        expect([module, dequantizePacked(packed!.linear[module], values.length)]).toEqual([module, values]);
      }
      const { numAttentionHeads: heads, headDim, hiddenSize } = random.config;
      expect(packed!.linear.q_proj.packed.length).toBe((heads * headDim * hiddenSize) / 2);
      expect(packed!.linear.k_proj.absmax.length).toBe((random.config.numKeyValueHeads * headDim * hiddenSize) / 64);
      // Norms and biases are read as for the float32 block.
      expect(packed!.inputLayernorm).toEqual(dense.inputLayernorm);
      expect(packed!.postAttentionLayernorm).toEqual(dense.postAttentionLayernorm);
      // A layer outside the model is refused by name, as getBlockWeights refuses it.
      const layers = random.config.numHiddenLayers;
      await expect(p.getPackedBlockWeights(layers)).rejects.toMatchObject({ code: 'LAYER_OUT_OF_RANGE', limit: layers });
      await expect(p.getBlockWeights(layers)).rejects.toMatchObject({ code: 'LAYER_OUT_OF_RANGE', limit: layers });
    } finally {
      await close();
    }
  });

  it('a fused tensor whose modules start inside an absmax block: no packed block, the dequantized one is exact', async () => {
    const { random, dequantized, quantized } = await quantizedPhi3(MISALIGNED);
    const { provider: p, close } = await provider(quantized);
    try {
      expect(await p.getPackedBlockWeights(0)).toBeNull();
    } finally {
      await close();
    }
    const d = await diffs(quantized, random.rawConfig, dequantized, 'resident');
    expect(d.logits).toBeLessThan(1e-4);
    expect(d.hidden).toBeLessThan(1e-4);
  });
});
