import { describe, expect, it } from 'vitest';
import { SurgeryError } from './errors.js';
import { resolveRemovalPlan } from './resolve-removal-plan.js';
import { parseArchitectureConfig } from '@layerprune/architectures';
import { rewriteConfig } from './rewrite-config.js';

describe('rewriteConfig', () => {
  it('sets num_hidden_layers, cuts per-layer lists and keeps everything else verbatim, in order', () => {
    const raw = {
      architectures: ['LlamaForCausalLM'],
      hidden_size: 16,
      num_hidden_layers: 6,
      layer_types: ['a0', 'a1', 'a2', 'a3', 'a4', 'a5'],
      rope_scaling: { rope_type: 'llama3', factor: 8 },
      per_layer_scale: [10, 11, 12, 13, 14, 15],
      eos_token_id: [2, 3, 4, 5, 6, 7],
      torch_dtype: 'bfloat16',
    };
    const plan = resolveRemovalPlan({ kind: 'drop-block', start: 1, end: 3 }, 6);
    const { config, changes } = rewriteConfig(raw, plan);
    expect(Object.keys(config)).toEqual(Object.keys(raw));
    expect(config.num_hidden_layers).toBe(4);
    expect(config.layer_types).toEqual(['a0', 'a3', 'a4', 'a5']);
    expect(config.per_layer_scale).toEqual([10, 13, 14, 15]);
    // eos_token_id has 6 entries like the layers, but it is not per-layer.
    expect(config.eos_token_id).toEqual(raw.eos_token_id);
    expect(config.rope_scaling).toEqual(raw.rope_scaling);
    expect(config.rope_scaling).not.toBe(raw.rope_scaling);
    expect(changes.map((c) => c.field)).toEqual(['num_hidden_layers', 'layer_types', 'per_layer_scale']);
    expect(raw.num_hidden_layers).toBe(6);
  });

  it("adjusts qwen2 max_window_layers so every kept block keeps its attention kind", () => {
    // Qwen2: layer i uses the sliding window iff i >= max_window_layers.
    const L = 10;
    for (const mwl of [0, 3, 6, 10, 28]) {
      for (const [start, end] of [
        [1, 3],
        [4, 8],
        [5, 9],
        [0, 6],
      ]) {
        const plan = resolveRemovalPlan({ kind: 'drop-block', start, end }, L);
        const { config } = rewriteConfig({ model_type: 'qwen2', num_hidden_layers: L, max_window_layers: mwl }, plan);
        const after = config.max_window_layers as number;
        const before = plan.kept.map((old) => old >= mwl);
        const now = plan.kept.map((_, newIndex) => newIndex >= after);
        expect([mwl, start, end, now]).toEqual([mwl, start, end, before]);
      }
    }
  });

  it.each([
    ['gemma3_text', { sliding_window_pattern: 3 }],
    ['gemma2', {}],
  ])('%s without layer_types: writes the kept layers\' types, so no block changes attention kind', (modelType, extra) => {
    const raw = {
      model_type: modelType,
      hidden_size: 16,
      intermediate_size: 32,
      num_hidden_layers: 7,
      num_attention_heads: 2,
      head_dim: 8,
      vocab_size: 10,
      sliding_window: 4,
      ...extra,
    };
    const before = parseArchitectureConfig(raw, 'c').layerTypes;
    const plan = resolveRemovalPlan({ kind: 'drop-block', start: 1, end: 2 }, 7);
    const { config, changes } = rewriteConfig(raw, plan, 'c', { layerTypes: before });
    const after = parseArchitectureConfig(config, 'c').layerTypes;
    expect(after).toEqual(plan.kept.map((old) => before[old]));
    // Without the explicit list the index rule would give the renumbered blocks other kinds.
    expect(parseArchitectureConfig({ ...raw, num_hidden_layers: 6 }, 'c').layerTypes).not.toEqual(after);
    expect(changes.at(-1)).toMatchObject({ field: 'layer_types', before: undefined });
    // A config that lists layer_types is cut like any per-layer list, not rewritten twice.
    const listed = rewriteConfig({ ...raw, layer_types: before }, plan, 'c', { layerTypes: before });
    expect(listed.config.layer_types).toEqual(after);
    expect(listed.changes.filter((c) => c.field === 'layer_types')).toHaveLength(1);
  });

  it('renumbers layer-index lists and drops removed layers from them', () => {
    const plan = resolveRemovalPlan({ kind: 'drop-layers', layers: [2, 5] }, 8);
    const { config } = rewriteConfig({ num_hidden_layers: 8, mlp_only_layers: [0, 2, 6, 7] }, plan);
    expect(config.mlp_only_layers).toEqual([0, 4, 5]);
  });

  it('refuses a config that does not match the plan or has a malformed per-layer list', () => {
    const plan = resolveRemovalPlan({ kind: 'drop-block', start: 1, end: 2 }, 4);
    expect(() => rewriteConfig({ num_hidden_layers: 5 }, plan, 'm/config.json')).toThrow(SurgeryError);
    expect(() => rewriteConfig({ num_hidden_layers: 4, layer_types: ['a', 'b'] }, plan)).toThrow(/layer_types/);
    expect(() => rewriteConfig({ num_hidden_layers: 4, max_window_layers: -1 }, plan)).toThrow(/max_window_layers/);
  });
});
