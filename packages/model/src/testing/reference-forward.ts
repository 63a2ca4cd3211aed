// An independent float64 forward pass of a Llama-family model, written as plain
// loops straight from the transformers modelling code (LlamaRMSNorm,
// rotate_half rotary embedding, repeat_kv grouped-query attention, SiLU MLP;
// Qwen3Attention's q_norm / k_norm on each head before the rotary embedding).
// Gemma 2 / Gemma 3 text follow Gemma2DecoderLayer / Gemma3DecoderLayer: RMSNorm
// scaling by (1 + w), embeddings times sqrt(hidden), sandwich norms around both
// sublayers, query_pre_attn_scalar^-0.5, score and logit softcapping, GeGLU
// (tanh GELU) MLP, sliding layers by sliding_window_pattern, and Gemma 3's q/k
// norms and local rotary theta (rope_local_base_freq, unscaled) on sliding layers.
// Phi-3 (Phi3DecoderLayer) is the Llama block reading its fused qkv_proj / gate_up_proj.
// It reads config.json fields itself and shares no code with the engine.
import type { InMemoryTensor } from '../weights/tensor-reader.js';

export interface ReferenceOptions {
  skipLayers?: number[];
  /** Overrides the family's RMSNorm weight offset (Gemma 1, else 0): only to show a test notices it. */
  normOffset?: number;
}

export interface ReferenceResult {
  /** [position][vocab] */
  logits: Float64Array[];
  /** [layer 0..L][position][hidden]: inputs of every block, the last one before the final norm. */
  hidden: Float64Array[][];
}

type Weights = ReadonlyMap<string, InMemoryTensor>;

function weight(weights: Weights, name: string): Float32Array {
  const t = weights.get(name);
  if (!t) throw new Error(`reference: missing ${name}`);
  return t.data;
}

/**
 * Phi-3 stores q/k/v as one `self_attn.qkv_proj` and gate/up as one `mlp.gate_up_proj`.
 * Phi3Attention slices qkv at query_pos = heads * head_dim and query_pos + kv_heads *
 * head_dim (q, then k, then v); Phi3MLP chunks gate_up in two (gate, then up). So, from
 * the end of the fused rows: v and up are the last `outDim` rows, k the `outDim` before.
 */
function phi3FusedRows(weights: Weights, name: string, inDim: number, outDim: number): Float32Array | null {
  const match = /^(.*)\.(self_attn\.(q|k|v)_proj|mlp\.(gate|up)_proj)$/.exec(name);
  if (!match) return null;
  const fused = weights.get(`${match[1]}.${match[3] ? 'self_attn.qkv_proj' : 'mlp.gate_up_proj'}.weight`);
  if (!fused) return null;
  const rows = fused.shape[0];
  const part = match[3] ?? match[4];
  const start = part === 'q' || part === 'gate' ? 0 : part === 'k' ? rows - 2 * outDim : rows - outDim;
  return fused.data.subarray(start * inDim, (start + outDim) * inDim);
}

/** y = W x (+ b) with W stored [out, in]. */
function linear(weights: Weights, name: string, x: Float64Array, outDim: number): Float64Array {
  const w = (weights.has(`${name}.weight`) ? null : phi3FusedRows(weights, name, x.length, outDim)) ?? weight(weights, `${name}.weight`);
  const bias = weights.get(`${name}.bias`)?.data;
  const inDim = x.length;
  const y = new Float64Array(outDim);
  for (let o = 0; o < outDim; o++) {
    let sum = bias ? bias[o] : 0;
    for (let i = 0; i < inDim; i++) sum += w[o * inDim + i] * x[i];
    y[o] = sum;
  }
  return y;
}

/** x * rsqrt(mean(x^2) + eps) * (offset + w): LlamaRMSNorm with offset 0, GemmaRMSNorm with 1. */
function rmsNorm(x: Float64Array, w: Float32Array, eps: number, offset = 0): Float64Array {
  let ms = 0;
  for (const v of x) ms += v * v;
  ms /= x.length;
  const r = 1 / Math.sqrt(ms + eps);
  return x.map((v, i) => v * r * (offset + w[i]));
}

/** transformers' gelu_pytorch_tanh. */
function geluTanh(x: number): number {
  return 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)));
}

/** c * tanh(x / c), or x when c is null. */
function softcap(x: number, c: number | null): number {
  return c === null ? x : c * Math.tanh(x / c);
}

/** A Gemma softcapping field: absent means the Gemma 2 config default (Gemma 3: none); null turns it off. */
function softcapField(raw: Record<string, unknown>, field: string, gemma2Default: number): number | null {
  const value = raw[field];
  if (value === undefined) return raw.model_type === 'gemma2' ? gemma2Default : null;
  return value as number | null;
}

