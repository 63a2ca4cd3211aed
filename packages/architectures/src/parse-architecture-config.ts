// Hugging Face config.json -> a validated, normalised config for the decoder
// families in architecture-specs.ts. Defaults are the transformers config class's
// for fields save_pretrained may omit; the size fields must be present. Every
// family difference an engine needs is a plain field here (offsets, scales,
// per-layer types), so engines never branch on model_type.
import { architectureSpec, SUPPORTED_MODEL_TYPES, type ModelType } from './architecture-specs.js';
import { ConfigReader } from './config-reader.js';
import { ArchitectureError } from './errors.js';
import { resolveLayerTypes, type LayerType } from './layer-types.js';

export interface ArchitectureConfig {
  modelType: ModelType;
  hiddenSize: number;
  intermediateSize: number;
  numHiddenLayers: number;
  numAttentionHeads: number;
  /** Defaults to numAttentionHeads (plain multi-head attention). */
  numKeyValueHeads: number;
  /** config.head_dim ?? the family default (qwen3 128, gemma 256) ?? hiddenSize / numAttentionHeads. */
  headDim: number;
  rmsNormEps: number;
  /** rope_theta (of the global layers, for Gemma 3). */
  ropeTheta: number;
  /** From rope_scaling (rope_type ?? type); other fields kept verbatim. */
  ropeScaling: null | ({ ropeType: string; factor?: number } & Record<string, unknown>);
  vocabSize: number;
  tieWordEmbeddings: boolean;
  maxPositionEmbeddings: number;
  /** torch_dtype (or the newer `dtype`), null when absent. */
  torchDtype: string | null;
  /** q/k/v (and o unless qwen2) projections have biases: qwen2 always; llama, qwen3, gemma with attention_bias. */
  attentionBias: boolean;
  /** Llama's mlp_bias: gate/up/down biases. */
  mlpBias: boolean;
  /** Per-head RMSNorm of queries and keys (`self_attn.q_norm` / `k_norm`, [head_dim]) after their projections, before rotary: qwen3, gemma3. */
  qkNorm: boolean;
  /** The MLP activation (hidden_act, or Gemma's hidden_activation): 'silu' or 'gelu_pytorch_tanh' are computed. */
  hiddenAct: string;
  /** The window length of the sliding layers (see layerTypes), null when no layer slides. */
  slidingWindow: number | null;
  /** Attention type of each layer, in checkpoint order. */
  layerTypes: LayerType[];
  bosTokenId: number | null;
  eosTokenId: number | number[] | null;
  /** Phi-3: `self_attn.qkv_proj` [q + 2 kv, hidden] and `mlp.gate_up_proj` [2 intermediate, hidden] instead of q/k/v and gate/up. */
  fusedProjections: boolean;
  /** RMSNorm scales by (normWeightOffset + w): 1 for Gemma, 0 otherwise. */
  normWeightOffset: number;
  /** Gemma: attention and MLP outputs are normalised before their residual adds (post_attention_layernorm, post_feedforward_layernorm), the MLP input by pre_feedforward_layernorm. */
  sandwichNorms: boolean;
  /** Token embeddings are multiplied by this: sqrt(hidden_size) for Gemma, 1 otherwise. */
  embeddingScale: number;
  /** Multiplies q.k: query_pre_attn_scalar^-0.5 for Gemma, head_dim^-0.5 otherwise. */
  attentionScale: number;
  /** Gemma 2: scores = c * tanh(scores / c) before the mask; null: none. */
  attnLogitSoftcap: number | null;
  /** Gemma 2: logits = c * tanh(logits / c); null: none. */
  finalLogitSoftcap: number | null;
  /** Gemma 3: the rope theta of sliding layers (rope_local_base_freq, unscaled); null: every layer uses ropeTheta and ropeScaling. */
  localRopeTheta: number | null;
}

