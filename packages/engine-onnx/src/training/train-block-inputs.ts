// The graph inputs of a training block (train-block-graph.ts): x, the call's
// positions, rotary tables and mask, norms, linears (float32 or 4-bit),
// biases and adapters. Norm weights are fed as stored; the names returned for
// them are already the scales the RMSNorms multiply by (offset + w for Gemma),
// so forward and backward use one and the same scale.
import type { LinearModule } from '@layerprune/model';
import type { GraphBuilder } from '../graph/graph-builder.js';
import { BLOCK_LINEAR_MODULES, type FourBitLayout } from '../graph/block-graph.js';
import { linearDims } from '../graph/linear-dims.js';
import { normScale } from '../graph/shared-ops.js';
import { adapterName, type TrainBlockSpec } from './train-block-spec.js';

export interface BlockInputs {
  x: string;
  positions: string;
  /** The block's own rotary tables (Gemma 3's sliding layers have theirs). */
  cos: string;
  sin: string;
  mask: string;
  /** input_layernorm; post_attention_layernorm (the attention output's norm with sandwich norms, else the MLP's input norm). */
  ln1: string;
  ln2: string;
  /** Sandwich norms only: pre_feedforward_layernorm and post_feedforward_layernorm (inputs pre_ffn_norm, post_ffn_norm). */
  preFfn: string;
  postFfn: string;
  weights: Record<LinearModule, string>;
  absmax: Record<LinearModule, string> | null;
  biases: Partial<Record<LinearModule, string>>;
  a: Partial<Record<LinearModule, string>>;
  b: Partial<Record<LinearModule, string>>;
  masks: Partial<Record<LinearModule, string>>;
  qNorm: string;
  kNorm: string;
}

export function blockInputs(g: GraphBuilder, spec: TrainBlockSpec, fourBit: FourBitLayout | undefined, withX: boolean): BlockInputs {
  const { arch } = spec;
  const H = arch.hiddenSize;
  const half = arch.headDim / 2;
  const dims = (m: LinearModule) => linearDims(arch, m);
  const values = (m: LinearModule) => dims(m)[0] * dims(m)[1];
  const norm = (name: string, size: number): string => normScale(g, g.input(name, 'float32', [size]), arch.normWeightOffset);
  const sandwich = arch.sandwichNorms;
  const inputs: BlockInputs = {
    x: withX ? g.input('x', 'float32', ['rows', H]) : '',
    positions: g.input('positions', 'int64', ['batch', 'tokens']),
    cos: g.input('cos', 'float32', ['tokens', half]),
    sin: g.input('sin', 'float32', ['tokens', half]),
    mask: g.input('mask', 'float32', ['tokens', 'tokens']),
    ln1: norm('ln1', H),
    ln2: norm('ln2', H),
    preFfn: sandwich ? norm('pre_ffn_norm', H) : '',
    postFfn: sandwich ? norm('post_ffn_norm', H) : '',
    weights: Object.fromEntries(
      BLOCK_LINEAR_MODULES.map((m) => [m, fourBit ? g.input(m, 'uint8', [Math.ceil(values(m) / 2)]) : g.input(m, 'float32', dims(m))]),
    ) as Record<LinearModule, string>,
    absmax: fourBit ? (Object.fromEntries(BLOCK_LINEAR_MODULES.map((m) => [m, g.input(`${m}_absmax`, 'float32', [Math.ceil(values(m) / fourBit.blockSize)])])) as Record<LinearModule, string>) : null,
    biases: Object.fromEntries(spec.biased.map((m) => [m, g.input(`${m}_bias`, 'float32', [dims(m)[0]])])),
    a: {},
    b: {},
    masks: {},
    qNorm: spec.qkNorm ? norm('q_norm', arch.headDim) : '',
    kNorm: spec.qkNorm ? norm('k_norm', arch.headDim) : '',
  };
  for (const m of spec.adapted) {
    const [out, inF] = dims(m);
    inputs.a[m] = g.input(adapterName.a(m), 'float32', [spec.rank, inF]);
    inputs.b[m] = g.input(adapterName.b(m), 'float32', [out, spec.rank]);
    if (spec.dropout) inputs.masks[m] = g.input(adapterName.mask(m), 'float32', ['rows', inF]);
  }
  return inputs;
}