/** inv_freq per transformers' rope init functions, in plain float64. */
function inverseFrequencies(raw: Record<string, unknown>, headDim: number): number[] {
  const theta = (raw.rope_theta as number | undefined) ?? 10000;
  const freqs: number[] = [];
  for (let i = 0; i < headDim; i += 2) freqs.push(1 / Math.pow(theta, i / headDim));
  const scaling = raw.rope_scaling as Record<string, number | string> | null | undefined;
  if (!scaling) return freqs;
  const type = scaling.rope_type ?? scaling.type;
  const factor = scaling.factor as number;
  if (type === 'linear') return freqs.map((f) => f / factor);
  if (type === 'llama3') {
    const low = scaling.low_freq_factor as number;
    const high = scaling.high_freq_factor as number;
    const oldLen = scaling.original_max_position_embeddings as number;
    return freqs.map((f) => {
      const wavelen = (2 * Math.PI) / f;
      if (wavelen < oldLen / high) return f; // high frequency: unchanged
      if (wavelen > oldLen / low) return f / factor; // low frequency: scaled
      const smooth = (oldLen / wavelen - low) / (high - low);
      return (1 - smooth) * (f / factor) + smooth * f;
    });
  }
  throw new Error(`reference: rope type ${String(type)}`);
}

function slidingWindow(raw: Record<string, unknown>, layer: number): number | null {
  const types = raw.layer_types as string[] | undefined;
  if (types) return types[layer] === 'sliding_attention' ? (raw.sliding_window as number) : null;
  if (raw.model_type === 'gemma2' || raw.model_type === 'gemma3_text') {
    // Gemma2Config / Gemma3TextConfig: layer i slides unless (i + 1) is a multiple of the pattern (2 / 6).
    const pattern = (raw.sliding_window_pattern as number | undefined) ?? (raw.model_type === 'gemma2' ? 2 : 6);
    return (layer + 1) % pattern !== 0 ? ((raw.sliding_window as number | undefined) ?? 4096) : null;
  }
  // MistralConfig, Phi3Config: every layer attends through sliding_window when it is set.
  if (raw.model_type === 'mistral' || raw.model_type === 'phi3') return (raw.sliding_window as number | null | undefined) ?? null;
  if ((raw.model_type === 'qwen2' || raw.model_type === 'qwen3') && raw.use_sliding_window === true) {
    return layer >= ((raw.max_window_layers as number | undefined) ?? 28) ? (raw.sliding_window as number) : null;
  }
  return null;
}

