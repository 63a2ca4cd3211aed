// One block's adapters as tfjs tensors for the tfjs trainer, and the LoRA term
// as the runtime's linear-delta hook (added after the bias): PEFT's
// lora_B(lora_A(dropout(x))) * scaling, as plain 2-D matMuls whose gradients
// reach A^T and B^T (matMul2d avoids wasm's slow transposeA/B).
// A fused module (Phi-3's qkv_proj) is ONE A^T tensor used by the hooks of all
// its parts, with one B^T tensor per part (its rows of B): the block computes
// q = W_q x + s B_q A x, k = ..., exactly PEFT's fused output split by rows, and
// autodiff sums the parts' contributions into the gradient of the shared A.
// Every part sees the module's dropout mask (PEFT drops the input once).
import * as tf from '@tensorflow/tfjs';
import { matMul2d } from '@layerprune/model/tfjs';
import type { LinearDeltaHook } from '@layerprune/model/tfjs';
import type { LoraAdapters, LoraModule } from './lora-adapters.js';
import type { LinearModuleName } from './target-modules.js';

interface Entry {
  readonly module: LoraModule;
  /** Index in adapters.modules (its A, B are parameters() 2 * index and 2 * index + 1). */
  readonly index: number;
  /** Index of its A^T in `params`; the B^T of part j follows at first + 1 + j. */
  readonly first: number;
}

/** values [rows, cols] row-major -> a [cols, rows] tensor. */
function transposed(values: Float32Array, rows: number, cols: number): tf.Tensor2D {
  const t = tf.tensor2d(values, [rows, cols]);
  const out = tf.transpose(t) as tf.Tensor2D;
  t.dispose();
  return out;
}

/** acc += src^T, where src is [srcRows, srcCols] and acc is [srcCols, srcRows] (dA^T -> dA). */
function addTransposed(acc: Float32Array, src: Float32Array, srcRows: number, srcCols: number): void {
  for (let i = 0; i < srcRows; i++) {
    const row = i * srcCols;
    for (let j = 0; j < srcCols; j++) acc[j * srcRows + i] += src[row + j];
  }
}

export class BlockAdapterTensors {
  /** What gradients are taken for, in a fixed order: per module A^T [in, r], then B^T [r, rows] of each part. */
  readonly params: tf.Tensor2D[] = [];
  private readonly entries: Entry[] = [];

  /** `masks` (caller's): the dropout mask [rows, in] of each module by module name, already scaled by 1/(1-p). */
  constructor(
    private readonly adapters: LoraAdapters,
    layer: number,
    private readonly masks: Map<string, tf.Tensor2D> | null,
  ) {
    const r = adapters.config.rank;
    adapters.modules.forEach((module, index) => {
      if (module.layer !== layer) return;
      this.entries.push({ module, index, first: this.params.length });
      this.params.push(transposed(module.a, r, module.inFeatures));
      for (const part of module.parts) this.params.push(transposed(module.b.subarray(part.rowStart * r, part.rowEnd * r), part.rowEnd - part.rowStart, r));
    });
  }

  /** The hook over `params`, or over the taped stand-ins tf.grads passes for them (same order). */
  hook(params: readonly tf.Tensor[] = this.params): LinearDeltaHook {
    const byModule = new Map<LinearModuleName, { at: tf.Tensor2D; bt: tf.Tensor2D; mask: tf.Tensor2D | null }>();
    for (const { module, first } of this.entries) {
      const at = params[first] as tf.Tensor2D;
      const mask = this.masks?.get(module.name) ?? null;
      module.parts.forEach((part, j) => byModule.set(part.module, { at, bt: params[first + 1 + j] as tf.Tensor2D, mask }));
    }
    const scaling = this.adapters.scaling;
    return (_layer, module, input) => {
      const t = byModule.get(module);
      if (!t) return null;
      const x = t.mask ? (tf.mul(input, t.mask) as tf.Tensor2D) : input;
      return tf.mul(matMul2d(matMul2d(x, t.at), t.bt), scaling) as tf.Tensor2D;
    };
  }

  /**
   * Adds the gradients of `params` (same order) into `grads` (order of
   * adapters.parameters(), PEFT layouts A [r, in], B [out, r]: each part's
   * gradient into its rows of B), and disposes them.
   */
  accumulate(gradients: readonly tf.Tensor[], grads: Float32Array[]): void {
    const r = this.adapters.config.rank;
    for (const { module, index, first } of this.entries) {
      addTransposed(grads[2 * index], gradients[first].dataSync() as Float32Array, module.inFeatures, r);
      module.parts.forEach((part, j) => {
        const rows = grads[2 * index + 1].subarray(part.rowStart * r, part.rowEnd * r);
        addTransposed(rows, gradients[first + 1 + j].dataSync() as Float32Array, r, part.rowEnd - part.rowStart);
      });
    }
    for (const g of gradients) g.dispose();
  }

  dispose(): void {
    for (const t of this.params) t.dispose();
  }
}
