import { describe, expect, it } from 'vitest';
import { parseArchitectureConfig } from './parse-architecture-config.js';

// Shaped like the config.json files of meta-llama/Llama-3.2-1B, mistralai/Mistral-7B-v0.1 and Qwen/Qwen2-0.5B.
const llama32 = {
  architectures: ['LlamaForCausalLM'],
  attention_bias: false,
  bos_token_id: 128000,
  eos_token_id: 128001,
  head_dim: 64,
  hidden_act: 'silu',
  hidden_size: 2048,
  intermediate_size: 8192,
  max_position_embeddings: 131072,
  model_type: 'llama',
  num_attention_heads: 32,
  num_hidden_layers: 16,
  num_key_value_heads: 8,
  rms_norm_eps: 1e-5,
  rope_scaling: { factor: 32.0, high_freq_factor: 4.0, low_freq_factor: 1.0, original_max_position_embeddings: 8192, rope_type: 'llama3' },
  rope_theta: 500000.0,
  tie_word_embeddings: true,
  torch_dtype: 'bfloat16',
  vocab_size: 128256,
};
const mistral = {
  model_type: 'mistral',
  hidden_size: 4096,
  intermediate_size: 14336,
  num_attention_heads: 32,
  num_hidden_layers: 32,
  num_key_value_heads: 8,
  rms_norm_eps: 1e-5,
  rope_theta: 10000.0,
  sliding_window: 4096,
  max_position_embeddings: 32768,
  vocab_size: 32000,
  bos_token_id: 1,
  eos_token_id: 2,
  tie_word_embeddings: false,
  torch_dtype: 'bfloat16',
};
const qwen2 = {
  model_type: 'qwen2',
  hidden_size: 896,
  intermediate_size: 4864,
  num_attention_heads: 14,
  num_hidden_layers: 24,
  num_key_value_heads: 2,
  rms_norm_eps: 1e-6,
  rope_theta: 1000000.0,
  sliding_window: 32768,
  use_sliding_window: false,
  max_position_embeddings: 32768,
  vocab_size: 151936,
  tie_word_embeddings: true,
  dtype: 'bfloat16',
  eos_token_id: [151643, 151645],
};

