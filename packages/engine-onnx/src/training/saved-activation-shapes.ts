// The shapes of what a training block's forward keeps for its backward: the
// trainer allocates its output buffers from them, and the keep-or-recompute
// choice counts its memory from them, so the two cannot disagree.
import { savedActivations, savedName, type TrainBlockSpec } from './train-block-spec.js';

/** Graph output name -> dims of each kept activation of one block (x itself is the block input, not kept twice). */
export function savedActivationShapes(spec: Pick<TrainBlockSpec, 'qkNorm' | 'arch'>, batch: number, tokens: number): Record<string, number[]> {
  const { hiddenSize: H, intermediateSize: I, numHeads, numKvHeads, headDim: D } = spec.arch;
  const G = numHeads / numKvHeads;
  const rows = batch * tokens;
  const dims: Record<string, number[]> = {
    n1: [rows, H],
    q: [batch, numKvHeads, G, tokens, D],
    k: [batch, numKvHeads, tokens, D],
    v: [batch, numKvHeads, tokens, D],
    probs: [batch, numKvHeads, G, tokens, tokens],
    attended: [rows, numHeads * D],
    attnOut: [rows, H],
    mlpOut: [rows, H],
    h: [rows, H],
    n2: [rows, H],
    gate: [rows, I],
    up: [rows, I],
    act: [rows, I],
    qProj: [rows, numHeads * D],
    kProj: [rows, numKvHeads * D],
  };
  return Object.fromEntries(savedActivations(spec).filter((s) => s !== 'x').map((s) => [savedName(s), dims[s]]));
}

/** Bytes (float32) of one block's kept activations. */
export function savedActivationBytes(shapes: Record<string, number[]>): number {
  return Object.values(shapes).reduce((sum, dims) => sum + 4 * dims.reduce((a, b) => a * b, 1), 0);
}
