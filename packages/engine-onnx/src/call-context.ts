// The per-call inputs every block of a forward or decode step shares: position
// ids, the rotary cos/sin rows for this call's absolute positions (one pair per
// distinct set of inverse frequencies: Gemma 3's sliding layers rotate with their
// own), and one additive mask per distinct sliding window. Built from the same functions the
// tfjs engine uses (ropeTables, causalMaskValues), so both engines rotate and
// mask identically.
import type * as Ort from 'onnxruntime-node';
import { causalMaskValues, ropeTables } from '@layerprune/model';
import type { Architecture } from '@layerprune/model';
import type { OrtModule } from './runtime/load-runtime.js';

export interface CallShape {
  batch: number;
  /** Tokens per sequence in this call. */
  tokens: number;
  /** Positions already in the KV cache. */
  past: number;
}

export interface RopeFeeds {
  readonly cos: Ort.Tensor;
  readonly sin: Ort.Tensor;
}

export interface CallContext extends CallShape, RopeFeeds {
  readonly keys: number;
  readonly positions: Ort.Tensor;
  /** cos / sin above are the full-attention layers' (arch.invFreq); block `layer` rotates with these. */
  rope(layer: number): RopeFeeds;
  mask(layer: number): Ort.Tensor;
}

export function createCallContext(ort: OrtModule, arch: Architecture, shape: CallShape): CallContext {
  const { batch, tokens, past } = shape;
  const keys = past + tokens;
  const half = arch.headDim / 2;
  const absolute = Array.from({ length: tokens }, (_, t) => past + t);
  const tables = (invFreq: Float64Array): RopeFeeds => {
    // ropeTables repeats each frequency twice (rotate-half layout); RotaryEmbedding takes one half.
    const full = ropeTables(invFreq, absolute, 1);
    const cos = new Float32Array(tokens * half);
    const sin = new Float32Array(tokens * half);
    for (let t = 0; t < tokens; t++) {
      cos.set(full.cos.subarray(t * 2 * half, t * 2 * half + half), t * half);
      sin.set(full.sin.subarray(t * 2 * half, t * 2 * half + half), t * half);
    }
    return { cos: new ort.Tensor('float32', cos, [tokens, half]), sin: new ort.Tensor('float32', sin, [tokens, half]) };
  };
  // Layers share arch.invFreq or arch.localInvFreq (the same array objects): one pair of tables each.
  const ropes = new Map<Float64Array, RopeFeeds>();
  const ropeFor = (invFreq: Float64Array): RopeFeeds => {
    let rope = ropes.get(invFreq);
    if (!rope) {
      rope = tables(invFreq);
      ropes.set(invFreq, rope);
    }
    return rope;
  };
  const global = ropeFor(arch.invFreq);
  // Row t of the tables holds position past + t, for every sequence of the batch.
  const positions = new BigInt64Array(batch * tokens);
  for (let b = 0; b < batch; b++) for (let t = 0; t < tokens; t++) positions[b * tokens + t] = BigInt(t);
  const masks = new Map<number | null, Ort.Tensor>();
  const maskFor = (window: number | null): Ort.Tensor => {
    // A window at least as long as every query's history changes nothing: share the full mask.
    const key = window !== null && window >= keys ? null : window;
    let mask = masks.get(key);
    if (!mask) {
      mask = new ort.Tensor('float32', causalMaskValues(tokens, keys, past, key), [tokens, keys]);
      masks.set(key, mask);
    }
    return mask;
  };
  return {
    batch,
    tokens,
    past,
    keys,
    positions: new ort.Tensor('int64', positions, [batch, tokens]),
    cos: global.cos,
    sin: global.sin,
    rope: (layer) => ropeFor(arch.layerInvFreq[layer] ?? arch.invFreq),
    mask: (layer) => maskFor(arch.layerWindows[layer] ?? null),
  };
}
