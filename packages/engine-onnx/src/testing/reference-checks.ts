// Test helper: how far an ONNX-engine model is from @layerprune/model's
// independent float64 reference forward (logits and every block input), how far
// its KV-cache decoder is from its own full forward, and 4-bit directories
// (written from a random model, quantized by @layerprune/quant) together with
// their dequantized tensors, the weights a 4-bit model computes with, for the
// reference.
import { join } from 'node:path';
import { loadModel } from '@layerprune/model';
import type { LlamaModel } from '@layerprune/model';
import { openQuantizedWeights, quantizeModelDir } from '@layerprune/quant';
import type { InMemoryTensor, ReferenceResult } from '@layerprune/model/testing';
import { onnxEngineFactory } from '../onnx-engine-factory.js';
import { maxAbsDiff, quietLog, writeRandomModelDir } from './random-models.js';
import type { RandomModel } from './random-models.js';

export interface ReferenceDiff {
  /** Largest |logit - reference| over every position. */
  logits: number;
  /** Largest |x(l) - reference| over every block input x(0..L) and position. */
  hidden: number;
}

/** `model`'s logits and hidden states for one sequence against the reference's. */
export async function diffFromReference(model: LlamaModel, tokens: number[], reference: ReferenceResult): Promise<ReferenceDiff> {
  const { logits, hidden } = await model.forward([tokens], { logits: 'all', hidden: 'all' });
  const V = reference.logits[0].length;
  const H = reference.hidden[0][0].length;
  let worstLogit = 0;
  reference.logits.forEach((row, t) => (worstLogit = Math.max(worstLogit, maxAbsDiff(logits!.subarray(t * V, (t + 1) * V), row))));
  if (hidden!.length !== reference.hidden.length) throw new RangeError(`${hidden!.length} hidden states, the reference has ${reference.hidden.length}`);
  let worstHidden = 0;
  reference.hidden.forEach((layer, l) =>
    layer.forEach((row, t) => (worstHidden = Math.max(worstHidden, maxAbsDiff(hidden![l].subarray(t * H, (t + 1) * H), row)))),
  );
  return { logits: worstLogit, hidden: worstHidden };
}

/**
 * Feeds `tokens` to a fresh decoder in `steps` (a multi-token prefill, then single tokens, ...) and
 * returns the largest difference between each step's logits and the reference's at that position.
 */
export async function decoderDiffFromReference(model: LlamaModel, tokens: number[], steps: number[], reference: ReferenceResult): Promise<number> {
  if (steps.reduce((a, b) => a + b, 0) !== tokens.length) throw new RangeError('steps must add up to the token count');
  const decoder = model.engine.createDecoder();
  let worst = 0;
  let position = 0;
  try {
    for (const count of steps) {
      const logits = await decoder.append(tokens.slice(position, position + count));
      position += count;
      worst = Math.max(worst, maxAbsDiff(logits, reference.logits[position - 1]));
    }
  } finally {
    decoder.dispose();
  }
  return worst;
}

export interface QuantizedRandomModel {
  dir: string;
  /** Every tensor as the 4-bit model computes with it: dequantized linear weights, the rest as stored. */
  tensors: Map<string, InMemoryTensor>;
}

/** Writes `random` under `root`, quantizes it (nf4 with double quantization) and reads back its dequantized tensors. */
export async function quantizedRandomModel(root: string, random: RandomModel): Promise<QuantizedRandomModel> {
  const dense = join(root, 'dense');
  await writeRandomModelDir(dense, random);
  const dir = join(root, 'nf4');
  await quantizeModelDir(dense, dir, { type: 'nf4', doubleQuant: true });
  const weights = await openQuantizedWeights(dir);
  const tensors = new Map<string, InMemoryTensor>();
  try {
    for (const name of weights.names()) tensors.set(name, { shape: weights.entry(name).shape, data: await weights.readFloat32(name) });
  } finally {
    await weights.close();
  }
  return { dir, tensors };
}

/** The ONNX engine on a directory (resident or streaming weights). */
export function loadOnnx(dir: string, mode: 'resident' | 'streaming' = 'resident'): Promise<LlamaModel> {
  return loadModel(dir, { engine: onnxEngineFactory({ threads: 2 }), mode, log: quietLog });
}
