// Splitting a tensor into its first-axis slabs, and stacking them back, without
// tfjs-backend-wasm's Slice kernel: that kernel copies the WHOLE input out of the
// wasm heap (readSync) for every slice, so unstacking [48, 128, 64] costs ~60 ms.
// A small custom kernel copies each slab straight from heap to heap; the
// gradients of split and stack are each other.
import * as tf from '@tensorflow/tfjs';

const UNSTACK_KERNEL = 'LayerpruneUnstackRows';

interface WasmTensorInfo {
  dataId: object;
  shape: number[];
  dtype: tf.DataType;
}

/** The parts of tfjs-backend-wasm's BackendWasm this kernel uses (public methods in 4.22). */
interface WasmBackendLike {
  makeOutput(shape: number[], dtype: tf.DataType): WasmTensorInfo;
  typedArrayFromHeap(info: WasmTensorInfo): Float32Array | Int32Array | Uint8Array;
}

let registered = false;

function register(): void {
  if (registered) return;
  registered = true;
  if (tf.getKernel(UNSTACK_KERNEL, 'wasm') === undefined) {
    tf.registerKernel({
      kernelName: UNSTACK_KERNEL,
      backendName: 'wasm',
      kernelFunc: ({ inputs, backend }) => {
        const x = inputs.x as unknown as WasmTensorInfo;
        const wasm = backend as unknown as WasmBackendLike;
        const parts = x.shape[0];
        const inner = x.shape.slice(1);
        const size = inner.reduce((a, b) => a * b, 1);
        const outs: WasmTensorInfo[] = [];
        for (let i = 0; i < parts; i++) {
          const out = wasm.makeOutput(inner, x.dtype);
          // Views are taken after makeOutput: growing the heap detaches older views.
          wasm.typedArrayFromHeap(out).set(wasm.typedArrayFromHeap(x).subarray(i * size, (i + 1) * size));
          outs.push(out);
        }
        return outs as unknown as tf.TensorInfo[];
      },
    });
  }
  if (tf.getGradient(UNSTACK_KERNEL) === undefined) {
    tf.registerGradient({
      kernelName: UNSTACK_KERNEL,
      gradFunc: (dy: tf.Tensor | tf.Tensor[]) => {
        const parts = Array.isArray(dy) ? dy : [dy];
        // Outputs that do not reach the loss come back as null.
        const like = parts.find((t) => t != null) as tf.Tensor;
        return { x: () => stackRows(parts.map((t) => t ?? tf.zerosLike(like))) };
      },
    });
  }
}

/** x [n, ...] -> n tensors [...]. */
export function unstackRows(x: tf.Tensor): tf.Tensor[] {
  if (tf.getBackend() !== 'wasm') return tf.unstack(x);
  register();
  const out = tf.engine().runKernel(UNSTACK_KERNEL, { x }, {});
  return Array.isArray(out) ? (out as tf.Tensor[]) : [out as tf.Tensor];
}

const stackWithUnstackGrad = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const parts = args.slice(0, -1) as tf.Tensor[];
  return {
    value: tf.stack(parts),
    gradFunc: (dy: tf.Tensor) => unstackRows(dy),
  };
}) as (...parts: tf.Tensor[]) => tf.Tensor;

/** n tensors [...] -> [n, ...], whose gradient splits with unstackRows. */
export function stackRows(parts: tf.Tensor[]): tf.Tensor {
  if (tf.getBackend() !== 'wasm') return tf.stack(parts);
  return stackWithUnstackGrad(...parts);
}
