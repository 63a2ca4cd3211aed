// An independent float64 Llama forward + LoRA + next-token loss, written as
// plainly as possible (loops per token, per head), for checking the tfjs
// implementation and its gradients by finite differences. With config.qkNorm
// (qwen3), every query and key head is RMS-normalised (q_norm / k_norm weights)
// before the rotary embedding, as transformers' Qwen3Attention does. The Gemma
// fields follow Gemma2DecoderLayer / Gemma3DecoderLayer: norms scale by
// (normWeightOffset + w), embeddings by embeddingScale, sandwich norms around
// attention and MLP, attentionScale, score softcap before the sliding / causal
// mask, tanh-GELU MLP, final logit softcap, and localRopeTheta (unscaled) on the
// sliding layers. Phi-3's fused qkv_proj / gate_up_proj are read (and adapted,
// keys `${layer}.qkv_proj`) whole, then sliced, as Phi3Attention / Phi3MLP do.
import type { TrainModelConfig } from '../train-model-config.js';
import { linearShapeOf } from './tiny-model.js';

export interface ReferenceAdapter {
  /** [r, in] */
  a: Float64Array;
  /** [out, r] */
  b: Float64Array;
  rank: number;
}

export type ReferenceAdapters = Map<string, ReferenceAdapter>; // key `${layer}.${module}` (a fused module's name on Phi-3)

/** Per adapted module (`${layer}.${module}`), the dropout mask [rows, in] of its input, rows = b * T + t. */
export type ReferenceMasks = Map<string, Float32Array>;

function linear(x: Float64Array, w: Float32Array, out: number, inF: number, adapter: ReferenceAdapter | undefined, scaling: number, bias?: Float32Array, mask?: Float32Array): Float64Array {
  const y = new Float64Array(out);
  for (let o = 0; o < out; o++) {
    let s = bias ? bias[o] : 0;
    for (let i = 0; i < inF; i++) s += w[o * inF + i] * x[i];
    y[o] = s;
  }
  if (adapter) {
    const r = adapter.rank;
    const ax = new Float64Array(r);
    for (let k = 0; k < r; k++) {
      let s = 0;
      for (let i = 0; i < inF; i++) s += adapter.a[k * inF + i] * x[i] * (mask ? mask[i] : 1);
      ax[k] = s;
    }
    for (let o = 0; o < out; o++) {
      let s = 0;
      for (let k = 0; k < r; k++) s += adapter.b[o * r + k] * ax[k];
      y[o] += scaling * s;
    }
  }
  return y;
}

function rms(x: Float64Array, w: Float32Array, eps: number, offset = 0): Float64Array {
  let ss = 0;
  for (const v of x) ss += v * v;
  const inv = 1 / Math.sqrt(ss / x.length + eps);
  return x.map((v, i) => v * inv * (offset + w[i]));
}

/** c * tanh(x / c); x when there is no cap. */
function cap(x: number, c: number | null | undefined): number {
  return c === null || c === undefined ? x : c * Math.tanh(x / c);
}

/** The MLP activation: SiLU, or gelu_pytorch_tanh. */
function activation(name: string, x: number): number {
  if (name === 'gelu_pytorch_tanh') return 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3)));
  return x / (1 + Math.exp(-x));
}

/**
 * Rotary inverse frequencies in float64, written independently of
 * @layerprune/model from transformers' ROPE_INIT_FUNCTIONS ("default",
 * "linear" and `_compute_llama3_parameters`).
 */
export function referenceInvFreq(config: TrainModelConfig): Float64Array {
  const d = config.headDim;
  const base = Float64Array.from({ length: d / 2 }, (_, i) => 1 / config.ropeTheta ** ((2 * i) / d));
  const scaling = config.ropeScaling;
  if (scaling === null || scaling.ropeType === 'default') return base;
  const num = (field: string): number => {
    const value = scaling[field];
    if (typeof value !== 'number') throw new Error(`reference: rope_scaling.${field} missing`);
    return value;
  };
  const factor = num('factor');
  if (scaling.ropeType === 'linear') return base.map((f) => f / factor);
  if (scaling.ropeType !== 'llama3') throw new Error(`reference: rope type ${scaling.ropeType}`);
  const low = num('low_freq_factor');
  const high = num('high_freq_factor');
  const oldContext = num('original_max_position_embeddings');
  const lowFreqWavelen = oldContext / low;
  const highFreqWavelen = oldContext / high;
  return base.map((f) => {
    const wavelen = (2 * Math.PI) / f;
    if (wavelen < highFreqWavelen) return f; // high frequencies: unchanged
    if (wavelen > lowFreqWavelen) return f / factor; // low frequencies: interpolated by factor
    const smooth = (oldContext / wavelen - low) / (high - low);
    return ((1 - smooth) * f) / factor + smooth * f;
  });
}

