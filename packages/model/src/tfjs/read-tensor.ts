// Downloads a float32 tensor into an array the caller owns. The wasm backend
// already returns a fresh copy; cpu returns its own storage, so copy there.
import * as tf from '@tensorflow/tfjs';

export function readFloat32(t: tf.Tensor): Float32Array {
  const values = t.dataSync() as Float32Array;
  return tf.getBackend() === 'wasm' ? values : values.slice();
}
