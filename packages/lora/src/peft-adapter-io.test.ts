import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSafetensors } from '@layerprune/tensor-io';
import { describe, expect, it } from 'vitest';
import { LoraAdapters, llamaLinearShapes } from './lora-adapters.js';
import { resolveLoraConfig } from './lora-config.js';
import { isLoraError } from './lora-error.js';
import { loadLoraAdapter, saveLoraAdapter } from './peft-adapter-io.js';
import { SeededRng } from '@layerprune/data';
import { tinyConfig } from './testing/tiny-model.js';

// The exact key set of LoraConfig.to_dict() in PEFT 0.14 (peft/tuners/lora/config.py
// dataclass fields minus runtime_config, plus PeftConfig's base fields).
const PEFT_0_14_FIELDS = [
  'alpha_pattern', 'auto_mapping', 'base_model_name_or_path', 'bias', 'eva_config', 'exclude_modules', 'fan_in_fan_out',
  'inference_mode', 'init_lora_weights', 'layer_replication', 'layers_pattern', 'layers_to_transform', 'loftq_config',
  'lora_alpha', 'lora_bias', 'lora_dropout', 'megatron_config', 'megatron_core', 'modules_to_save', 'peft_type', 'r',
  'rank_pattern', 'revision', 'target_modules', 'task_type', 'use_dora', 'use_rslora',
];

describe('PEFT adapter files', () => {
  it('writes exactly PEFT key names, shapes and config fields, and reads them back bit for bit', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lora-peft-'));
    const model = tinyConfig({ numHiddenLayers: 3 });
    const config = resolveLoraConfig({ rank: 4, alpha: 16, dropout: 0.05, targetModules: 'mlp', baseModelNameOrPath: '/models/pruned' });
    const adapters = LoraAdapters.create(config, llamaLinearShapes(model), new SeededRng(3));
    new SeededRng(4).fillUniform(adapters.pairs[1].b, -1, 1);
    await saveLoraAdapter(dir, adapters);

    const text = await readFile(join(dir, 'adapter_config.json'), 'utf8');
    const json = JSON.parse(text) as Record<string, unknown>;
    expect(Object.keys(json)).toEqual([...PEFT_0_14_FIELDS].sort());
    expect(text.startsWith('{\n  "alpha_pattern": {},\n  "auto_mapping": null,')).toBe(true);
    expect(json).toMatchObject({
      peft_type: 'LORA', task_type: 'CAUSAL_LM', r: 4, lora_alpha: 16, lora_dropout: 0.05, bias: 'none',
      target_modules: ['gate_proj', 'up_proj', 'down_proj'], use_rslora: false, fan_in_fan_out: false,
      init_lora_weights: true, inference_mode: true, base_model_name_or_path: '/models/pruned', modules_to_save: null,
    });

    const reader = await openSafetensors(join(dir, 'adapter_model.safetensors'));
    const names = [...reader.tensors.keys()].sort();
    const expected: string[] = [];
    for (let l = 0; l < 3; l++) {
      for (const m of ['gate_proj', 'up_proj', 'down_proj']) {
        expected.push(`base_model.model.model.layers.${l}.mlp.${m}.lora_A.weight`, `base_model.model.model.layers.${l}.mlp.${m}.lora_B.weight`);
      }
    }
    expect(names).toEqual(expected.sort());
    expect(reader.info('base_model.model.model.layers.0.mlp.down_proj.lora_A.weight').shape).toEqual([4, 24]);
    expect(reader.info('base_model.model.model.layers.0.mlp.down_proj.lora_B.weight').shape).toEqual([16, 4]);
    expect(reader.info('base_model.model.model.layers.0.mlp.down_proj.lora_A.weight').dtype).toBe('F32');
    await reader.close();

    const loaded = await loadLoraAdapter(dir, llamaLinearShapes(model));
    expect(loaded.config).toEqual(config);
    expect(loaded.pairs.map((p) => p.path)).toEqual(adapters.pairs.map((p) => p.path));
    loaded.pairs.forEach((p, i) => {
      expect(p.a).toEqual(adapters.pairs[i].a);
      expect(p.b).toEqual(adapters.pairs[i].b);
    });
  });

  it('initialises A like kaiming_uniform_(a=sqrt(5)): U(-1/sqrt(in), 1/sqrt(in)), and B to zeros', () => {
    const model = tinyConfig({ hiddenSize: 64, intermediateSize: 256 });
    const adapters = LoraAdapters.create(resolveLoraConfig({ rank: 16, targetModules: 'down_proj' }), llamaLinearShapes(model), new SeededRng(9));
    const { a, b, inFeatures } = adapters.pairs[0];
    const bound = 1 / Math.sqrt(inFeatures);
    expect(Math.max(...a)).toBeLessThanOrEqual(bound);
    expect(Math.min(...a)).toBeGreaterThanOrEqual(-bound);
    const variance = a.reduce((s, x) => s + x * x, 0) / a.length;
    expect(variance).toBeCloseTo((bound * bound) / 3, 4); // var of U(-b, b) = b^2/3
    expect(b.every((x) => x === 0)).toBe(true);
  });

  it('refuses DoRA and missing files with typed errors naming the file and field', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lora-peft-'));
    await expect(loadLoraAdapter(dir)).rejects.toMatchObject({ code: 'ADAPTER_NOT_FOUND' });
    const adapters = LoraAdapters.create(resolveLoraConfig({ rank: 2 }), llamaLinearShapes(tinyConfig()), new SeededRng(1));
    await saveLoraAdapter(dir, adapters);
    const path = join(dir, 'adapter_config.json');
    const json = JSON.parse(await readFile(path, 'utf8'));
    await writeFile(path, JSON.stringify({ ...json, use_dora: true }));
    const error = await loadLoraAdapter(dir).catch((e: unknown) => e);
    expect(isLoraError(error) && error.code === 'ADAPTER_INVALID' && error.field === 'use_dora').toBe(true);
    expect((error as Error).message).toContain(path);
  });

  it('reads a regex target_modules string the way PEFT full-matches module names', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lora-peft-'));
    const adapters = LoraAdapters.create(resolveLoraConfig({ rank: 2, targetModules: 'q_proj,v_proj' }), llamaLinearShapes(tinyConfig()), new SeededRng(1));
    await saveLoraAdapter(dir, adapters);
    const path = join(dir, 'adapter_config.json');
    const json = JSON.parse(await readFile(path, 'utf8'));
    await writeFile(path, JSON.stringify({ ...json, target_modules: '.*\\.(q|v)_proj' }));
    const loaded = await loadLoraAdapter(dir);
    expect(loaded.config.targetModules).toEqual(['q_proj', 'v_proj']);
    expect(loaded.pairs).toHaveLength(4);
  });
});
