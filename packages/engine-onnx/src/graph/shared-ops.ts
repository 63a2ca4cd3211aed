// Small subgraphs the inference graphs share for the family differences the
// Architecture states as plain fields (never as model_type): Gemma's (offset + w)
// norm scale, softcapping, and the MLP gate activation.
import type { MlpActivation } from '@layerprune/model';
import type { GraphBuilder } from './graph-builder.js';

/** The RMSNorm scale of a weight input: w, or (offset + w) for Gemma's stored weights. */
export function normScale(g: GraphBuilder, weight: string, offset: number): string {
  return offset === 0 ? weight : g.op('Add', [weight, g.float32s([offset], [])]);
}

/** c * tanh(value / c). */
export function softcap(g: GraphBuilder, value: string, cap: number): string {
  return g.op('Mul', [g.op('Tanh', [g.op('Div', [value, g.float32s([cap], [])])]), g.float32s([cap], [])]);
}

/** The MLP's gate activation: SiLU, or GELU with the tanh approximation (opset 20 Gelu, approximate="tanh"). */
export function mlpActivation(g: GraphBuilder, gate: string, activation: MlpActivation): string {
  switch (activation) {
    case 'silu':
      return g.op('Mul', [gate, g.op('Sigmoid', [gate])]);
    case 'gelu_pytorch_tanh':
      return g.op('Gelu', [gate], { approximate: 'tanh' });
  }
}
