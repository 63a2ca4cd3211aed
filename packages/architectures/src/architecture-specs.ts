// One record of data per model_type: everything that differs between the decoder
// families this project prunes. Parsing (parse-architecture-config.ts), the tensor
// list (expected-model-tensors.ts), per-layer attention types (layer-types.ts) and
// what each engine runs (engine-support.ts) read these records; nothing else in
// the project branches on a model_type string. Defaults are those of the
// transformers config class, for fields save_pretrained may omit.

export type ModelType = 'llama' | 'mistral' | 'qwen2' | 'qwen3' | 'gemma2' | 'gemma3_text' | 'phi3';

/** How a family decides which layers attend through a sliding window when config.json has no `layer_types`. */
export type SlidingRule =
  /** Never (Llama). */
  | 'none'
  /** Every layer when `sliding_window` is set (Mistral, Phi-3). */
  | 'all-when-set'
  /** Layers >= max_window_layers (default 28), only when use_sliding_window is true (Qwen2, Qwen3). */
  | 'qwen-max-window-layers'
  /** Layer i slides when (i + 1) % sliding_window_pattern != 0 (Gemma 2: pattern 2, i.e. even layers; Gemma 3: pattern 6). */
  | 'pattern';

export interface ArchitectureSpec {
  readonly modelType: ModelType;
  /** The transformers class this mirrors, for messages and docs. */
  readonly className: string;
  readonly defaults: {
    readonly maxPositionEmbeddings: number;
    readonly rmsNormEps: number;
    readonly ropeTheta: number;
    /** null: hidden_size / num_attention_heads. */
    readonly headDim: number | null;
    readonly hiddenAct: string;
    readonly tieWordEmbeddings: boolean;
    /** Gemma: sliding_window default (4096); null when the family has none by default. */
    readonly slidingWindow: number | null;
    /** Gemma 2: attn_logit_softcapping 50 and final_logit_softcapping 30 when absent; null elsewhere. */
    readonly attnLogitSoftcap: number | null;
    readonly finalLogitSoftcap: number | null;
  };
  /** Where the MLP activation is named: `hidden_act`, or Gemma's `hidden_activation` (falling back to hidden_act). */
  readonly activationField: 'hidden_act' | 'hidden_activation';
  /** Phi-3: q, k and v in one `self_attn.qkv_proj` [q + 2 kv, hidden], gate and up in one `mlp.gate_up_proj` [2 intermediate, hidden]. */
  readonly fusedProjections: boolean;
  /** Which linear modules carry a bias: none; qwen2's q/k/v always; q/k/v/o when `attention_bias` is true. */
  readonly bias: 'none' | 'qkv' | 'attention_bias';
  /** Llama's `mlp_bias`: gate/up/down biases when true. */
  readonly mlpBiasField: boolean;
  /** Per-head RMSNorm of queries and keys before rotary (`self_attn.q_norm` / `k_norm`, [head_dim]). */
  readonly qkNorm: boolean;
  /** Gemma: RMSNorm scales by (1 + w), not w. */
  readonly normWeightOffset: 0 | 1;
  /** Gemma: post_attention_layernorm normalises the attention output before the residual; pre_/post_feedforward_layernorm wrap the MLP. */
  readonly sandwichNorms: boolean;
  /** Gemma: embeddings multiplied by sqrt(hidden_size). */
  readonly scaleEmbeddings: boolean;
  /** Gemma: attention scale query_pre_attn_scalar^-0.5; attn_logit_softcapping and final_logit_softcapping read. */
  readonly gemmaAttention: boolean;
  readonly sliding: SlidingRule;
  /** Gemma 2 / 3 default sliding_window_pattern. */
  readonly slidingPattern: number | null;
  /** Gemma 3: sliding layers use rope_local_base_freq (default 10000) and no rope scaling. */
  readonly localRope: boolean;
  /** rope_type values of rope_scaling the engines compute; others are refused by engineSupport (UNSUPPORTED_CONFIG). */
  readonly ropeTypes: readonly string[];
}

/** What model's ropeInvFreq computes (transformers' ROPE_INIT_FUNCTIONS of the same names). */
const ROPE_TYPES = ['default', 'linear', 'llama3'] as const;

