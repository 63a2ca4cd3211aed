// An independent float64 forward pass of a Llama-family model, written as plain
// loops straight from the transformers modelling code (LlamaRMSNorm,
// rotate_half rotary embedding, repeat_kv grouped-query attention, SiLU MLP;
// Qwen3Attention's q_norm / k_norm on each head before the rotary embedding).
// It reads config.json fields itself and shares no code with the engine.
import type { InMemoryTensor } from '../weights/tensor-reader.js';

export interface ReferenceOptions {
  skipLayers?: number[];
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

/** y = W x (+ b) with W stored [out, in]. */
function linear(weights: Weights, name: string, x: Float64Array, outDim: number): Float64Array {
  const w = weight(weights, `${name}.weight`);
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

function rmsNorm(x: Float64Array, w: Float32Array, eps: number): Float64Array {
  let ms = 0;
  for (const v of x) ms += v * v;
  ms /= x.length;
  const r = 1 / Math.sqrt(ms + eps);
  return x.map((v, i) => v * r * w[i]);
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
  if (raw.model_type === 'mistral') return (raw.sliding_window as number | null | undefined) ?? null;
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
  const invFreq = inverseFrequencies(raw, hd);
  const skip = new Set(options.skipLayers ?? []);
  const half = hd / 2;
  const qkNorm = raw.model_type === 'qwen3';

  /** Qwen3RMSNorm over each head_dim slice of `vec` (in place). */
  const normHeads = (vec: Float64Array, heads: number, w: Float32Array): void => {
    for (let h = 0; h < heads; h++) vec.set(rmsNorm(vec.subarray(h * hd, (h + 1) * hd), w, eps), h * hd);
  };

  const rotate = (vec: Float64Array, heads: number, pos: number): void => {
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
  let x: Float64Array[] = tokens.map((id) => Float64Array.from(embed.subarray(id * H, (id + 1) * H)));
  const hidden: Float64Array[][] = [];
  for (let l = 0; l < L; l++) {
    hidden.push(x.map((v) => v.slice()));
    if (skip.has(l)) continue;
    const p = `model.layers.${l}`;
    const normed = x.map((v) => rmsNorm(v, weight(weights, `${p}.input_layernorm.weight`), eps));
    const q = normed.map((v, t) => {
      const out = linear(weights, `${p}.self_attn.q_proj`, v, nH * hd);
      if (qkNorm) normHeads(out, nH, weight(weights, `${p}.self_attn.q_norm.weight`));
      rotate(out, nH, t);
      return out;
    });
    const k = normed.map((v, t) => {
      const out = linear(weights, `${p}.self_attn.k_proj`, v, nKV * hd);
      if (qkNorm) normHeads(out, nKV, weight(weights, `${p}.self_attn.k_norm.weight`));
      rotate(out, nKV, t);
      return out;
    });
    const vv = normed.map((v) => linear(weights, `${p}.self_attn.v_proj`, v, nKV * hd));
    const window = slidingWindow(raw, l);
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
          scores.push(dot / Math.sqrt(hd));
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
      const o = linear(weights, `${p}.self_attn.o_proj`, attn[t], H);
      return v.map((a, i) => a + o[i]);
    });
    x = h1.map((v) => {
      const n = rmsNorm(v, weight(weights, `${p}.post_attention_layernorm.weight`), eps);
      const gate = linear(weights, `${p}.mlp.gate_proj`, n, I);
      const up = linear(weights, `${p}.mlp.up_proj`, n, I);
      const act = gate.map((g, i) => (g / (1 + Math.exp(-g))) * up[i]);
      const down = linear(weights, `${p}.mlp.down_proj`, act, H);
      return v.map((a, i) => a + down[i]);
    });
  }
  hidden.push(x.map((v) => v.slice()));
  const headName = raw.tie_word_embeddings === true ? 'model.embed_tokens' : 'lm_head';
  const logits = x.map((v) => linear(weights, headName, rmsNorm(v, weight(weights, 'model.norm.weight'), eps), V));
  return { logits, hidden };
}
