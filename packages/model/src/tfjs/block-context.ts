// Everything a block needs besides weights and activations for one call shape:
// rotary tables for the query positions (one pair per distinct set of inverse
// frequencies: Gemma 3's sliding layers rotate with their own) and the additive
// causal masks (one per distinct sliding window). Built from plain arrays
// OUTSIDE any gradient tape (masks through tf.where(tf.greater(..)) have no
// gradient in tfjs). Its
// tensors are kept, so a context may be created or used inside tf.tidy; call
// dispose() when done.
import * as tf from '@tensorflow/tfjs';
import type { Architecture } from '../config/resolve-architecture.js';
import { ropeTables } from '../rope/rope-tables.js';
import { causalMaskValues } from './attention.js';
import { FrozenWeight } from './frozen-weight.js';
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
  /** Rotary operands of the full-attention layers (arch.invFreq); see rope(layer) for per-layer ones. */
  readonly queryRope: RopeOperands;
  readonly keyRope: RopeOperands;
  /** The rotary operands block `layer` uses (Gemma 3's sliding layers have their own frequencies). */
  rope(layer: number): LayerRope;
  /** Additive mask [queryLength, 1, keyLength] for `layer` (broadcast over a group's heads). */
  mask(layer: number): tf.Tensor3D;
  dispose(): void;
}

export interface LayerRope {
  /** cos/sin carry the attention scale, so q.k comes out scaled. */
  readonly query: RopeOperands;
  readonly key: RopeOperands;
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
  const { headDim } = arch;
  const positions = Array.from({ length: queryLength }, (_, t) => pastLength + t);
  const tableShape: [number, number, number, number] = [1, queryLength, 1, headDim];
  const rotation = FrozenWeight.fromInOut(tf.tensor2d(rotateHalfMatrix(headDim), [headDim, headDim]));
  const operands = (invFreq: Float64Array, scale: number): RopeOperands => {
    const tables = ropeTables(invFreq, positions, scale);
    return { cos: tf.keep(tf.tensor4d(tables.cos, tableShape)), sin: tf.keep(tf.tensor4d(tables.sin, tableShape)), rotation };
  };
  // One pair of tables per distinct frequency array (layers share arch.invFreq or arch.localInvFreq).
  const ropes = new Map<Float64Array, LayerRope>();
  for (const invFreq of [arch.invFreq, ...arch.layerInvFreq]) {
    if (!ropes.has(invFreq)) ropes.set(invFreq, { query: operands(invFreq, arch.attentionScale), key: operands(invFreq, 1) });
  }
  const globalRope = ropes.get(arch.invFreq) as LayerRope;
  const masks = new Map<number | null, tf.Tensor3D>();
  const maskFor = (window: number | null): tf.Tensor3D => {
    // A window at least as long as every query's history changes nothing: share the full mask.
    const key = window !== null && window >= keyLength ? null : window;
    let mask = masks.get(key);
    if (!mask) {
      // Kept: first asked for inside a block's tidy scope; disposed with the context.
      mask = tf.keep(tf.tensor3d(causalMaskValues(queryLength, keyLength, pastLength, key), [queryLength, 1, keyLength]));
      masks.set(key, mask);
    }
    return mask;
  };
  return {
    batch,
    queryLength,
    pastLength,
    keyLength,
    queryRope: globalRope.query,
    keyRope: globalRope.key,
    rope: (layer) => ropes.get(arch.layerInvFreq[layer] ?? arch.invFreq) as LayerRope,
    mask: (layer) => maskFor(arch.layerWindows[layer] ?? null),
    dispose() {
      for (const { query, key } of ropes.values()) for (const t of [query.cos, query.sin, key.cos, key.sin]) t.dispose();
      ropes.clear();
      rotation.dispose();
      for (const m of masks.values()) m.dispose();
      masks.clear();
    },
  };
}
