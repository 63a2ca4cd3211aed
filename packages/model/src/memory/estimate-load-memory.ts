// What a loaded model holds in process memory, per weight mode, from the config
// alone (float32 throughout: that is what the engines compute in, whatever the
// stored dtype). Activations, which depend on batch and sequence length, and the
// runtime itself are not included: the estimate is a floor, used to refuse a
// model that cannot fit before minutes are spent reading it.
import type { Architecture } from '../config/resolve-architecture.js';
import type { WeightMode } from '../engine.js';

export type WeightCache = 'memory' | 'none';

/** float32 bytes of every block and the lm_head (what a resident engine holds on the backend). */
export function residentWeightBytes(arch: Architecture): number {
  return 4 * (arch.numLayers * blockValues(arch) + arch.hiddenSize * arch.vocabSize + arch.hiddenSize);
}

function blockValues(arch: Architecture): number {
  const { hiddenSize: h, intermediateSize: i, numHeads, numKvHeads, headDim } = arch;
  const attention = 2 * h * numHeads * headDim + 2 * h * numKvHeads * headDim;
  const c = arch.config;
  // qwen2: q/k/v biases; llama and qwen3 with attention_bias: o_proj's too. qwen3: q/k norms of [headDim].
  const biases = c.attentionBias ? (numHeads + 2 * numKvHeads) * headDim + (c.modelType === 'qwen2' ? 0 : h) : 0;
  return attention + 3 * h * i + 2 * h + biases + (arch.qkNorm ? 2 * headDim : 0);
}

/**
 * Estimated bytes for `mode`:
 * - resident: every block and the head on the backend, plus the embedding in JS (looked up there);
 * - streaming with weightCache 'memory': the same weights cached in JS after the first pass, plus
 *   one block materialised on the backend;
 * - streaming with weightCache 'none': the embedding, the lm_head (in JS, unless tied: then it is the
 *   embedding's array, and on the backend while the head runs) and three blocks (the one computing, its
 *   backend copy, the next one prefetched).
 */
export function estimateLoadMemoryBytes(arch: Architecture, mode: WeightMode, weightCache: WeightCache = 'memory'): number {
  const embedding = 4 * arch.vocabSize * arch.hiddenSize;
  const block = 4 * blockValues(arch);
  if (mode === 'resident') return residentWeightBytes(arch) + embedding;
  if (weightCache === 'memory') return residentWeightBytes(arch) + embedding + block;
  const headCopies = arch.config.tieWordEmbeddings ? 1 : 2;
  return embedding + headCopies * 4 * arch.vocabSize * arch.hiddenSize + 3 * block;
}
