import { describe, expect, it } from 'vitest';
import type { QuantError } from './errors.js';
import { planQuantization } from './plan-quantization.js';
import { tensorCategory } from './tensor-category.js';

const tensors = [
  { name: 'model.embed_tokens.weight', dtype: 'F32' as const, shape: [100, 64] },
  { name: 'model.layers.0.input_layernorm.weight', dtype: 'F32' as const, shape: [63] },
  { name: 'model.layers.0.self_attn.q_proj.weight', dtype: 'BF16' as const, shape: [64, 64] },
  { name: 'model.layers.0.self_attn.q_proj.bias', dtype: 'BF16' as const, shape: [64] },
  { name: 'model.layers.0.mlp.down_proj.weight', dtype: 'F16' as const, shape: [64, 33] },
  { name: 'model.norm.weight', dtype: 'F32' as const, shape: [64] },
  { name: 'lm_head.weight', dtype: 'F32' as const, shape: [100, 64] },
];

describe('tensorCategory', () => {
  it('tells block linears from embeddings, norms, lm_head and biases', () => {
    expect(tensors.map((t) => tensorCategory(t.name, t.shape))).toEqual([
      'embedding',
      'norm',
      'block-linear',
      'bias',
      'block-linear',
      'norm',
      'lm_head',
    ]);
  });
});

describe('planQuantization', () => {
  it("keeps qwen3's per-head q_norm / k_norm weights unquantized, like every norm", () => {
    const qwen3 = [
      { name: 'model.layers.3.self_attn.q_proj.weight', dtype: 'BF16' as const, shape: [256, 64] },
      { name: 'model.layers.3.self_attn.q_norm.weight', dtype: 'BF16' as const, shape: [128] },
      { name: 'model.layers.3.self_attn.k_norm.weight', dtype: 'BF16' as const, shape: [128] },
    ];
    expect(qwen3.map((t) => tensorCategory(t.name, t.shape))).toEqual(['block-linear', 'norm', 'norm']);
    expect(planQuantization(qwen3, 'nf4').map((t) => t.action)).toEqual(['quantize', 'keep', 'keep']);
    expect(planQuantization(qwen3, 'int8').map((t) => t.action)).toEqual(['quantize', 'keep', 'keep']);
  });

  it('quantizes only the block linears by default', () => {
    const plan = planQuantization(tensors, 'nf4');
    expect(plan.filter((t) => t.action === 'quantize').map((t) => t.name)).toEqual([
      'model.layers.0.self_attn.q_proj.weight',
      'model.layers.0.mlp.down_proj.weight',
    ]);
  });

  it('adds embeddings and lm_head when asked, and honours skipped modules', () => {
    const plan = planQuantization(tensors, 'int8', { quantizeEmbeddings: true, quantizeLmHead: true, skipModules: ['down_proj'] });
    expect(plan.filter((t) => t.action === 'quantize').map((t) => t.name)).toEqual([
      'model.embed_tokens.weight',
      'model.layers.0.self_attn.q_proj.weight',
      'lm_head.weight',
    ]);
  });

  it('refuses a forced non-linear tensor with an odd count in 4 bits, and a vector in int8', () => {
    const failure = (fn: () => unknown): QuantError => {
      try {
        fn();
      } catch (error) {
        return error as QuantError;
      }
      throw new Error('no error');
    };
    const odd = failure(() => planQuantization(tensors, 'nf4', { quantizeNorms: true }));
    expect(odd.code).toBe('SHAPE_NOT_PACKABLE');
    expect(odd.tensor).toBe('model.layers.0.input_layernorm.weight');
    expect(odd.message).toContain('[63]');
    const vector = failure(() => planQuantization(tensors.slice(5), 'int8', { quantizeNorms: true }));
    expect(vector.code).toBe('NOT_A_MATRIX');
    expect(vector.tensor).toBe('model.norm.weight');
    const ints = failure(() => planQuantization([{ name: 'lm_head.weight', dtype: 'I32', shape: [4, 4] }], 'nf4', { quantizeLmHead: true }));
    expect(ints.code).toBe('UNSUPPORTED_TYPE');
  });
});