function parseRopeScaling(reader: ConfigReader): ArchitectureConfig['ropeScaling'] {
  const { raw, file } = reader;
  // transformers 5 moves rope settings into rope_parameters; "default" means no scaling.
  let field = 'rope_scaling';
  let value = raw.rope_scaling;
  if (value === undefined || value === null) {
    const parameters = raw.rope_parameters;
    const type = typeof parameters === 'object' && parameters !== null ? (parameters as Record<string, unknown>).rope_type : undefined;
    if (type === undefined || type === 'default') return null;
    field = 'rope_parameters';
    value = parameters;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw reader.invalid(field, 'must be an object or null');
  const scaling = value as Record<string, unknown>;
  const ropeType = scaling.rope_type ?? scaling.type;
  if (typeof ropeType !== 'string') {
    throw new ArchitectureError('CONFIG_INVALID', `${file}: field ${field}.rope_type (or .type) must be a string`, { file, field: `${field}.rope_type` });
  }
  const factor = scaling.factor;
  if (factor !== undefined && (typeof factor !== 'number' || !Number.isFinite(factor) || factor <= 0)) {
    throw new ArchitectureError('CONFIG_INVALID', `${file}: field ${field}.factor must be a positive number`, { file, field: `${field}.factor` });
  }
  return { ...scaling, ropeType, ...(factor === undefined ? {} : { factor }) };
}

/** Validates a parsed config.json (CONFIG_INVALID / UNSUPPORTED_ARCHITECTURE naming the field). */
export function parseArchitectureConfig(raw: unknown, file: string): ArchitectureConfig {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new ArchitectureError('CONFIG_INVALID', `${file}: config must be a JSON object`, { file });
  }
  const reader = new ConfigReader(raw as Record<string, unknown>, file);
  const modelType = reader.raw.model_type;
  const spec = typeof modelType === 'string' ? architectureSpec(modelType) : null;
  if (spec === null) {
    // Gemma 3 4B and up are image-text models: their text decoder sits under text_config, with other tensor names.
    const hint = modelType === 'gemma3' ? ' (a Gemma 3 image-text model: only text-only gemma3_text checkpoints, such as gemma-3-1b, are supported)' : '';
    throw new ArchitectureError(
      'UNSUPPORTED_ARCHITECTURE',
      `${file}: model_type ${JSON.stringify(modelType) ?? 'missing'} is not supported${hint} (supported: ${SUPPORTED_MODEL_TYPES.join(', ')})`,
      { file, field: 'model_type', limit: SUPPORTED_MODEL_TYPES.join(', ') },
    );
  }
  const d = spec.defaults;
  const hiddenSize = reader.positiveInt('hidden_size');
  const numAttentionHeads = reader.positiveInt('num_attention_heads');
  const numKeyValueHeads = reader.positiveInt('num_key_value_heads', numAttentionHeads);
  if (numAttentionHeads % numKeyValueHeads !== 0) {
    throw reader.invalid('num_key_value_heads', `must divide num_attention_heads (${numAttentionHeads})`);
  }
  const defaultHeadDim = d.headDim ?? hiddenSize / numAttentionHeads;
  if (!reader.has('head_dim') && !Number.isInteger(defaultHeadDim)) {
    throw reader.invalid('hidden_size', `must be a multiple of num_attention_heads (${numAttentionHeads}) when head_dim is absent`);
  }
  const headDim = reader.positiveInt('head_dim', defaultHeadDim);
  const ropeTheta = reader.has('rope_theta')
    ? reader.positiveNumber('rope_theta', d.ropeTheta)
    : (((reader.raw.rope_parameters as Record<string, unknown> | undefined)?.rope_theta as number | undefined) ?? d.ropeTheta);
  if (typeof ropeTheta !== 'number' || !Number.isFinite(ropeTheta) || ropeTheta <= 0) {
    throw reader.invalid('rope_parameters', 'rope_theta must be a positive number');
  }
  const numHiddenLayers = reader.positiveInt('num_hidden_layers');
  let slidingWindow: number | null = null;
  if (spec.sliding === 'qwen-max-window-layers') {
    if (reader.boolean('use_sliding_window', false) && reader.has('sliding_window')) slidingWindow = reader.positiveInt('sliding_window');
  } else if (spec.sliding !== 'none') {
    slidingWindow = reader.has('sliding_window') ? reader.positiveInt('sliding_window') : d.slidingWindow;
  }
  // Absent: the class default (Gemma 2: 50 and 30); an explicit null turns softcapping off.
  const softcap = (field: string, fallback: number | null): number | null => (reader.raw[field] === undefined ? fallback : reader.optionalPositiveNumber(field));
  const torchDtype = reader.has('torch_dtype') ? reader.string('torch_dtype', null) : reader.string('dtype', null);
  const hiddenAct =
    spec.activationField === 'hidden_activation' && reader.has('hidden_activation')
      ? (reader.string('hidden_activation', d.hiddenAct) as string)
      : (reader.string('hidden_act', d.hiddenAct) as string);
  const attentionBias = spec.bias === 'qkv' ? true : spec.bias === 'attention_bias' ? reader.boolean('attention_bias', false) : false;
  return {
    modelType: spec.modelType,
    hiddenSize,
    intermediateSize: reader.positiveInt('intermediate_size'),
    numHiddenLayers,
    numAttentionHeads,
    numKeyValueHeads,
    headDim,
    rmsNormEps: reader.positiveNumber('rms_norm_eps', d.rmsNormEps),
    ropeTheta,
    ropeScaling: parseRopeScaling(reader),
    vocabSize: reader.positiveInt('vocab_size'),
    tieWordEmbeddings: reader.boolean('tie_word_embeddings', d.tieWordEmbeddings),
    maxPositionEmbeddings: reader.positiveInt('max_position_embeddings', d.maxPositionEmbeddings),
    torchDtype,
    attentionBias,
    mlpBias: spec.mlpBiasField ? reader.boolean('mlp_bias', false) : false,
    qkNorm: spec.qkNorm,
    hiddenAct,
    slidingWindow,
    layerTypes: resolveLayerTypes(reader, spec, numHiddenLayers, slidingWindow),
    bosTokenId: reader.tokenId('bos_token_id'),
    eosTokenId: reader.tokenIds('eos_token_id'),
    fusedProjections: spec.fusedProjections,
    normWeightOffset: spec.normWeightOffset,
    sandwichNorms: spec.sandwichNorms,
    // transformers multiplies by hidden_size ** 0.5 (in the activation dtype).
    embeddingScale: spec.scaleEmbeddings ? Math.sqrt(hiddenSize) : 1,
    attentionScale: spec.gemmaAttention ? reader.positiveNumber('query_pre_attn_scalar', 256) ** -0.5 : headDim ** -0.5,
    attnLogitSoftcap: spec.gemmaAttention ? softcap('attn_logit_softcapping', d.attnLogitSoftcap) : null,
    finalLogitSoftcap: spec.gemmaAttention ? softcap('final_logit_softcapping', d.finalLogitSoftcap) : null,
    localRopeTheta: spec.localRope ? reader.positiveNumber('rope_local_base_freq', 10000) : null,
  };
}
