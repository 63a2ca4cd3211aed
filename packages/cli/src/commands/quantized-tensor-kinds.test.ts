import { describe, expect, it } from 'vitest';
import type { DType } from '@layerprune/tensor-io';
import { quantizedTensorKinds } from './quantized-tensor-kinds.js';

describe('quantizedTensorKinds', () => {
  it('labels 4-bit weights with their type and everything stored beside them as state', () => {
    const w = 'model.layers.0.mlp.up_proj.weight';
    const names = [
      'model.embed_tokens.weight',
      w,
      `${w}.absmax`,
      `${w}.quant_map`,
      `${w}.nested_absmax`,
      `${w}.nested_quant_map`,
      `${w}.quant_state.bitsandbytes__fp4`,
    ];
    const kinds = quantizedTensorKinds(names, () => 'U8');
    expect(Object.fromEntries(kinds)).toEqual({
      [w]: 'fp4',
      [`${w}.absmax`]: 'state',
      [`${w}.quant_map`]: 'state',
      [`${w}.nested_absmax`]: 'state',
      [`${w}.nested_quant_map`]: 'state',
      [`${w}.quant_state.bitsandbytes__fp4`]: 'state',
    });
  });

  it('labels int8 weights by their I8 dtype and SCB sibling only', () => {
    const dtypes: Record<string, DType> = {
      'model.layers.0.self_attn.q_proj.weight': 'I8',
      'model.layers.0.self_attn.q_proj.SCB': 'F32',
      'model.layers.0.self_attn.q_proj.weight_format': 'U8',
      // An I8 tensor without SCB is not bitsandbytes int8.
      'model.layers.0.self_attn.k_proj.weight': 'I8',
    };
    const kinds = quantizedTensorKinds(Object.keys(dtypes), (n) => dtypes[n]);
    expect(Object.fromEntries(kinds)).toEqual({
      'model.layers.0.self_attn.q_proj.weight': 'int8',
      'model.layers.0.self_attn.q_proj.SCB': 'state',
      'model.layers.0.self_attn.q_proj.weight_format': 'state',
    });
  });

  it('finds nothing in a plain model', () => {
    expect(quantizedTensorKinds(['model.norm.weight', 'lm_head.weight'], () => 'F32').size).toBe(0);
  });
});
