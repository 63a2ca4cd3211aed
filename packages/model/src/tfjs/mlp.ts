// LlamaMLP: down_proj(silu(gate_proj(x)) * up_proj(x)).
import * as tf from '@tensorflow/tfjs';
import type { LinearModule } from '../weights/block-weights.js';

export type Projection = (input: tf.Tensor2D, module: LinearModule) => tf.Tensor2D;

export function mlp(x: tf.Tensor2D, project: Projection): tf.Tensor2D {
  return tf.tidy(() => {
    const gate = project(x, 'gate_proj');
    const up = project(x, 'up_proj');
    const activated = tf.mul(tf.mul(gate, tf.sigmoid(gate)), up) as tf.Tensor2D;
    return project(activated, 'down_proj');
  });
}