/** Rotary embedding on one head vector at position t (pairs i and i + d/2). */
function rope(v: Float64Array, t: number, invFreq: Float64Array): Float64Array {
  const d = v.length;
  const half = d / 2;
  const out = new Float64Array(d);
  for (let i = 0; i < half; i++) {
    const angle = t * invFreq[i];
    const c = Math.cos(angle);
    const s = Math.sin(angle);
    out[i] = v[i] * c - v[i + half] * s;
    out[i + half] = v[i + half] * c + v[i] * s;
  }
  return out;
}

/**
 * Phi-3 stores q/k/v in one `self_attn.qkv_proj` and gate/up in one
 * `mlp.gate_up_proj` (Phi3Attention: q = qkv[:heads*d], k = the next kv_heads*d
 * rows, v the rest; Phi3MLP: gate_up.chunk(2)). Where module `m` lives in block
 * `l` when the weights are so stored, else null.
 */
function phi3Fused(config: TrainModelConfig, weights: Map<string, Float32Array>, l: number, m: string): { name: string; path: string; rows: number; start: number } | null {
  const q = config.numAttentionHeads * config.headDim;
  const kv = config.numKeyValueHeads * config.headDim;
  const i = config.intermediateSize;
  const qkv = { q_proj: 0, k_proj: q, v_proj: q + kv } as Record<string, number>;
  const gateUp = { gate_proj: 0, up_proj: i } as Record<string, number>;
  if (m in qkv && weights.has(`model.layers.${l}.self_attn.qkv_proj.weight`)) return { name: 'qkv_proj', path: 'self_attn.qkv_proj', rows: q + 2 * kv, start: qkv[m] };
  if (m in gateUp && weights.has(`model.layers.${l}.mlp.gate_up_proj.weight`)) return { name: 'gate_up_proj', path: 'mlp.gate_up_proj', rows: 2 * i, start: gateUp[m] };
  return null;
}

/** Mean next-token loss over `batch` (each sequence predicts tokens 1..T-1). */
export function referenceLoss(
  config: TrainModelConfig,
  weights: Map<string, Float32Array>,
  adapters: ReferenceAdapters,
  scaling: number,
  batch: number[][],
  masks?: ReferenceMasks,
): number {
  return referenceForward(config, weights, adapters, scaling, batch, masks).loss;
}

