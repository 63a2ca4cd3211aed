import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { checkpointLinears } from './block-modules.js';
import { architectureFeatures, missingFeatures, unsupportedSetting } from './engine-support.js';
import { expectedModelTensors } from './expected-model-tensors.js';
import { parseArchitectureConfig } from './parse-architecture-config.js';

async function fixture(name: string): Promise<Record<string, unknown>> {
  return JSON.parse(await readFile(new URL(`./testing/fixtures/${name}/config.json`, import.meta.url), 'utf8')) as Record<string, unknown>;
}

/** Parameters of the checkpoint the config describes (required tensors; a tied head counted once). */
function parameterCount(raw: Record<string, unknown>): number {
  return expectedModelTensors(parseArchitectureConfig(raw, 'c'))
    .filter((t) => t.required)
    .reduce((sum, t) => sum + t.shape.reduce((a, b) => a * b, 1), 0);
}

describe('real config.json files (testing/fixtures/SOURCE.md)', () => {
  it('gemma-2-2b: (1 + w) sandwich norms, scaled embeddings, softcaps 50 / 30, even layers sliding; 2,614,341,888 parameters', async () => {
    const raw = await fixture('gemma-2-2b');
    const c = parseArchitectureConfig(raw, 'gemma-2-2b/config.json');
    expect(c).toMatchObject({
      modelType: 'gemma2',
      headDim: 256,
      numKeyValueHeads: 4,
      hiddenAct: 'gelu_pytorch_tanh',
      tieWordEmbeddings: true,
      normWeightOffset: 1,
      sandwichNorms: true,
      attnLogitSoftcap: 50,
      finalLogitSoftcap: 30,
      slidingWindow: 4096,
      localRopeTheta: null,
      qkNorm: false,
      fusedProjections: false,
    });
    expect(c.embeddingScale).toBeCloseTo(48, 12); // sqrt(2304)
    expect(c.attentionScale).toBeCloseTo(1 / 16, 15); // query_pre_attn_scalar 256
    expect(c.layerTypes.slice(0, 4)).toEqual(['sliding_attention', 'full_attention', 'sliding_attention', 'full_attention']);
    expect(c.layerTypes.filter((t) => t === 'full_attention')).toHaveLength(13);
    expect(parameterCount(raw)).toBe(2_614_341_888);
    const names = expectedModelTensors(c).filter((t) => t.layer === 0).map((t) => t.name);
    expect(names).toContain('model.layers.0.pre_feedforward_layernorm.weight');
    expect(names).toContain('model.layers.0.post_feedforward_layernorm.weight');
    // Gemma2Config's defaults when the fields are absent; an explicit null turns softcapping off.
    const { attn_logit_softcapping: _a, final_logit_softcapping: _f, ...bare } = raw;
    expect(parseArchitectureConfig(bare, 'c')).toMatchObject({ attnLogitSoftcap: 50, finalLogitSoftcap: 30 });
    expect(parseArchitectureConfig({ ...raw, final_logit_softcapping: null }, 'c').finalLogitSoftcap).toBeNull();
  });

  it('gemma-3-1b-pt: q/k norms, 5 sliding layers then 1 full, local rope theta 10000 vs 1e6; 999,885,952 parameters', async () => {
    const raw = await fixture('gemma-3-1b-pt');
    const c = parseArchitectureConfig(raw, 'gemma-3-1b-pt/config.json');
    expect(c).toMatchObject({
      modelType: 'gemma3_text',
      numKeyValueHeads: 1,
      qkNorm: true,
      normWeightOffset: 1,
      sandwichNorms: true,
      attnLogitSoftcap: null,
      finalLogitSoftcap: null,
      ropeTheta: 1_000_000,
      localRopeTheta: 10_000,
      slidingWindow: 512,
      tieWordEmbeddings: true,
    });
    expect(c.layerTypes.map((t, i) => (t === 'full_attention' ? i : -1)).filter((i) => i >= 0)).toEqual([5, 11, 17, 23]);
    expect(parameterCount(raw)).toBe(999_885_952);
    expect(architectureFeatures(c)).toEqual(['qk-norm', 'sliding-window', 'norm-weight-offset', 'sandwich-norms', 'embedding-scale', 'gelu-tanh', 'local-rope']);
    // Gemma 3 4B and up are image-text models (model_type gemma3): refused with a hint.
    expect(() => parseArchitectureConfig({ ...raw, model_type: 'gemma3' }, 'm/config.json')).toThrow(/only text-only gemma3_text/);
  });

  it('Phi-3-mini-4k-instruct: fused qkv_proj / gate_up_proj, a 2047 window on every layer; 3,821,079,552 parameters', async () => {
    const raw = await fixture('phi-3-mini-4k-instruct');
    const c = parseArchitectureConfig(raw, 'phi3/config.json');
    expect(c).toMatchObject({ modelType: 'phi3', fusedProjections: true, rmsNormEps: 1e-5, slidingWindow: 2047, normWeightOffset: 0, attentionBias: false });
    expect(new Set(c.layerTypes)).toEqual(new Set(['sliding_attention']));
    expect(parameterCount(raw)).toBe(3_821_079_552);
    expect(checkpointLinears(c).map((l) => [l.path, l.rows, l.columns, l.parts.map((p) => `${p.module}:${p.rowStart}-${p.rowEnd}`).join(' ')])).toEqual([
      ['self_attn.qkv_proj', 9216, 3072, 'q_proj:0-3072 k_proj:3072-6144 v_proj:6144-9216'],
      ['self_attn.o_proj', 3072, 3072, 'o_proj:0-3072'],
      ['mlp.gate_up_proj', 16384, 3072, 'gate_proj:0-8192 up_proj:8192-16384'],
      ['mlp.down_proj', 3072, 8192, 'down_proj:0-3072'],
    ]);
    const qkv = expectedModelTensors(c).find((t) => t.name === 'model.layers.0.self_attn.qkv_proj.weight');
    expect(qkv?.dims[0].explain).toBe('(num_attention_heads 32 x head_dim 96) + (num_key_value_heads 32 x head_dim 96) + (num_key_value_heads 32 x head_dim 96)');
    expect(unsupportedSetting(c, 'phi3/config.json')).toBeNull();
    expect(missingFeatures(c, 'onnx', 'training')).toEqual([]);
    expect(missingFeatures(c, 'tfjs', 'training')).toEqual([]);
  });

  it("Phi-3.5's longrope parses (inspect and prune work by name) but is refused for computing, naming the field", async () => {
    // Shaped like microsoft/Phi-3.5-mini-instruct: longrope with 48 short and long factors (values here are placeholders).
    const raw = {
      ...(await fixture('phi-3-mini-4k-instruct')),
      max_position_embeddings: 131072,
      rope_scaling: { type: 'longrope', short_factor: new Array(48).fill(1.05), long_factor: new Array(48).fill(1.5) },
    };
    const c = parseArchitectureConfig(raw, 'phi35/config.json');
    expect(c.ropeScaling?.ropeType).toBe('longrope');
    expect(unsupportedSetting(c, 'phi35/config.json')).toMatchObject({
      code: 'UNSUPPORTED_CONFIG',
      field: 'rope_scaling.rope_type',
      file: 'phi35/config.json',
      message: expect.stringMatching(/rope_scaling type "longrope" is not supported for phi3 \(supported: default, linear, llama3\)/),
    });
  });
});

describe('engine feature table', () => {
  it("a Llama with mlp_bias lacks a feature on every engine (the model runtime refuses it too)", () => {
    const c = parseArchitectureConfig({ model_type: 'llama', hidden_size: 8, intermediate_size: 16, num_hidden_layers: 2, num_attention_heads: 2, vocab_size: 10, mlp_bias: true }, 'c');
    for (const engine of ['tfjs', 'onnx'] as const) for (const task of ['inference', 'training'] as const) expect(missingFeatures(c, engine, task)).toEqual(['mlp-bias']);
  });
});