describe('parseArchitectureConfig', () => {
  it('normalises a Llama 3.2 config, keeping rope_scaling fields', () => {
    expect(parseArchitectureConfig(llama32, 'config.json')).toEqual({
      modelType: 'llama',
      hiddenSize: 2048,
      intermediateSize: 8192,
      numHiddenLayers: 16,
      numAttentionHeads: 32,
      numKeyValueHeads: 8,
      headDim: 64,
      rmsNormEps: 1e-5,
      ropeTheta: 500000,
      ropeScaling: { ropeType: 'llama3', rope_type: 'llama3', factor: 32, high_freq_factor: 4, low_freq_factor: 1, original_max_position_embeddings: 8192 },
      vocabSize: 128256,
      tieWordEmbeddings: true,
      maxPositionEmbeddings: 131072,
      torchDtype: 'bfloat16',
      attentionBias: false,
      qkNorm: false,
      hiddenAct: 'silu',
      slidingWindow: null,
      bosTokenId: 128000,
      eosTokenId: 128001,
      mlpBias: false,
      fusedProjections: false,
      normWeightOffset: 0,
      sandwichNorms: false,
      embeddingScale: 1,
      attnLogitSoftcap: null,
      finalLogitSoftcap: null,
      localRopeTheta: null,
      attentionScale: 64 ** -0.5,
      layerTypes: new Array(16).fill('full_attention'),
    });
  });

  it('applies architecture rules for mistral and qwen2', () => {
    const m = parseArchitectureConfig(mistral, 'config.json');
    expect(m).toMatchObject({ modelType: 'mistral', headDim: 128, slidingWindow: 4096, attentionBias: false, ropeScaling: null, hiddenAct: 'silu' });
    const q = parseArchitectureConfig(qwen2, 'config.json');
    expect(q).toMatchObject({ modelType: 'qwen2', headDim: 64, slidingWindow: null, attentionBias: true, torchDtype: 'bfloat16', bosTokenId: null });
    expect(q.eosTokenId).toEqual([151643, 151645]);
    expect(parseArchitectureConfig({ ...qwen2, use_sliding_window: true }, 'c').slidingWindow).toBe(32768);
  });

  it('qwen3: q/k norms, attention_bias honoured (default false), head_dim default 128, windows as qwen2', () => {
    const qwen3 = { ...qwen2, model_type: 'qwen3', hidden_size: 1024, num_attention_heads: 16, num_key_value_heads: 8, head_dim: 128, sliding_window: null, max_window_layers: 28 };
    const q = parseArchitectureConfig(qwen3, 'config.json');
    expect(q).toMatchObject({ modelType: 'qwen3', headDim: 128, qkNorm: true, attentionBias: false, slidingWindow: null, maxPositionEmbeddings: 32768 });
    expect(parseArchitectureConfig({ ...qwen3, attention_bias: true }, 'c').attentionBias).toBe(true);
    const { head_dim: _, ...noHeadDim } = { ...qwen3, hidden_size: 256 };
    // Qwen3Config's default, not hidden_size / num_attention_heads (16).
    expect(parseArchitectureConfig(noHeadDim, 'c').headDim).toBe(128);
    expect(parseArchitectureConfig({ ...qwen3, sliding_window: 4096 }, 'c').slidingWindow).toBeNull();
    expect(parseArchitectureConfig({ ...qwen3, sliding_window: 4096, use_sliding_window: true }, 'c').slidingWindow).toBe(4096);
    for (const other of [llama32, mistral, qwen2]) expect(parseArchitectureConfig(other, 'c').qkNorm).toBe(false);
  });

  it('fills defaults for optional fields (kv heads, head_dim, rope theta, eps, tie)', () => {
    const minimal = { model_type: 'llama', hidden_size: 64, intermediate_size: 172, num_hidden_layers: 5, num_attention_heads: 8, vocab_size: 512 };
    expect(parseArchitectureConfig(minimal, 'c')).toMatchObject({
      numKeyValueHeads: 8,
      headDim: 8,
      ropeTheta: 10000,
      rmsNormEps: 1e-6,
      tieWordEmbeddings: false,
      maxPositionEmbeddings: 2048,
      torchDtype: null,
      ropeScaling: null,
      eosTokenId: null,
    });
    expect(parseArchitectureConfig({ ...minimal, rope_scaling: { type: 'linear', factor: 2 } }, 'c').ropeScaling).toEqual({ type: 'linear', ropeType: 'linear', factor: 2 });
    expect(
      parseArchitectureConfig({ ...minimal, rope_parameters: { rope_type: 'default', rope_theta: 500000 } }, 'c'),
    ).toMatchObject({ ropeTheta: 500000, ropeScaling: null });
  });

  it('refuses other architectures with UNSUPPORTED_ARCHITECTURE naming model_type', () => {
    expect(() => parseArchitectureConfig({ ...llama32, model_type: 'gpt2' }, '/m/config.json')).toThrow(
      expect.objectContaining({ code: 'UNSUPPORTED_ARCHITECTURE', field: 'model_type', file: '/m/config.json' }),
    );
  });

  it.each([
    ['hidden_size', { hidden_size: '2048' }],
    ['num_hidden_layers', { num_hidden_layers: 0 }],
    ['vocab_size', { vocab_size: undefined }],
    ['num_key_value_heads', { num_key_value_heads: 5 }],
    ['rms_norm_eps', { rms_norm_eps: -1 }],
    ['tie_word_embeddings', { tie_word_embeddings: 'yes' }],
    ['rope_scaling.rope_type', { rope_scaling: { factor: 2 } }],
    ['eos_token_id', { eos_token_id: [1, 'x'] }],
  ])('refuses a bad %s with CONFIG_INVALID naming the field', (field, patch) => {
    expect(() => parseArchitectureConfig({ ...llama32, ...patch }, 'config.json')).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID', field }));
  });

  it('refuses a non-object config', () => {
    expect(() => parseArchitectureConfig([1], 'c')).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
  });
});
