// A tiny random Llama-family model for tests: config + float32 weights in a
// Map, exposed through the WeightReader interface FrozenBase loads from.
import type { WeightReader } from '../frozen-base.js';
import { SeededRng } from '@layerprune/data';
import { ALL_LINEAR_MODULES, moduleSuffix } from '../target-modules.js';
import type { TrainModelConfig } from '../train-model-config.js';
import { fuseLinears } from './fuse-linears.js';

export interface TinyModel {
  config: TrainModelConfig;
  weights: Map<string, Float32Array>;
  reader: WeightReader;
}

export function tinyConfig(overrides: Partial<TrainModelConfig> = {}): TrainModelConfig {
  return {
    hiddenSize: 16,
    intermediateSize: 24,
    numHiddenLayers: 2,
    numAttentionHeads: 4,
    numKeyValueHeads: 2,
    headDim: 4,
    rmsNormEps: 1e-5,
    ropeTheta: 10000,
    ropeScaling: null,
    vocabSize: 11,
    tieWordEmbeddings: false,
    attentionBias: false,
    hiddenAct: 'silu',
    ...overrides,
  };
}

export function linearShapeOf(c: TrainModelConfig, m: string): [number, number] {
  const q = c.numAttentionHeads * c.headDim;
  const kv = c.numKeyValueHeads * c.headDim;
  const table: Record<string, [number, number]> = {
    q_proj: [q, c.hiddenSize],
    k_proj: [kv, c.hiddenSize],
    v_proj: [kv, c.hiddenSize],
    o_proj: [c.hiddenSize, q],
    gate_proj: [c.intermediateSize, c.hiddenSize],
    up_proj: [c.intermediateSize, c.hiddenSize],
    down_proj: [c.hiddenSize, c.intermediateSize],
  };
  return table[m];
}

export function createTinyModel(seed: number, overrides: Partial<TrainModelConfig> = {}): TinyModel {
  const config = tinyConfig(overrides);
  const rng = new SeededRng(seed);
  const weights = new Map<string, Float32Array>();
  const random = (n: number, scale: number): Float32Array => {
    const a = new Float32Array(n);
    rng.fillUniform(a, -scale, scale);
    return a;
  };
  // Stored norm weights w scale by (normWeightOffset + w): around 1 for every family (Gemma stores ~0).
  const offset = config.normWeightOffset ?? 0;
  const norm = (n: number): Float32Array => {
    const a = random(n, 0.2);
    for (let i = 0; i < n; i++) a[i] += 1 - offset;
    return a;
  };
  // Divided by Gemma's embedding scale, so the scaled embeddings (and tied logits) stay O(1).
  const embedding = random(config.vocabSize * config.hiddenSize, 1);
  for (let i = 0; i < embedding.length; i++) embedding[i] /= config.embeddingScale ?? 1;
  weights.set('model.embed_tokens.weight', embedding);
  for (let l = 0; l < config.numHiddenLayers; l++) {
    weights.set(`model.layers.${l}.input_layernorm.weight`, norm(config.hiddenSize));
    weights.set(`model.layers.${l}.post_attention_layernorm.weight`, norm(config.hiddenSize));
    if (config.sandwichNorms === true) {
      weights.set(`model.layers.${l}.pre_feedforward_layernorm.weight`, norm(config.hiddenSize));
      weights.set(`model.layers.${l}.post_feedforward_layernorm.weight`, norm(config.hiddenSize));
    }
    for (const m of ALL_LINEAR_MODULES) {
      const [out, inF] = linearShapeOf(config, m);
      weights.set(`model.layers.${l}.${moduleSuffix(m)}.weight`, random(out * inF, 1 / Math.sqrt(inF)));
      // attention_bias: qwen2's layout, biases on q/k/v only.
      if (config.attentionBias && (m === 'q_proj' || m === 'k_proj' || m === 'v_proj')) weights.set(`model.layers.${l}.${moduleSuffix(m)}.bias`, random(out, 0.5));
    }
    // qkNorm (qwen3): per-head query / key norm weights, spread wider than the block norms so they matter.
    if (config.qkNorm === true) {
      for (const which of ['q', 'k']) {
        const w = random(config.headDim, 0.6);
        for (let i = 0; i < w.length; i++) w[i] += 1 - offset;
        weights.set(`model.layers.${l}.self_attn.${which}_norm.weight`, w);
      }
    }
  }
  weights.set('model.norm.weight', norm(config.hiddenSize));
  if (!config.tieWordEmbeddings) weights.set('lm_head.weight', random(config.vocabSize * config.hiddenSize, 1 / Math.sqrt(config.hiddenSize)));
  // fusedProjections (Phi-3): the same values, stored as qkv_proj / gate_up_proj.
  if (config.fusedProjections === true) fuseLinears(config, weights);
  const reader: WeightReader = {
    has: (name) => weights.has(name),
    readFloat32: async (name) => {
      const w = weights.get(name);
      if (!w) throw new Error(`tiny model has no ${name}`);
      return w.slice();
    },
  };
  return { config, weights, reader };
}
