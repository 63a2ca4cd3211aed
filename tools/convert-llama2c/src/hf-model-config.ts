import type { Llama2cHeader } from './llama2c-header.js';

/** Token ids every llama2.c tokenizer uses (sentencepiece defaults: unk 0, bos 1, eos 2). */
export const LLAMA2C_SPECIAL_IDS = { unk: 0, bos: 1, eos: 2 } as const;

/**
 * config.json of the converted model. The constants are llama2.c's: run.c's
 * rmsnorm adds 1e-5, its rotary base is 10000, its FFN is SiLU-gated, and it
 * computes in fp32.
 */
export function hfModelConfig(header: Llama2cHeader, name: string | null): Record<string, unknown> {
  return {
    ...(name === null ? {} : { _name_or_path: name }),
    architectures: ['LlamaForCausalLM'],
    model_type: 'llama',
    hidden_size: header.dim,
    intermediate_size: header.hiddenDim,
    num_hidden_layers: header.nLayers,
    num_attention_heads: header.nHeads,
    num_key_value_heads: header.nKvHeads,
    head_dim: header.headSize,
    hidden_act: 'silu',
    max_position_embeddings: header.seqLen,
    rms_norm_eps: 1e-5,
    rope_theta: 10000,
    rope_scaling: null,
    attention_bias: false,
    attention_dropout: 0,
    mlp_bias: false,
    initializer_range: 0.02,
    pretraining_tp: 1,
    vocab_size: header.vocabSize,
    tie_word_embeddings: header.sharedClassifier,
    bos_token_id: LLAMA2C_SPECIAL_IDS.bos,
    eos_token_id: LLAMA2C_SPECIAL_IDS.eos,
    torch_dtype: 'float32',
    use_cache: true,
  };
}

/**
 * generation_config.json. llama2.c trains with a BOS before every document and
 * no EOS, and run.c stops when it samples BOS; listing both ids as stop tokens
 * makes Hugging Face generation stop where run.c stops.
 */
export function hfGenerationConfig(): Record<string, unknown> {
  return {
    _from_model_config: true,
    bos_token_id: LLAMA2C_SPECIAL_IDS.bos,
    eos_token_id: [LLAMA2C_SPECIAL_IDS.eos, LLAMA2C_SPECIAL_IDS.bos],
  };
}