export function referenceForward(
  config: TrainModelConfig,
  weights: Map<string, Float32Array>,
  adapters: ReferenceAdapters,
  scaling: number,
  batch: number[][],
  masks?: ReferenceMasks,
): { loss: number; logits: Float64Array[][] } {
  const h = config.hiddenSize;
  const d = config.headDim;
  const nh = config.numAttentionHeads;
  const nkv = config.numKeyValueHeads;
  const invFreq = referenceInvFreq(config);
  // Gemma 3: sliding layers rotate with their own theta, unscaled.
  const localRope = config.localRopeTheta ?? null;
  const localInvFreq = localRope === null ? invFreq : referenceInvFreq({ ...config, ropeTheta: localRope, ropeScaling: null });
  const offset = config.normWeightOffset ?? 0;
  const scale = config.attentionScale ?? 1 / Math.sqrt(d);
  const windowOf = (l: number): number | null => (config.layerTypes?.[l] === 'sliding_attention' ? (config.slidingWindow ?? null) : null);
  const w = (name: string): Float32Array => {
    const v = weights.get(name);
    if (!v) throw new Error(`missing ${name}`);
    return v;
  };
  // Biases where the checkpoint has them (qwen2: q/k/v); dropout masks where given.
  let row = 0;
  const lin = (l: number, m: string, sub: string, x: Float64Array, t: number): Float64Array => {
    const [out, inF] = linearShapeOf(config, m);
    const fused = phi3Fused(config, weights, l, m);
    if (fused) {
      // PEFT on Phi-3: the adapter (and its dropout mask) is on the fused module; its output is then sliced.
      const fusedMask = masks?.get(`${l}.${fused.name}`)?.subarray((row + t) * inF, (row + t + 1) * inF);
      const y = linear(x, w(`model.layers.${l}.${fused.path}.weight`), fused.rows, inF, adapters.get(`${l}.${fused.name}`), scaling, undefined, fusedMask);
      return y.subarray(fused.start, fused.start + out);
    }
    const mask = masks?.get(`${l}.${m}`)?.subarray((row + t) * inF, (row + t + 1) * inF);
    return linear(x, w(`model.layers.${l}.${sub}.${m}.weight`), out, inF, adapters.get(`${l}.${m}`), scaling, weights.get(`model.layers.${l}.${sub}.${m}.bias`), mask);
  };
  /** qwen3: RMSNorm of one head vector with q_norm / k_norm (unchanged without qkNorm). */
  const headNorm = (l: number, which: 'q' | 'k', v: Float64Array): Float64Array =>
    config.qkNorm === true ? rms(v, w(`model.layers.${l}.self_attn.${which}_norm.weight`), config.rmsNormEps, offset) : v;
  const norm = (x: Float64Array, name: string): Float64Array => rms(x, w(name), config.rmsNormEps, offset);
  let total = 0;
  let count = 0;
  const allLogits: Float64Array[][] = [];
  for (const seq of batch) {
    const T = seq.length;
    const embedScale = config.embeddingScale ?? 1;
    let xs: Float64Array[] = seq.map((id) => Float64Array.from(w('model.embed_tokens.weight').subarray(id * h, (id + 1) * h), (e) => e * embedScale));
    for (let l = 0; l < config.numHiddenLayers; l++) {
      const window = windowOf(l);
      const freqs = config.layerTypes?.[l] === 'sliding_attention' ? localInvFreq : invFreq;
      const normed = xs.map((x) => norm(x, `model.layers.${l}.input_layernorm.weight`));
      const q = normed.map((x, t) => lin(l, 'q_proj', 'self_attn', x, t));
      const k = normed.map((x, t) => lin(l, 'k_proj', 'self_attn', x, t));
      const v = normed.map((x, t) => lin(l, 'v_proj', 'self_attn', x, t));
      const attnOut = xs.map(() => new Float64Array(nh * d));
      for (let head = 0; head < nh; head++) {
        const kvHead = Math.floor(head / (nh / nkv));
        for (let t = 0; t < T; t++) {
          const qt = rope(headNorm(l, 'q', q[t].subarray(head * d, (head + 1) * d)), t, freqs);
          // Keys s with t - s >= window are masked out (they get no weight).
          const first = window === null ? 0 : Math.max(0, t - window + 1);
          const scores: number[] = [];
          for (let s = first; s <= t; s++) {
            const ks = rope(headNorm(l, 'k', k[s].subarray(kvHead * d, (kvHead + 1) * d)), s, freqs);
            let dot = 0;
            for (let i = 0; i < d; i++) dot += qt[i] * ks[i];
            scores.push(cap(dot * scale, config.attnLogitSoftcap));
          }
          const max = Math.max(...scores);
          const exps = scores.map((s) => Math.exp(s - max));
          const z = exps.reduce((a, b) => a + b, 0);
          for (let s = first; s <= t; s++) {
            for (let i = 0; i < d; i++) attnOut[t][head * d + i] += (exps[s - first] / z) * v[s][kvHead * d + i];
          }
        }
      }
      const sandwich = config.sandwichNorms === true;
      const hs = xs.map((x, t) => {
        const projected = lin(l, 'o_proj', 'self_attn', attnOut[t], t);
        const o = sandwich ? norm(projected, `model.layers.${l}.post_attention_layernorm.weight`) : projected;
        return x.map((val, i) => val + o[i]);
      });
      xs = hs.map((hv, t) => {
        const n = norm(hv, `model.layers.${l}.${sandwich ? 'pre_feedforward' : 'post_attention'}_layernorm.weight`);
        const g = lin(l, 'gate_proj', 'mlp', n, t);
        const u = lin(l, 'up_proj', 'mlp', n, t);
        const act = g.map((gv, i) => activation(config.hiddenAct, gv) * u[i]);
        const projected = lin(l, 'down_proj', 'mlp', act, t);
        const down = sandwich ? norm(projected, `model.layers.${l}.post_feedforward_layernorm.weight`) : projected;
        return hv.map((val, i) => val + down[i]);
      });
    }
    const head = config.tieWordEmbeddings ? w('model.embed_tokens.weight') : w('lm_head.weight');
    const seqLogits: Float64Array[] = [];
    for (let t = 0; t < T; t++) {
      const n = norm(xs[t], 'model.norm.weight');
      const logits = new Float64Array(config.vocabSize);
      for (let vId = 0; vId < config.vocabSize; vId++) {
        let s = 0;
        for (let i = 0; i < h; i++) s += head[vId * h + i] * n[i];
        logits[vId] = cap(s, config.finalLogitSoftcap);
      }
      seqLogits.push(logits);
      if (t + 1 < T) {
        const max = Math.max(...logits);
        const lse = max + Math.log(logits.reduce((a, val) => a + Math.exp(val - max), 0));
        total += lse - logits[seq[t + 1]];
        count += 1;
      }
    }
    allLogits.push(seqLogits);
    row += T;
  }
  return { loss: total / count, logits: allLogits };
}
