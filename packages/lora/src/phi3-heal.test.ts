// heal() end to end on a tiny random Phi-3 directory (vocabulary of the bundled
// stories260K tokenizer): `all-linear` resolves to the fused qkv_proj and
// gate_up_proj plus o_proj and down_proj, the log says so, the PEFT files name
// the fused modules, and --merge over the 4-bit base (every linear adapted, so
// every one merged from its dequantized NF4 values) writes a model whose logits
// are the trained base + adapter.
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultCalibrationFile, defaultModelDir } from '@layerprune/assets';
import { openModelDir } from '@layerprune/architectures';
import { loadTokenizer } from '@layerprune/model';
import { openSafetensors } from '@layerprune/tensor-io';
import { describe, expect, it } from 'vitest';
import { FrozenBase } from './frozen-base.js';
import { heal } from './heal.js';
import { llamaLinearShapes } from './lora-adapters.js';
import { LoraRunner } from './lora-runner.js';
import { loadLoraAdapter } from './peft-adapter-io.js';
import { createTinyModel } from './testing/tiny-model.js';
import { writeTinyModelDir } from './testing/write-tiny-model-dir.js';

describe('heal on a Phi-3 checkpoint', () => {
  it('adapts the fused modules PEFT would, says so, and merges them', async () => {
    const root = await mkdtemp(join(tmpdir(), 'lora-phi3-heal-'));
    const model = createTinyModel(31, { fusedProjections: true, vocabSize: 512, numHiddenLayers: 2 });
    const dir = await writeTinyModelDir(join(root, 'phi3'), model, 'phi3');
    const lines: string[] = [];
    const result = await heal({
      model: dir,
      data: defaultCalibrationFile(),
      out: join(root, 'healed'),
      steps: 3,
      batchSize: 2,
      microBatchSize: 2,
      seqLen: 16,
      learningRate: 1e-2,
      warmupSteps: 0,
      rank: 2,
      alpha: 4,
      targets: 'all-linear',
      bits: 4,
      saveEvery: 0,
      merge: true,
      backend: 'cpu',
      tokenizer: await loadTokenizer(defaultModelDir()),
      log: (line) => lines.push(line),
    });
    expect(result.targets).toEqual(['qkv_proj', 'o_proj', 'gate_up_proj', 'down_proj']);
    expect(lines).toContain('layerprune: target gate_proj, up_proj are stored as gate_up_proj (gate_proj + up_proj) in this model: adapting gate_up_proj');
    const config = JSON.parse(await readFile(join(result.out, 'adapter_config.json'), 'utf8')) as { target_modules: string[] };
    expect(config.target_modules).toEqual(['qkv_proj', 'o_proj', 'gate_up_proj', 'down_proj']);
    const files = await openSafetensors(join(result.out, 'adapter_model.safetensors'));
    expect(files.info('base_model.model.model.layers.1.mlp.gate_up_proj.lora_B.weight').shape).toEqual([48, 2]);
    await files.close();

    // The merged model (from the dequantized NF4 base the adapter trained on) is base + adapter.
    const adapters = await loadLoraAdapter(result.out, llamaLinearShapes(model.config));
    const base = await FrozenBase.load(model.config, model.reader, 4);
    const batch = [[1, 20, 33, 41, 7, 300, 12, 5]];
    const expected = new LoraRunner(base, adapters).logits(batch);
    const merged = await openModelDir(result.mergedDir!);
    const mergedLogits = new LoraRunner(await FrozenBase.load(merged.config, merged.weights, 32), null).logits(batch);
    await merged.close();
    let diff = 0;
    expected.forEach((v, i) => (diff = Math.max(diff, Math.abs(v - mergedLogits[i]))));
    expect(diff).toBeLessThan(1e-4);
    // Training moved the adapter: B is no longer zero.
    expect(adapters.modules.some((m) => m.b.some((v) => v !== 0))).toBe(true);
  });
});
