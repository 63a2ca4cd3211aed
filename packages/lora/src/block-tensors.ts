// One block's frozen weights as tensors, made from the FrozenBase for the
// duration of one forward (or one recomputed forward + backward) and disposed
// right after: this is where 4-bit weights are dequantized, block by block.
import * as tf from '@tensorflow/tfjs';
import type { FrozenBase } from './frozen-base.js';
import type { FrozenWeight } from './frozen-linear.js';
import { ALL_LINEAR_MODULES, type LinearModuleName } from './target-modules.js';

export interface BlockTensors {
  readonly inputNorm: tf.Tensor1D;
  readonly postNorm: tf.Tensor1D;
  readonly linears: Record<LinearModuleName, FrozenWeight>;
  dispose(): void;
}

/** Reusable float32 scratch for dequantization: sized to the largest linear, allocated once. */
export class DequantScratch {
  private buffer: Float32Array = new Float32Array(0);
  get(length: number): Float32Array {
    if (this.buffer.length < length) this.buffer = new Float32Array(length);
    return this.buffer;
  }
}

export function materializeBlock(base: FrozenBase, layer: number, scratch: DequantScratch, withBackward: boolean): BlockTensors {
  const owned: tf.Tensor[] = [];
  const keep = <T extends tf.Tensor>(t: T): T => {
    owned.push(t);
    return t;
  };
  const inputNorm = keep(tf.tensor1d(base.norm(layer, 'input')));
  const postNorm = keep(tf.tensor1d(base.norm(layer, 'post')));
  const linears = {} as Record<LinearModuleName, FrozenWeight>;
  for (const m of ALL_LINEAR_MODULES) {
    const [out, inF] = linearShape(base, m);
    const values = base.linear(layer, m, scratch.get(out * inF));
    // The cpu backend keeps a REFERENCE to the array it is given (wasm copies it into
    // its heap): a weight that must outlive the next dequantization gets its own copy.
    const w = tf.tensor2d(withBackward ? values.slice() : values, [out, inF]);
    const wt = keep(tf.transpose(w));
    if (withBackward) keep(w);
    else w.dispose();
    const biasValues = base.bias(layer, m);
    linears[m] = { wt, w: withBackward ? w : null, bias: biasValues ? keep(tf.tensor1d(biasValues)) : null };
  }
  return {
    inputNorm,
    postNorm,
    linears,
    dispose() {
      for (const t of owned) t.dispose();
    },
  };
}

function linearShape(base: FrozenBase, m: LinearModuleName): [number, number] {
  const c = base.config;
  const h = c.hiddenSize;
  const q = c.numAttentionHeads * c.headDim;
  const kv = c.numKeyValueHeads * c.headDim;
  switch (m) {
    case 'q_proj':
      return [q, h];
    case 'k_proj':
    case 'v_proj':
      return [kv, h];
    case 'o_proj':
      return [h, q];
    case 'gate_proj':
    case 'up_proj':
      return [c.intermediateSize, h];
    case 'down_proj':
      return [h, c.intermediateSize];
  }
}
