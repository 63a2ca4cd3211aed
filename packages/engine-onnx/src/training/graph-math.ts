// Backward pieces shared by the block and head training graphs: RMSNorm,
// softcapping and the MLP gate activations.
import type { MlpActivation } from '@layerprune/model';
import type { GraphBuilder } from '../graph/graph-builder.js';

/**
 * dx of a = x * r * w with r = 1 / sqrt(mean(x^2) + eps), over the last axis:
 *   dx = r * (da * w) - x * r^3 * mean(da * w * x)
 * (the second term is the gradient through r). r is recomputed from x.
 */
export function rmsNormBackward(g: GraphBuilder, x: string, weight: string, da: string, eps: number): string {
  const last = g.int64s([-1]);
  const r = g.op('Reciprocal', [g.op('Sqrt', [g.op('Add', [g.op('ReduceMean', [g.op('Mul', [x, x]), last], { keepdims: 1 }), g.float32s([eps])])])]);
  const gw = g.op('Mul', [da, weight]);
  const dot = g.op('ReduceMean', [g.op('Mul', [gw, x]), last], { keepdims: 1 });
  const r3dot = g.op('Mul', [g.op('Mul', [r, g.op('Mul', [r, r])]), dot]);
  return g.op('Sub', [g.op('Mul', [gw, r]), g.op('Mul', [x, r3dot])]);
}

/**
 * d cap(z) / dz for cap(z) = c tanh(z / c), from the capped value s itself:
 * 1 - tanh^2(z / c) = 1 - (s / c)^2 (so the backward needs only what the forward made).
 */
export function softcapDerivative(g: GraphBuilder, capped: string, cap: number): string {
  const t = g.op('Div', [capped, g.float32s([cap], [])]);
  return g.op('Sub', [g.float32s([1], []), g.op('Mul', [t, t])]);
}

/** d act(x) / dx of the MLP gate activation (the forward's mlpActivation). */
export function mlpActivationDerivative(g: GraphBuilder, x: string, activation: MlpActivation): string {
  const one = g.float32s([1], []);
  switch (activation) {
    case 'silu': {
      // sig * (1 + x * (1 - sig))
      const sig = g.op('Sigmoid', [x]);
      return g.op('Mul', [sig, g.op('Add', [one, g.op('Mul', [x, g.op('Sub', [one, sig])])])]);
    }
    case 'gelu_pytorch_tanh': {
      // gelu(x) = 0.5 x (1 + t), t = tanh(k (x + c x^3)), k = sqrt(2 / pi), c = 0.044715:
      // 0.5 (1 + t) + 0.5 x (1 - t^2) k (1 + 3 c x^2)
      const c = 0.044715;
      const k = Math.sqrt(2 / Math.PI);
      const x2 = g.op('Mul', [x, x]);
      const inner = g.op('Mul', [g.op('Mul', [x, g.op('Add', [one, g.op('Mul', [x2, g.float32s([c], [])])])]), g.float32s([k], [])]);
      const t = g.op('Tanh', [inner]);
      const half = g.float32s([0.5], []);
      const first = g.op('Mul', [half, g.op('Add', [one, t])]);
      const slope = g.op('Mul', [g.float32s([0.5 * k], []), g.op('Add', [one, g.op('Mul', [x2, g.float32s([3 * c], [])])])]);
      const second = g.op('Mul', [g.op('Mul', [x, g.op('Sub', [one, g.op('Mul', [t, t])])]), slope]);
      return g.op('Add', [first, second]);
    }
  }
}
