// A trainer that computes full causal attention within each packed sequence
// (the onnx trainer) trains another model than the one evaluated when a layer's
// sliding window is shorter than the sequence: that layer would see fewer keys at
// evaluation than in training. A window at least as long as the sequence changes
// nothing (positions restart at 0 in every sequence). The tfjs trainer masks the
// windows exactly and needs no such limit.
import type { TrainModelConfig } from './train-model-config.js';

/** The first layer whose sliding window is shorter than `seqLen`, or null. */
export function windowShorterThan(config: Pick<TrainModelConfig, 'layerTypes' | 'slidingWindow'>, seqLen: number): { layer: number; window: number } | null {
  const window = config.slidingWindow ?? null;
  if (window === null || window >= seqLen) return null;
  const layer = (config.layerTypes ?? []).indexOf('sliding_attention');
  return layer === -1 ? null : { layer, window };
}
