// Two deliberately simple float64 Llama forward passes, one token at a time
// with a KV cache, used to check the conversion numerically:
// - `Llama2cReference` reads the raw llama2.c .bin exactly as run.c does
//   (its own offset arithmetic, interleaved rotary pairs (2j, 2j+1));
// - `HfReference` runs a Hugging Face tensor map (rotate-half pairs (j, j+hs/2)).
// If the converter's permutation is right, both give the same logits.

export interface RefConfig {
  dim: number;
  hidden: number;
  layers: number;
  heads: number;
  kvHeads: number;
  vocab: number;
  eps: number;
  theta: number;
}

export interface LayerWeights {
  attnNorm: Float32Array;
  wq: Float32Array;
  wk: Float32Array;
  wv: Float32Array;
  wo: Float32Array;
  ffnNorm: Float32Array;
  gate: Float32Array;
  up: Float32Array;
  down: Float32Array;
}

export interface Weights {
  embed: Float32Array;
  layers: LayerWeights[];
  norm: Float32Array;
  head: Float32Array;
}

function matvec(w: Float32Array, x: Float64Array, rows: number, cols: number): Float64Array {
  const out = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let c = 0; c < cols; c++) s += w[r * cols + c] * x[c];
    out[r] = s;
  }
  return out;
}

function rmsnorm(x: Float64Array, w: Float32Array, eps: number): Float64Array {
  let ss = 0;
  for (const v of x) ss += v * v;
  const scale = 1 / Math.sqrt(ss / x.length + eps);
  return x.map((v, i) => v * scale * w[i]);
}

type Rope = (vec: Float64Array, nHeads: number, headSize: number, pos: number, theta: number) => void;

/** llama2.c / Meta: rotate pairs (2j, 2j+1) of each head by pos * theta^(-2j/hs). */
const interleavedRope: Rope = (vec, nHeads, hs, pos, theta) => {
  for (let h = 0; h < nHeads; h++) {
    for (let j = 0; j < hs / 2; j++) {
      const angle = pos * Math.pow(theta, -(2 * j) / hs);
      const c = Math.cos(angle);
      const s = Math.sin(angle);
      const a = h * hs + 2 * j;
      const v0 = vec[a];
      const v1 = vec[a + 1];
      vec[a] = v0 * c - v1 * s;
      vec[a + 1] = v0 * s + v1 * c;
    }
  }
};

/** Hugging Face: rotate pairs (j, j + hs/2) of each head by the same angles. */
const rotateHalfRope: Rope = (vec, nHeads, hs, pos, theta) => {
  for (let h = 0; h < nHeads; h++) {
    for (let j = 0; j < hs / 2; j++) {
      const angle = pos * Math.pow(theta, -(2 * j) / hs);
      const c = Math.cos(angle);
      const s = Math.sin(angle);
      const a = h * hs + j;
      const b = a + hs / 2;
      const v0 = vec[a];
      const v1 = vec[b];
      vec[a] = v0 * c - v1 * s;
      vec[b] = v0 * s + v1 * c;
    }
  }
};

export class ReferenceModel {
  private readonly keys: Float64Array[][] = [];
  private readonly values: Float64Array[][] = [];
  private pos = 0;

  constructor(
    readonly config: RefConfig,
    private readonly w: Weights,
    private readonly rope: Rope,
  ) {
    for (let l = 0; l < config.layers; l++) {
      this.keys.push([]);
      this.values.push([]);
    }
  }

  /** Feeds one token at the next position and returns its float64 logits. */
  step(token: number): Float64Array {
    const { dim, hidden, heads, kvHeads, vocab, eps, theta } = this.config;
    const hs = dim / heads;
    const kvDim = kvHeads * hs;
    const group = heads / kvHeads;
    const x = Float64Array.from(this.w.embed.subarray(token * dim, (token + 1) * dim));
    this.w.layers.forEach((lw, l) => {
      const xb = rmsnorm(x, lw.attnNorm, eps);
      const q = matvec(lw.wq, xb, dim, dim);
      const k = matvec(lw.wk, xb, kvDim, dim);
      const v = matvec(lw.wv, xb, kvDim, dim);
      this.rope(q, heads, hs, this.pos, theta);
      this.rope(k, kvHeads, hs, this.pos, theta);
      this.keys[l].push(k);
      this.values[l].push(v);
      const att = new Float64Array(dim);
      for (let h = 0; h < heads; h++) {
        const kvh = Math.floor(h / group);
        const scores = this.keys[l].map((kt) => {
          let s = 0;
          for (let i = 0; i < hs; i++) s += q[h * hs + i] * kt[kvh * hs + i];
          return s / Math.sqrt(hs);
        });
        const max = Math.max(...scores);
        const exps = scores.map((s) => Math.exp(s - max));
        const sum = exps.reduce((a, b) => a + b, 0);
        exps.forEach((e, t) => {
          const vt = this.values[l][t];
          for (let i = 0; i < hs; i++) att[h * hs + i] += (e / sum) * vt[kvh * hs + i];
        });
      }
      const o = matvec(lw.wo, att, dim, dim);
      for (let i = 0; i < dim; i++) x[i] += o[i];
      const xn = rmsnorm(x, lw.ffnNorm, eps);
      const g = matvec(lw.gate, xn, hidden, dim);
      const u = matvec(lw.up, xn, hidden, dim);
      const act = g.map((gv, i) => (gv / (1 + Math.exp(-gv))) * u[i]);
      const d = matvec(lw.down, act, dim, hidden);
      for (let i = 0; i < dim; i++) x[i] += d[i];
    });
    this.pos += 1;
    return matvec(this.w.head, rmsnorm(x, this.w.norm, eps), vocab, dim);
  }
}

