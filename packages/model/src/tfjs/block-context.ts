// Everything a block needs besides weights and activations for one call shape:
// rotary tables for the query positions and the additive causal masks (one per
// distinct sliding window). Built from plain arrays OUTSIDE any gradient tape
// (masks through tf.where(tf.greater(..)) have no gradient in tfjs). Its
// tensors are kept, so a context may be created or used inside tf.tidy; call
// dispose() when done.
import * as tf from '@tensorflow/tfjs';
import type { Architecture } from '../config/resolve-architecture.js';
import { ropeTables } from '../rope/rope-tables.js';
import { causalMaskValues } from './attention.js';
import { rotateHalfMatrix } from './rope.js';
import type { RopeOperands } from './rope.js';

export interface BlockContext {
  readonly batch: number;
  /** Tokens per sequence in this call. */
  readonly queryLength: number;
  /** Tokens already in the KV cache (0 for a full forward pass). */
  readonly pastLength: number;
  /** pastLength + queryLength. */
  readonly keyLength: number;
  readonly queryRope: RopeOperands;
  readonly keyRope: RopeOperands;
  /** Additive mask [queryLength * groupSize, keyLength] for `layer`. */
  mask(layer: number): tf.Tensor2D;
  dispose(): void;
}

/** Repeats each position's [headDim] row `heads` times per row, for every sequence of the batch. */
function tile(table: Float32Array, batch: number, positions: number, heads: number, headDim: number): Float32Array {
  const out = new Float32Array(batch * positions * heads * headDim);
  let offset = 0;
  for (let b = 0; b < batch; b++) {
    for (let p = 0; p < positions; p++) {
      const row = table.subarray(p * headDim, (p + 1) * headDim);
      for (let h = 0; h < heads; h++) {
        out.set(row, offset);
        offset += headDim;
      }
    }
  }
  return out;
}

export interface BlockContextShape {
  batch: number;
  queryLength: number;
  pastLength?: number;
}

export function createBlockContext(arch: Architecture, shape: BlockContextShape): BlockContext {
  const { batch, queryLength } = shape;
  const pastLength = shape.pastLength ?? 0;
  const keyLength = pastLength + queryLength;
  const { headDim, numHeads, numKvHeads } = arch;
  const positions = Array.from({ length: queryLength }, (_, t) => pastLength + t);
  const scaled = ropeTables(arch.invFreq, positions, arch.attentionScale);
  const plain = ropeTables(arch.invFreq, positions, 1);
  const rows = batch * queryLength;
  const rotation = tf.keep(tf.tensor2d(rotateHalfMatrix(headDim), [headDim, headDim]));
  const rotationT = tf.keep(tf.transpose(rotation));
  const queryRope: RopeOperands = {
    cos: tf.keep(tf.tensor2d(tile(scaled.cos, batch, queryLength, numHeads, headDim), [rows, numHeads * headDim])),
    sin: tf.keep(tf.tensor2d(tile(scaled.sin, batch, queryLength, numHeads, headDim), [rows, numHeads * headDim])),
    rotation,
    rotationT,
  };
  const keyRope: RopeOperands = {
    cos: tf.keep(tf.tensor2d(tile(plain.cos, batch, queryLength, numKvHeads, headDim), [rows, numKvHeads * headDim])),
    sin: tf.keep(tf.tensor2d(tile(plain.sin, batch, queryLength, numKvHeads, headDim), [rows, numKvHeads * headDim])),
    rotation,
    rotationT,
  };
  const masks = new Map<number | null, tf.Tensor2D>();
  const maskFor = (window: number | null): tf.Tensor2D => {
    // A window at least as long as every query's history changes nothing: share the full mask.
    const key = window !== null && window >= keyLength ? null : window;
    let mask = masks.get(key);
    if (!mask) {
      // Kept: first asked for inside a block's tidy scope; disposed with the context.
      mask = tf.keep(tf.tensor2d(causalMaskValues(queryLength, keyLength, pastLength, arch.groupSize, key), [queryLength * arch.groupSize, keyLength]));
      masks.set(key, mask);
    }
    return mask;
  };
  return {
    batch,
    queryLength,
    pastLength,
    keyLength,
    queryRope,
    keyRope,
    mask: (layer) => maskFor(arch.layerWindows[layer] ?? null),
    dispose() {
      for (const t of [queryRope.cos, queryRope.sin, keyRope.cos, keyRope.sin, rotation, rotationT]) t.dispose();
      for (const m of masks.values()) m.dispose();
      masks.clear();
    },
  };
}
