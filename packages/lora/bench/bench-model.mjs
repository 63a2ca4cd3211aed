// The random Llama every training benchmark uses (here and in ../engine-onnx's
// bench:train): 16 layers, hidden 768, 12 heads / 4 kv, intermediate 2048,
// vocab 32000, ~150M parameters; deterministic uniform weights at Kaiming-like
// scale, generated on demand by a WeightReader FrozenBase loads from.
import { SeededRng } from '../dist/index.js';

export const BENCH_CONFIG = {
  hiddenSize: 768, intermediateSize: 2048, numHiddenLayers: 16, numAttentionHeads: 12, numKeyValueHeads: 4, headDim: 64,
  rmsNormEps: 1e-5, ropeTheta: 10000, ropeScaling: null, vocabSize: 32000, tieWordEmbeddings: false, attentionBias: false, hiddenAct: 'silu',
};

export function randomReader(config = BENCH_CONFIG) {
  const q = config.numAttentionHeads * config.headDim;
  const kv = config.numKeyValueHeads * config.headDim;
  const shapes = { q_proj: [q, config.hiddenSize], k_proj: [kv, config.hiddenSize], v_proj: [kv, config.hiddenSize], o_proj: [config.hiddenSize, q], gate_proj: [config.intermediateSize, config.hiddenSize], up_proj: [config.intermediateSize, config.hiddenSize], down_proj: [config.hiddenSize, config.intermediateSize] };
  let seed = 1;
  const random = (n, scale) => {
    const a = new Float32Array(n);
    new SeededRng(seed++).fillUniform(a, -scale, scale);
    return a;
  };
  return {
    has: (name) => name.endsWith('.weight') && (name !== 'lm_head.weight' || !config.tieWordEmbeddings),
    readFloat32: async (name) => {
      if (name.endsWith('norm.weight')) return new Float32Array(config.hiddenSize).fill(1);
      if (name === 'model.embed_tokens.weight' || name === 'lm_head.weight') return random(config.vocabSize * config.hiddenSize, 0.05);
      const [out, inF] = shapes[name.split('.').slice(-2, -1)[0]];
      return random(out * inF, 1 / Math.sqrt(inF));
    },
  };
}
