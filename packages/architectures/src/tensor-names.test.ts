import { describe, expect, it } from 'vitest';
import { layerTensorName, parseLayerTensorName } from './tensor-names.js';

describe('layer tensor names', () => {
  it('builds and parses model.layers.{i}.{suffix}', () => {
    expect(layerTensorName(12, 'mlp.up_proj.weight')).toBe('model.layers.12.mlp.up_proj.weight');
    expect(parseLayerTensorName('model.layers.12.mlp.up_proj.weight')).toEqual({ layer: 12, suffix: 'mlp.up_proj.weight' });
    for (let layer = 0; layer < 40; layer += 7) {
      expect(parseLayerTensorName(layerTensorName(layer, 'self_attn.q_proj.bias'))).toEqual({ layer, suffix: 'self_attn.q_proj.bias' });
    }
  });

  it('returns null for tensors outside the blocks and for malformed indices', () => {
    for (const name of ['model.embed_tokens.weight', 'model.norm.weight', 'lm_head.weight', 'model.layers.01.x', 'model.layers.-1.x', 'model.layers.3.']) {
      expect(parseLayerTensorName(name)).toBeNull();
    }
  });

  it('refuses a negative or fractional layer index', () => {
    expect(() => layerTensorName(-1, 'x')).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(() => layerTensorName(1.5, 'x')).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });
});
