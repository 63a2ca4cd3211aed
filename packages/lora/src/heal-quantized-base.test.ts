// heal() and its frozen base over the output of `layerprune quantize`
// (@layerprune/quant's quantizeModelDir: the bitsandbytes layout) of the bundled
// stories260K: a 4-bit checkpoint's NF4 states are the base as they are stored
// (never rounded a second time), the base agrees with what @layerprune/model's
// loadModel serves for the same directory, and --merge writes a dense model.
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultCalibrationFile, defaultHeldoutFile, defaultModelDir } from '@layerprune/assets';
import { loadModel, loadTokenizer, selectBackend } from '@layerprune/model';
import { openQuantizedWeights, quantizeModelDir } from '@layerprune/quant';
import { openModelDir } from '@layerprune/architectures';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maxAbsDiff } from './testing/max-abs-diff.js';
import { evaluateLoss } from './evaluate-loss.js';
import { FrozenBase } from './frozen-base.js';
import { heal } from './heal.js';
import { loadPackedData } from './load-packed-data.js';
import { LoraRunner } from './lora-runner.js';
import { loadLoraAdapter } from './peft-adapter-io.js';
import { quantizedWeightReader } from './quantized-weight-reader.js';
import { ALL_LINEAR_MODULES, moduleSuffix } from './target-modules.js';

const MODEL = defaultModelDir();
const quiet = (): void => {};
const batch = [
  [1, 403, 407, 261, 378, 9, 300, 8],
  [1, 76, 261, 499, 9, 300, 8, 333],
];

let root: string;
let nf4: string;
let int8: string;

async function loadBase(dir: string, bits: 4 | 16 | 32): Promise<FrozenBase> {
  const weights = await openQuantizedWeights(dir);
  try {
    return await FrozenBase.load(weights.model.config, quantizedWeightReader(weights), bits);
  } finally {
    await weights.close();
  }
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'lora-quantized-base-'));
  await selectBackend('wasm', quiet);
  nf4 = (await quantizeModelDir(MODEL, join(root, 'nf4'), { type: 'nf4', doubleQuant: true })).outputDir;
  int8 = (await quantizeModelDir(MODEL, join(root, 'int8'), { type: 'int8' })).outputDir;
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('FrozenBase over a quantized directory', () => {
  it('4 bits over an NF4 checkpoint: the stored states as they are (values and bytes), the logits of loadModel', async () => {
    const base = await loadBase(nf4, 4);
    const weights = await openQuantizedWeights(nf4);
    let storedBytes = 0;
    for (let l = 0; l < base.config.numHiddenLayers; l++) {
      for (const m of ALL_LINEAR_MODULES) {
        const name = `model.layers.${l}.${moduleSuffix(m)}.weight`;
        expect(base.linear(l, m)).toEqual(await weights.readFloat32(name));
        const loaded = await weights.load(name);
        if (loaded.kind !== 'nf4' || !loaded.state.nested) throw new Error(`${name} is not double-quantized nf4`);
        const s = loaded.state;
        storedBytes += s.packed.byteLength + s.nested!.codes.byteLength + s.nested!.absmax.byteLength;
      }
    }
    await weights.close();
    expect(base.linearBytes()).toBe(storedBytes);
    // The same numbers the model runtime (eval, generate) computes for this directory.
    const model = await loadModel(nf4, { backend: 'wasm', log: quiet });
    const expected = (await model.forward(batch, { logits: 'all' })).logits!;
    model.dispose();
    const runner = new LoraRunner(base, null);
    expect(maxAbsDiff(runner.logits(batch), expected)).toBeLessThan(1e-4);
    runner.dispose();
  });

  it('32 bits over an int8 checkpoint: the dequantized values; 4 bits: NF4 of them', async () => {
    const weights = await openQuantizedWeights(int8);
    const name = 'model.layers.2.mlp.down_proj.weight';
    const values = await weights.readFloat32(name);
    await weights.close();
    const f32 = await loadBase(int8, 32);
    expect(f32.linear(2, 'down_proj')).toEqual(values);
    const four = await loadBase(int8, 4);
    const restored = four.linear(2, 'down_proj');
    const rms = Math.sqrt(values.reduce((sum, v, i) => sum + (v - restored[i]) ** 2, 0) / values.length);
    const std = Math.sqrt(values.reduce((sum, v) => sum + v * v, 0) / values.length);
    expect(rms / std).toBeGreaterThan(0);
    expect(rms / std).toBeLessThan(0.12);
  });
});

describe('heal on `layerprune quantize` output', () => {
  it('3 steps over the NF4 checkpoint: the held-out loss before is the checkpoint\'s own, an adapter is written; --merge gives a dense model', async () => {
    const out = join(root, 'healed');
    const seqLen = 64;
    const result = await heal({
      model: nf4,
      data: defaultCalibrationFile(),
      evalData: defaultHeldoutFile(),
      evalSequences: 8,
      out,
      steps: 3,
      batchSize: 4,
      microBatchSize: 4,
      seqLen,
      learningRate: 3e-3,
      warmupSteps: 1,
      rank: 4,
      alpha: 4,
      bits: 4,
      saveEvery: 0,
      merge: true,
      backend: 'wasm',
    });
    expect(result.steps).toBe(3);
    expect(result.adapterFiles.map((f) => f.slice(out.length + 1)).sort()).toEqual(['adapter_config.json', 'adapter_model.safetensors']);
    for (const file of result.adapterFiles) expect(existsSync(file)).toBe(true);
    expect(Number.isFinite(result.finalLoss)).toBe(true);

    // The loss before healing is the quantized model's loss: the float32 dequantized base gives the same.
    const tokenizer = await loadTokenizer(MODEL);
    const evalSet = (await loadPackedData(defaultHeldoutFile(), tokenizer, { seqLen, maxSequences: 8 })).data;
    const dequantized = new LoraRunner(await loadBase(nf4, 32), null);
    expect(Math.abs((await evaluateLoss(dequantized, evalSet, 4)) - result.evalLossBefore!)).toBeLessThan(1e-5);
    dequantized.dispose();

    // --merge: a dense float32 model (no quantization_config, no packed tensors) with the logits of base + adapter.
    const mergedDir = result.mergedDir!;
    const config = JSON.parse(await readFile(join(mergedDir, 'config.json'), 'utf8')) as Record<string, unknown>;
    expect(config.quantization_config).toBeUndefined();
    expect(config.torch_dtype).toBe('float32');
    const merged = await openModelDir(mergedDir);
    expect(merged.weights.names().filter((n) => /absmax|quant_map|quant_state/.test(n))).toEqual([]);
    expect(merged.weights.info('model.layers.0.mlp.up_proj.weight')).toMatchObject({ dtype: 'F32', shape: [172, 64] });
    await merged.close();
    const adapters = await loadLoraAdapter(out);
    const withAdapter = new LoraRunner(await loadBase(nf4, 4), adapters);
    const expected = withAdapter.logits(batch);
    withAdapter.dispose();
    const plain = new LoraRunner(await loadBase(nf4, 4), null);
    // The 3 steps moved the logits: the comparison below is not vacuous.
    const moved = maxAbsDiff(plain.logits(batch), expected);
    expect(moved).toBeGreaterThan(1e-3);
    plain.dispose();
    const model = await loadModel(mergedDir, { backend: 'wasm', log: quiet });
    expect(maxAbsDiff((await model.forward(batch, { logits: 'all' })).logits!, expected)).toBeLessThan(1e-4);
    model.dispose();
    expect(await readFile(join(mergedDir, 'README.md'), 'utf8')).toContain('Merged into: the dequantized NF4 (4-bit) weights');
  });
});