export function referenceForward(raw: Record<string, unknown>, weights: Weights, tokens: number[], options: ReferenceOptions = {}): ReferenceResult {
  const H = raw.hidden_size as number;
  const nH = raw.num_attention_heads as number;
  const nKV = (raw.num_key_value_heads as number | undefined) ?? nH;
  const hd = (raw.head_dim as number | undefined) ?? H / nH;
  const I = raw.intermediate_size as number;
  const V = raw.vocab_size as number;
  const L = raw.num_hidden_layers as number;
  const eps = (raw.rms_norm_eps as number | undefined) ?? 1e-6;
  const gemma = raw.model_type === 'gemma2' || raw.model_type === 'gemma3_text';
  const gemma3 = raw.model_type === 'gemma3_text';
  const invFreq = inverseFrequencies(gemma3 ? { rope_theta: 1_000_000, ...raw } : raw, hd);
  // Gemma3's rotary_emb_local: rope_local_base_freq with the default (unscaled) rope, for sliding layers.
  const localInvFreq = gemma3 ? inverseFrequencies({ rope_theta: (raw.rope_local_base_freq as number | undefined) ?? 10000 }, hd) : null;
  const skip = new Set(options.skipLayers ?? []);
  const half = hd / 2;
  const qkNorm = raw.model_type === 'qwen3' || gemma3;
  const offset = options.normOffset ?? (gemma ? 1 : 0);
  const norm = (x: Float64Array, name: string): Float64Array => rmsNorm(x, weight(weights, name), eps, offset);
  const scale = gemma ? ((raw.query_pre_attn_scalar as number | undefined) ?? 256) ** -0.5 : 1 / Math.sqrt(hd);
  const attnCap = gemma ? softcapField(raw, 'attn_logit_softcapping', 50) : null;
  const finalCap = gemma ? softcapField(raw, 'final_logit_softcapping', 30) : null;

  /** Qwen3RMSNorm / Gemma3RMSNorm over each head_dim slice of `vec` (in place). */
  const normHeads = (vec: Float64Array, heads: number, w: Float32Array): void => {
    for (let h = 0; h < heads; h++) vec.set(rmsNorm(vec.subarray(h * hd, (h + 1) * hd), w, eps, offset), h * hd);
  };

  const rotate = (vec: Float64Array, heads: number, pos: number, invFreq: number[]): void => {
    for (let h = 0; h < heads; h++) {
      for (let i = 0; i < half; i++) {
        const a = vec[h * hd + i];
        const b = vec[h * hd + half + i];
        const angle = pos * invFreq[i];
        const c = Math.cos(angle);
        const s = Math.sin(angle);
        // x * cos + rotate_half(x) * sin, rotate_half(x) = (-x2, x1)
        vec[h * hd + i] = a * c - b * s;
        vec[h * hd + half + i] = b * c + a * s;
      }
    }
  };

  const embed = weight(weights, 'model.embed_tokens.weight');
  const embedScale = gemma ? Math.sqrt(H) : 1;
  let x: Float64Array[] = tokens.map((id) => Float64Array.from(embed.subarray(id * H, (id + 1) * H), (v) => v * embedScale));
  const hidden: Float64Array[][] = [];
  for (let l = 0; l < L; l++) {
    hidden.push(x.map((v) => v.slice()));
    if (skip.has(l)) continue;
    const p = `model.layers.${l}`;
    const window = slidingWindow(raw, l);
    const layerFreq = localInvFreq !== null && window !== null ? localInvFreq : invFreq;
    const normed = x.map((v) => norm(v, `${p}.input_layernorm.weight`));
    const q = normed.map((v, t) => {
      const out = linear(weights, `${p}.self_attn.q_proj`, v, nH * hd);
      if (qkNorm) normHeads(out, nH, weight(weights, `${p}.self_attn.q_norm.weight`));
      rotate(out, nH, t, layerFreq);
      return out;
    });
    const k = normed.map((v, t) => {
      const out = linear(weights, `${p}.self_attn.k_proj`, v, nKV * hd);
      if (qkNorm) normHeads(out, nKV, weight(weights, `${p}.self_attn.k_norm.weight`));
      rotate(out, nKV, t, layerFreq);
      return out;
    });
    const vv = normed.map((v) => linear(weights, `${p}.self_attn.v_proj`, v, nKV * hd));
    const attn = q.map((qt, t) => {
      const out = new Float64Array(nH * hd);
      for (let h = 0; h < nH; h++) {
        const g = Math.floor(h / (nH / nKV));
        const scores: number[] = [];
        const keys: number[] = [];
        for (let j = 0; j <= t; j++) {
          if (window !== null && t - j >= window) continue;
          let dot = 0;
          for (let d = 0; d < hd; d++) dot += qt[h * hd + d] * k[j][g * hd + d];
          // Gemma 2 caps the scaled score before the (here: skipped) masked keys and the softmax.
          scores.push(softcap(dot * scale, attnCap));
          keys.push(j);
        }
        const max = Math.max(...scores);
        const exps = scores.map((s) => Math.exp(s - max));
        const sum = exps.reduce((a, b) => a + b, 0);
        keys.forEach((j, n) => {
          for (let d = 0; d < hd; d++) out[h * hd + d] += (exps[n] / sum) * vv[j][g * hd + d];
        });
      }
      return out;
    });
    const h1 = x.map((v, t) => {
      const linearOut = linear(weights, `${p}.self_attn.o_proj`, attn[t], H);
      // Gemma: post_attention_layernorm normalises the attention output, before the residual add.
      const o = gemma ? norm(linearOut, `${p}.post_attention_layernorm.weight`) : linearOut;
      return v.map((a, i) => a + o[i]);
    });
    x = h1.map((v) => {
      const n = norm(v, `${p}.${gemma ? 'pre_feedforward_layernorm' : 'post_attention_layernorm'}.weight`);
      const gate = linear(weights, `${p}.mlp.gate_proj`, n, I);
      const up = linear(weights, `${p}.mlp.up_proj`, n, I);
      const act = gate.map((g, i) => (gemma ? geluTanh(g) : g / (1 + Math.exp(-g))) * up[i]);
      const linearDown = linear(weights, `${p}.mlp.down_proj`, act, H);
      const down = gemma ? norm(linearDown, `${p}.post_feedforward_layernorm.weight`) : linearDown;
      return v.map((a, i) => a + down[i]);
    });
  }
  hidden.push(x.map((v) => v.slice()));
  const headName = raw.tie_word_embeddings === true ? 'model.embed_tokens' : 'lm_head';
  const logits = x.map((v) => linear(weights, headName, norm(v, 'model.norm.weight'), V).map((z) => softcap(z, finalCap)));
  return { logits, hidden };
}
