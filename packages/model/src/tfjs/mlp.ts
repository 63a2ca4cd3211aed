// The gated MLP: down_proj(act(gate_proj(x)) * up_proj(x)), with act SiLU
// (LlamaMLP, SwiGLU) or tanh-approximated GELU (Gemma's GeGLU).
import * as tf from '@tensorflow/tfjs';
import type { MlpActivation } from '../config/resolve-architecture.js';
import type { LinearModule } from '../weights/block-weights.js';

export type Projection = (input: tf.Tensor2D, module: LinearModule) => tf.Tensor2D;

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

/** transformers' PytorchGELUTanh: 0.5 x (1 + tanh(sqrt(2 / pi) (x + 0.044715 x^3))), built from differentiable elementwise ops. */
export function geluTanh(x: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const inner = tf.mul(tf.add(x, tf.mul(tf.mul(tf.mul(x, x), x), 0.044715)), SQRT_2_OVER_PI);
    return tf.mul(tf.mul(x, 0.5), tf.add(tf.tanh(inner), 1)) as tf.Tensor2D;
  });
}

export function mlp(x: tf.Tensor2D, project: Projection, activation: MlpActivation = 'silu'): tf.Tensor2D {
  return tf.tidy(() => {
    const gate = project(x, 'gate_proj');
    const up = project(x, 'up_proj');
    const act = activation === 'silu' ? tf.mul(gate, tf.sigmoid(gate)) : geluTanh(gate);
    const activated = tf.mul(act, up) as tf.Tensor2D;
    return project(activated, 'down_proj');
  });
}
