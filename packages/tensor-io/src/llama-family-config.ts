// Hugging Face config.json -> a validated, normalised config for the
// Llama-family architectures this project prunes. Defaults follow
// transformers' LlamaConfig / MistralConfig / Qwen2Config / Qwen3Config for
// fields that save_pretrained may omit; the size fields must be present.
import { TensorIoError } from './errors.js';

export type ModelType = 'llama' | 'mistral' | 'qwen2' | 'qwen3';

export const SUPPORTED_MODEL_TYPES: readonly ModelType[] = ['llama', 'mistral', 'qwen2', 'qwen3'];

export interface LlamaFamilyConfig {
  modelType: ModelType;
  hiddenSize: number;
  intermediateSize: number;
  numHiddenLayers: number;
  numAttentionHeads: number;
  /** Defaults to numAttentionHeads (plain multi-head attention). */
  numKeyValueHeads: number;
  /** config.head_dim ?? hiddenSize / numAttentionHeads (qwen3: ?? 128, Qwen3Config's default). */
  headDim: number;
  rmsNormEps: number;
  /** rope_theta, default 10000. */
  ropeTheta: number;
  /** From rope_scaling (rope_type ?? type); other fields kept verbatim. */
  ropeScaling: null | ({ ropeType: string; factor?: number } & Record<string, unknown>);
  vocabSize: number;
  /** Default false. */
  tieWordEmbeddings: boolean;
  maxPositionEmbeddings: number;
  /** torch_dtype (or the newer `dtype`), null when absent. */
  torchDtype: string | null;
  /** qwen2: true; llama and qwen3: attention_bias ?? false; mistral: false. */
  attentionBias: boolean;
  /**
   * Per-head RMSNorm of queries and keys (qwen3: `self_attn.q_norm.weight` and
   * `self_attn.k_norm.weight`, [head_dim], eps rms_norm_eps), applied after the
   * q/k projections and before the rotary embedding. False for the other types.
   */
  qkNorm: boolean;
  /** hidden_act ?? 'silu'. */
  hiddenAct: string;
  /** Mistral's sliding_window; Qwen2's and Qwen3's only when use_sliding_window is true; otherwise null. */
  slidingWindow: number | null;
  bosTokenId: number | null;
  eosTokenId: number | number[] | null;
}

const DEFAULT_MAX_POSITIONS: Readonly<Record<ModelType, number>> = { llama: 2048, mistral: 4096 * 32, qwen2: 32768, qwen3: 32768 };

class ConfigReader {
  constructor(
    readonly raw: Record<string, unknown>,
    readonly file: string,
  ) {}

  invalid(field: string, what: string): TensorIoError {
    return new TensorIoError('CONFIG_INVALID', `${this.file}: field ${field} ${what}, got ${JSON.stringify(this.raw[field]) ?? 'nothing'}`, {
      file: this.file,
      field,
    });
  }

  has(field: string): boolean {
    return this.raw[field] !== undefined && this.raw[field] !== null;
  }

  positiveInt(field: string, fallback?: number): number {
    if (!this.has(field)) {
      if (fallback !== undefined) return fallback;
      throw new TensorIoError('CONFIG_INVALID', `${this.file}: required field ${field} is missing`, { file: this.file, field });
    }
    const value = this.raw[field];
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) throw this.invalid(field, 'must be a positive integer');
    return value;
  }

  positiveNumber(field: string, fallback: number): number {
    if (!this.has(field)) return fallback;
    const value = this.raw[field];
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) throw this.invalid(field, 'must be a positive number');
    return value;
  }

  boolean(field: string, fallback: boolean): boolean {
    if (!this.has(field)) return fallback;
    const value = this.raw[field];
    if (typeof value !== 'boolean') throw this.invalid(field, 'must be true or false');
    return value;
  }

  string(field: string, fallback: string | null): string | null {
    if (!this.has(field)) return fallback;
    const value = this.raw[field];
    if (typeof value !== 'string') throw this.invalid(field, 'must be a string');
    return value;
  }

  tokenId(field: string): number | null {
    if (!this.has(field)) return null;
    const value = this.raw[field];
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) throw this.invalid(field, 'must be a non-negative integer');
    return value;
  }

  tokenIds(field: string): number | number[] | null {
    const value = this.raw[field];
    if (!Array.isArray(value)) return this.tokenId(field);
    if (!value.every((id) => typeof id === 'number' && Number.isSafeInteger(id) && id >= 0)) {
      throw this.invalid(field, 'must be a token id or a list of token ids');
    }
    return [...(value as number[])];
  }
}

