// A frozen linear weight on the backend, in whichever layout makes its matmuls
// fast on wasm. XNNPACK packs the right-hand operand of every matmul (the
// "weights") and caches the packing per tensor; packing an [in, out] tensor
// costs ~15-20 ns per value, as much as the matmul itself for a few hundred
// rows. So:
//   - resident weights are kept [in, out]: y = x @ W, packed once, reused;
//   - streamed weights (new tensors every pass) are kept [out, in], the Hugging
//     Face layout, and multiplied from the left, y = (W @ x^T)^T, so only the
//     small activation is packed.
// Both are differentiable in x (never in W); the backward pass uses the other
// layout, made on first use and kept until dispose().
import * as tf from '@tensorflow/tfjs';

export type WeightLayout = 'in-out' | 'out-in';

type GradArgs = (tf.Tensor | tf.GradSaveFunc)[];

export class FrozenWeight {
  private other: tf.Tensor2D | null = null;

  private constructor(
    /** [in, out] for 'in-out', [out, in] for 'out-in'. */
    readonly tensor: tf.Tensor2D,
    readonly layout: WeightLayout,
  ) {}

  /** From Hugging Face [out, in] values; 'in-out' transposes once on the backend. */
  static fromOutIn(values: Float32Array, outFeatures: number, inFeatures: number, layout: WeightLayout): FrozenWeight {
    // Only wasm copies a typed array into its own memory; elsewhere tfjs may keep a reference to a buffer the provider reuses.
    const source = tf.tensor2d(tf.getBackend() === 'wasm' ? values : values.slice(), [outFeatures, inFeatures]);
    if (layout === 'out-in') return new FrozenWeight(tf.keep(source), layout);
    const transposed = tf.keep(tf.transpose(source));
    source.dispose();
    return new FrozenWeight(transposed, layout);
  }

  /** Wraps an [in, out] tensor (ownership passes to the FrozenWeight). */
  static fromInOut(tensor: tf.Tensor2D): FrozenWeight {
    return new FrozenWeight(tf.keep(tensor), 'in-out');
  }

  get inFeatures(): number {
    return this.layout === 'in-out' ? this.tensor.shape[0] : this.tensor.shape[1];
  }

  get outFeatures(): number {
    return this.layout === 'in-out' ? this.tensor.shape[1] : this.tensor.shape[0];
  }

  /** x [rows, in] -> [rows, out]; gradient flows to x only. */
  apply(x: tf.Tensor2D): tf.Tensor2D {
    const op = tf.customGrad((...args: GradArgs) => ({
      value: this.multiply(args[0] as tf.Tensor2D),
      gradFunc: (dy: tf.Tensor) => this.multiplyTransposed(dy as tf.Tensor2D),
    })) as (input: tf.Tensor2D) => tf.Tensor2D;
    return op(x);
  }

  dispose(): void {
    this.tensor.dispose();
    this.other?.dispose();
    this.other = null;
  }

  /** x @ W */
  private multiply(x: tf.Tensor2D): tf.Tensor2D {
    if (this.layout === 'in-out') return tf.matMul(x, this.tensor);
    return tf.tidy(() => tf.transpose(tf.matMul(this.tensor, tf.transpose(x))) as tf.Tensor2D);
  }

  /** dy @ W^T, with W^T in the layout that keeps the packed operand small or cached. */
  private multiplyTransposed(dy: tf.Tensor2D): tf.Tensor2D {
    // Kept: first made inside a gradient's tidy scope.
    this.other ??= tf.keep(tf.transpose(this.tensor)) as tf.Tensor2D;
    if (this.layout === 'in-out') return tf.matMul(dy, this.other); // other = [out, in], a cached tensor
    const other = this.other; // [in, out] on the left: only dy^T is packed
    return tf.tidy(() => tf.transpose(tf.matMul(other, tf.transpose(dy))) as tf.Tensor2D);
  }
}
