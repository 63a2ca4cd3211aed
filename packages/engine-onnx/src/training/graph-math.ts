// The RMSNorm backward, shared by the block and head training graphs.
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