function parseRopeScaling(reader: ConfigReader): LlamaFamilyConfig['ropeScaling'] {
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
    throw new TensorIoError('CONFIG_INVALID', `${file}: field ${field}.rope_type (or .type) must be a string`, { file, field: `${field}.rope_type` });
  }
  const factor = scaling.factor;
  if (factor !== undefined && (typeof factor !== 'number' || !Number.isFinite(factor) || factor <= 0)) {
    throw new TensorIoError('CONFIG_INVALID', `${file}: field ${field}.factor must be a positive number`, { file, field: `${field}.factor` });
  }
  return { ...scaling, ropeType, ...(factor === undefined ? {} : { factor }) };
}

/** Validates a parsed config.json (CONFIG_INVALID / UNSUPPORTED_ARCHITECTURE naming the field). */
export function parseLlamaFamilyConfig(raw: unknown, file: string): LlamaFamilyConfig {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new TensorIoError('CONFIG_INVALID', `${file}: config must be a JSON object`, { file });
  }
  const reader = new ConfigReader(raw as Record<string, unknown>, file);
  const modelType = reader.raw.model_type;
  if (typeof modelType !== 'string' || !(SUPPORTED_MODEL_TYPES as readonly string[]).includes(modelType)) {
    throw new TensorIoError(
      'UNSUPPORTED_ARCHITECTURE',
      `${file}: model_type ${JSON.stringify(modelType) ?? 'missing'} is not supported (supported: ${SUPPORTED_MODEL_TYPES.join(', ')})`,
      { file, field: 'model_type', limit: SUPPORTED_MODEL_TYPES.join(', ') },
    );
  }
  const type = modelType as ModelType;
  const hiddenSize = reader.positiveInt('hidden_size');
  const numAttentionHeads = reader.positiveInt('num_attention_heads');
  const numKeyValueHeads = reader.positiveInt('num_key_value_heads', numAttentionHeads);
  if (numAttentionHeads % numKeyValueHeads !== 0) {
    throw reader.invalid('num_key_value_heads', `must divide num_attention_heads (${numAttentionHeads})`);
  }
  // Qwen3Config defaults head_dim to 128 (not hidden_size / num_attention_heads).
  const defaultHeadDim = type === 'qwen3' ? 128 : hiddenSize / numAttentionHeads;
  if (!reader.has('head_dim') && !Number.isInteger(defaultHeadDim)) {
    throw reader.invalid('hidden_size', `must be a multiple of num_attention_heads (${numAttentionHeads}) when head_dim is absent`);
  }
  const headDim = reader.positiveInt('head_dim', defaultHeadDim);
  const ropeTheta = reader.has('rope_theta')
    ? reader.positiveNumber('rope_theta', 10000)
    : (((reader.raw.rope_parameters as Record<string, unknown> | undefined)?.rope_theta as number | undefined) ?? 10000);
  if (typeof ropeTheta !== 'number' || !Number.isFinite(ropeTheta) || ropeTheta <= 0) {
    throw reader.invalid('rope_parameters', 'rope_theta must be a positive number');
  }
  let slidingWindow: number | null = null;
  if (type === 'mistral' && reader.has('sliding_window')) slidingWindow = reader.positiveInt('sliding_window');
  if ((type === 'qwen2' || type === 'qwen3') && reader.boolean('use_sliding_window', false) && reader.has('sliding_window')) {
    slidingWindow = reader.positiveInt('sliding_window');
  }
  const torchDtype = reader.has('torch_dtype') ? reader.string('torch_dtype', null) : reader.string('dtype', null);
  return {
    modelType: type,
    hiddenSize,
    intermediateSize: reader.positiveInt('intermediate_size'),
    numHiddenLayers: reader.positiveInt('num_hidden_layers'),
    numAttentionHeads,
    numKeyValueHeads,
    headDim,
    rmsNormEps: reader.positiveNumber('rms_norm_eps', 1e-6),
    ropeTheta,
    ropeScaling: parseRopeScaling(reader),
    vocabSize: reader.positiveInt('vocab_size'),
    tieWordEmbeddings: reader.boolean('tie_word_embeddings', false),
    maxPositionEmbeddings: reader.positiveInt('max_position_embeddings', DEFAULT_MAX_POSITIONS[type]),
    torchDtype,
    attentionBias: type === 'qwen2' ? true : type === 'llama' || type === 'qwen3' ? reader.boolean('attention_bias', false) : false,
    qkNorm: type === 'qwen3',
    hiddenAct: reader.string('hidden_act', 'silu') as string,
    slidingWindow,
    bosTokenId: reader.tokenId('bos_token_id'),
    eosTokenId: reader.tokenIds('eos_token_id'),
  };
}
