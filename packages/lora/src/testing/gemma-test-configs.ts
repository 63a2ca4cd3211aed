// The tiny Gemma 2 and Gemma 3 text configs the training tests of both trainers
// use, with every family feature biting: both softcaps, query_pre_attn_scalar,
// and (Gemma 3) sliding layers 0 and 2 on a local rope theta unlike the global
// layer's, which has linear scaling, plus q/k norms. `slidingWindow`: 4 makes the
// sliding layers' masks act on the tests' 6-token sequences.
import { parseArchitectureConfig, type ArchitectureConfig } from '@layerprune/architectures';

export function gemmaTestConfigs(slidingWindow: number): Record<'gemma2' | 'gemma3_text', ArchitectureConfig> {
  const sizes = { hidden_size: 16, intermediate_size: 24, num_attention_heads: 4, num_key_value_heads: 2, head_dim: 8, vocab_size: 11, rms_norm_eps: 1e-5, sliding_window: slidingWindow };
  return {
    gemma2: parseArchitectureConfig(
      { ...sizes, model_type: 'gemma2', num_hidden_layers: 2, query_pre_attn_scalar: 12, attn_logit_softcapping: 1.0, final_logit_softcapping: 3.0 },
      'gemma2/config.json',
    ),
    gemma3_text: parseArchitectureConfig(
      {
        ...sizes,
        model_type: 'gemma3_text',
        num_hidden_layers: 3,
        sliding_window_pattern: 2,
        query_pre_attn_scalar: 6,
        rope_theta: 10000,
        rope_local_base_freq: 50,
        rope_scaling: { rope_type: 'linear', factor: 4 },
      },
      'gemma3/config.json',
    ),
  };
}