/** run.c's memory_map_weights, written out again independently of the converter. */
export function readLlama2cWeights(file: Uint8Array): { config: RefConfig; weights: Weights } {
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const [dim, hidden, layers, heads, kvHeads, signedVocab, seqLen] = Array.from({ length: 7 }, (_, i) => view.getInt32(i * 4, true));
  const vocab = Math.abs(signedVocab);
  const floats = new Float32Array(file.buffer.slice(file.byteOffset + 28, file.byteOffset + file.byteLength));
  const hs = dim / heads;
  const kvDim = kvHeads * hs;
  let p = 0;
  const take = (n: number): Float32Array => floats.subarray(p, (p += n));
  const embed = take(vocab * dim);
  const rmsAtt = take(layers * dim);
  const wq = take(layers * dim * dim);
  const wk = take(layers * kvDim * dim);
  const wv = take(layers * kvDim * dim);
  const wo = take(layers * dim * dim);
  const rmsFfn = take(layers * dim);
  const w1 = take(layers * hidden * dim);
  const w2 = take(layers * dim * hidden);
  const w3 = take(layers * hidden * dim);
  const norm = take(dim);
  take(seqLen * hs); // freq_cis_real + freq_cis_imag
  const head = signedVocab > 0 ? embed : take(vocab * dim);
  const slice = (a: Float32Array, l: number, n: number): Float32Array => a.subarray(l * n, (l + 1) * n);
  const lw: LayerWeights[] = Array.from({ length: layers }, (_, l) => ({
    attnNorm: slice(rmsAtt, l, dim),
    wq: slice(wq, l, dim * dim),
    wk: slice(wk, l, kvDim * dim),
    wv: slice(wv, l, kvDim * dim),
    wo: slice(wo, l, dim * dim),
    ffnNorm: slice(rmsFfn, l, dim),
    gate: slice(w1, l, hidden * dim),
    down: slice(w2, l, dim * hidden),
    up: slice(w3, l, hidden * dim),
  }));
  return { config: { dim, hidden, layers, heads, kvHeads, vocab, eps: 1e-5, theta: 10000 }, weights: { embed, layers: lw, norm, head } };
}

/** run.c's forward on the raw .bin: interleaved rotary pairs. */
export function llama2cReference(file: Uint8Array): ReferenceModel {
  const { config, weights } = readLlama2cWeights(file);
  return new ReferenceModel(config, weights, interleavedRope);
}

/** A Hugging Face Llama from config.json values and a name -> fp32 tensor map. */
export function hfReference(config: Record<string, number | boolean>, tensors: Map<string, Float32Array>): ReferenceModel {
  const get = (name: string): Float32Array => {
    const t = tensors.get(name);
    if (t === undefined) throw new Error(`missing tensor ${name}`);
    return t;
  };
  const layers = config.num_hidden_layers as number;
  const lw: LayerWeights[] = Array.from({ length: layers }, (_, l) => {
    const p = `model.layers.${l}`;
    return {
      attnNorm: get(`${p}.input_layernorm.weight`),
      wq: get(`${p}.self_attn.q_proj.weight`),
      wk: get(`${p}.self_attn.k_proj.weight`),
      wv: get(`${p}.self_attn.v_proj.weight`),
      wo: get(`${p}.self_attn.o_proj.weight`),
      ffnNorm: get(`${p}.post_attention_layernorm.weight`),
      gate: get(`${p}.mlp.gate_proj.weight`),
      up: get(`${p}.mlp.up_proj.weight`),
      down: get(`${p}.mlp.down_proj.weight`),
    };
  });
  const embed = get('model.embed_tokens.weight');
  const head = config.tie_word_embeddings ? embed : get('lm_head.weight');
  return new ReferenceModel(
    {
      dim: config.hidden_size as number,
      hidden: config.intermediate_size as number,
      layers,
      heads: config.num_attention_heads as number,
      kvHeads: config.num_key_value_heads as number,
      vocab: config.vocab_size as number,
      eps: config.rms_norm_eps as number,
      theta: config.rope_theta as number,
    },
    { embed, layers: lw, norm: get('model.norm.weight'), head },
    rotateHalfRope,
  );
}

export function argmax(values: Float64Array): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i] > values[best]) best = i;
  return best;
}
