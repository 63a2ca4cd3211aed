// A WeightProvider that synthesises deterministic uniform weights, block by
// block, into buffers it reuses (as a dequantizing 4-bit provider would): lets
// the benchmarks run models far larger than the tfjs heap without disk I/O.
import { linearShape, LINEAR_MODULES } from '@layerprune/architectures';

function fill(array, seed, scale) {
  let s = (seed * 2654435761) >>> 0 || 1;
  for (let i = 0; i < array.length; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    array[i] = ((s >>> 0) / 4294967296 - 0.5) * scale;
  }
  return array;
}

export function syntheticConfig(overrides) {
  return {
    modelType: 'llama',
    rmsNormEps: 1e-5,
    ropeTheta: 10000,
    ropeScaling: null,
    tieWordEmbeddings: false,
    maxPositionEmbeddings: 2048,
    torchDtype: 'float32',
    attentionBias: false,
    hiddenAct: 'silu',
    slidingWindow: null,
    bosTokenId: 1,
    eosTokenId: 2,
    ...overrides,
    headDim: overrides.hiddenSize / overrides.numAttentionHeads,
  };
}

/** keepAll: materialise every block once and keep it (like a resident cache); otherwise regenerate into reused buffers. */
export function syntheticProvider(config, { keepAll = false } = {}) {
  const h = config.hiddenSize;
  const shared = Object.fromEntries(LINEAR_MODULES.map((m) => [m, new Float32Array(linearShape(config, m).reduce((a, b) => a * b, 1))]));
  const norms = [new Float32Array(h).fill(1), new Float32Array(h).fill(1)];
  const kept = new Map();
  let embedding = null;
  let head = null;
  return {
    config,
    // Without keepAll every block is written into the same buffers: engines that keep arrays must copy.
    reusesArrays: !keepAll,
    async embedding() {
      embedding ??= fill(new Float32Array(config.vocabSize * h), 7, 2);
      return embedding;
    },
    async finalNorm() {
      return new Float32Array(h).fill(1);
    },
    async lmHead() {
      head ??= fill(new Float32Array(config.vocabSize * h), 11, 2 * Math.sqrt(3 / h));
      return head;
    },
    async getBlockWeights(layer) {
      if (kept.has(layer)) return kept.get(layer);
      const linear = {};
      for (const m of LINEAR_MODULES) {
        const [, inF] = linearShape(config, m); // arrays are [out, in]; values are uniform either way
        const target = keepAll ? new Float32Array(shared[m].length) : shared[m];
        linear[m] = fill(target, layer * 16 + LINEAR_MODULES.indexOf(m) + 1, 2 * Math.sqrt(3 / inF));
      }
      const weights = { inputLayernorm: norms[0], postAttentionLayernorm: norms[1], linear, bias: {} };
      if (keepAll) kept.set(layer, weights);
      return weights;
    },
    async close() {},
  };
}

/** Multiply-adds x2 of one forward pass: linear layers, attention matmuls as computed (full T x T per head), lm_head rows. */
export function forwardFlops(config, batch, length, headRows) {
  const { hiddenSize: h, intermediateSize: i, numAttentionHeads: nh, numKeyValueHeads: nkv, headDim: hd, numHiddenLayers: layers, vocabSize: v } = config;
  const linearParams = h * nh * hd * 2 + h * nkv * hd * 2 + 3 * h * i;
  const rows = batch * length;
  const rope = 2 * rows * (nh + nkv) * hd * hd;
  const attention = 4 * batch * length * length * nh * hd;
  return layers * (2 * rows * linearParams + attention + rope) + 2 * headRows * h * v;
}