const LLAMA: ArchitectureSpec = {
  modelType: 'llama',
  className: 'LlamaForCausalLM',
  defaults: { maxPositionEmbeddings: 2048, rmsNormEps: 1e-6, ropeTheta: 10000, headDim: null, hiddenAct: 'silu', tieWordEmbeddings: false, slidingWindow: null, attnLogitSoftcap: null, finalLogitSoftcap: null },
  activationField: 'hidden_act',
  fusedProjections: false,
  bias: 'attention_bias',
  mlpBiasField: true,
  qkNorm: false,
  normWeightOffset: 0,
  sandwichNorms: false,
  scaleEmbeddings: false,
  gemmaAttention: false,
  sliding: 'none',
  slidingPattern: null,
  localRope: false,
  ropeTypes: ROPE_TYPES,
};

const GEMMA2: ArchitectureSpec = {
  ...LLAMA,
  modelType: 'gemma2',
  className: 'Gemma2ForCausalLM',
  defaults: { maxPositionEmbeddings: 8192, rmsNormEps: 1e-6, ropeTheta: 10000, headDim: 256, hiddenAct: 'gelu_pytorch_tanh', tieWordEmbeddings: true, slidingWindow: 4096, attnLogitSoftcap: 50, finalLogitSoftcap: 30 },
  activationField: 'hidden_activation',
  mlpBiasField: false,
  normWeightOffset: 1,
  sandwichNorms: true,
  scaleEmbeddings: true,
  gemmaAttention: true,
  sliding: 'pattern',
  slidingPattern: 2,
};

export const ARCHITECTURE_SPECS: Readonly<Record<ModelType, ArchitectureSpec>> = {
  llama: LLAMA,
  mistral: {
    ...LLAMA,
    modelType: 'mistral',
    className: 'MistralForCausalLM',
    defaults: { ...LLAMA.defaults, maxPositionEmbeddings: 4096 * 32 },
    bias: 'none',
    mlpBiasField: false,
    sliding: 'all-when-set',
  },
  qwen2: {
    ...LLAMA,
    modelType: 'qwen2',
    className: 'Qwen2ForCausalLM',
    defaults: { ...LLAMA.defaults, maxPositionEmbeddings: 32768 },
    bias: 'qkv',
    mlpBiasField: false,
    sliding: 'qwen-max-window-layers',
  },
  qwen3: {
    ...LLAMA,
    modelType: 'qwen3',
    className: 'Qwen3ForCausalLM',
    // Qwen3Config defaults head_dim to 128, not hidden_size / num_attention_heads.
    defaults: { ...LLAMA.defaults, maxPositionEmbeddings: 32768, headDim: 128 },
    mlpBiasField: false,
    qkNorm: true,
    sliding: 'qwen-max-window-layers',
  },
  gemma2: GEMMA2,
  gemma3_text: {
    ...GEMMA2,
    modelType: 'gemma3_text',
    className: 'Gemma3ForCausalLM',
    defaults: { ...GEMMA2.defaults, maxPositionEmbeddings: 131072, ropeTheta: 1_000_000, attnLogitSoftcap: null, finalLogitSoftcap: null },
    qkNorm: true,
    slidingPattern: 6,
    localRope: true,
  },
  phi3: {
    ...LLAMA,
    modelType: 'phi3',
    className: 'Phi3ForCausalLM',
    defaults: { ...LLAMA.defaults, maxPositionEmbeddings: 4096, rmsNormEps: 1e-5 },
    fusedProjections: true,
    bias: 'none',
    mlpBiasField: false,
    sliding: 'all-when-set',
    // longrope (Phi-3-*-128k, Phi-3.5) switches its factors with the sequence length and
    // rescales cos/sin: not in ROPE_TYPES, so engines refuse it (UNSUPPORTED_CONFIG) while
    // inspect and prune, which work by tensor name, still accept the model.
  },
};

export const SUPPORTED_MODEL_TYPES: readonly ModelType[] = Object.keys(ARCHITECTURE_SPECS) as ModelType[];

/** The spec of a model_type, or null when the project does not know it. */
export function architectureSpec(modelType: string): ArchitectureSpec | null {
  return Object.hasOwn(ARCHITECTURE_SPECS, modelType) ? ARCHITECTURE_SPECS[modelType as ModelType] : null;
}
