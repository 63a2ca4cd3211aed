// The frozen base model as the trainer sees it: embeddings, norms and head kept
// in float32 (as QLoRA does: bitsandbytes quantizes only the Linear layers of the
// blocks), and each block linear stored in 4-bit NF4 (double-quantized absmax),
// 16-bit or float32. linear() dequantizes one weight into a caller's reusable
// buffer, so at most one block's weights exist in float32 at a time. A base
// read from a 4-bit bitsandbytes checkpoint keeps its NF4 / FP4 states as they
// are at 4 bits (no second rounding). Linears are stored as the checkpoint has
// them: Phi-3's fused qkv_proj / gate_up_proj quantized whole (as bitsandbytes
// does), decoded once per block and split into the logical modules by rows.
import { decodeToFloat32, encodeFromFloat32 } from '@layerprune/tensor-io';
import { splitPacked4bitRows, type BlockWeights, type Packed4bitLinear } from '@layerprune/model';
import { absmaxOf, dequantize4bit, quantize4bit, type QuantState4bit } from '@layerprune/quant';
import { checkpointLayout, linearHolding, type BlockLinear } from './checkpoint-layout.js';
import { LoraError } from './lora-error.js';
import { ALL_LINEAR_MODULES, type LinearModuleName, type TargetModuleName } from './target-modules.js';
import type { TrainModelConfig } from './train-model-config.js';

export type BaseBits = 4 | 16 | 32;

/** Where the float32 weights come from (tensor-io's WeightStore fits). */
export interface WeightReader {
  has(name: string): boolean;
  readFloat32(name: string): Promise<Float32Array>;
  info?(name: string): { dtype: string };
  /**
   * The stored 4-bit state of `name` when the source itself is 4-bit (a
   * bitsandbytes checkpoint), else null: at `bits` 4 it is kept exactly instead
   * of being dequantized and quantized again.
   */
  fourBitState?(name: string): Promise<QuantState4bit | null>;
}

/** A block's RMSNorm weights as stored: input and post-attention [hidden]; qwen3's q and k [headDim]; Gemma's pre/post-feedforward [hidden]. */
interface BlockNorms {
  input: Float32Array;
  post: Float32Array;
  q?: Float32Array;
  k?: Float32Array;
  preFeedforward?: Float32Array;
  postFeedforward?: Float32Array;
}

type StoredLinear =
  | { kind: 'f32'; values: Float32Array }
  | { kind: 'half'; dtype: 'F16' | 'BF16'; bytes: Uint8Array }
  | { kind: '4bit'; state: QuantState4bit };

export class FrozenBase {
  readonly config: TrainModelConfig;
  readonly bits: BaseBits;
  readonly embedding: Float32Array;
  readonly lmHead: Float32Array;
  readonly finalNorm: Float32Array;
  private readonly norms: BlockNorms[];
  /** Keyed `${layer}.${name}` by stored linear (`0.qkv_proj` on Phi-3). */
  private readonly linears: Map<string, StoredLinear>;
  /** Keyed `${layer}.${module}` by logical module (a fused bias split by rows). */
  private readonly biases: Map<string, Float32Array>;
  /** The block's linears as stored. */
  private readonly layout: readonly BlockLinear[];
  /** packedLinears() per layer, computed on first use (the absmax of double-quantized states is undone once). */
  private readonly packed = new Map<number, ReturnType<FrozenBase['packedLinears']>>();

  private constructor(
    config: TrainModelConfig,
    bits: BaseBits,
    parts: {
      embedding: Float32Array;
      lmHead: Float32Array;
      finalNorm: Float32Array;
      norms: BlockNorms[];
      linears: Map<string, StoredLinear>;
      biases: Map<string, Float32Array>;
    },
  ) {
    this.config = config;
    this.bits = bits;
    this.embedding = parts.embedding;
    this.lmHead = parts.lmHead;
    this.finalNorm = parts.finalNorm;
    this.norms = parts.norms;
    this.linears = parts.linears;
    this.biases = parts.biases;
    this.layout = checkpointLayout(config);
  }

  /** Reads every weight once and stores block linears at `bits`. */
  static async load(config: TrainModelConfig, reader: WeightReader, bits: BaseBits): Promise<FrozenBase> {
    const need = async (name: string): Promise<Float32Array> => {
      if (!reader.has(name)) throw new LoraError('UNSUPPORTED_MODEL', `model has no tensor "${name}"`, { field: name });
      return reader.readFloat32(name);
    };
    // qwen3's per-head q/k norm weights: [headDim] each.
    const needNorm = async (name: string): Promise<Float32Array> => {
      const values = await need(name);
      if (values.length !== config.headDim) {
        throw new LoraError('UNSUPPORTED_MODEL', `"${name}" has ${values.length} values, expected head_dim ${config.headDim}`, { field: name, limit: config.headDim });
      }
      return values;
    };
    const embedding = await need('model.embed_tokens.weight');
    const lmHead = config.tieWordEmbeddings || !reader.has('lm_head.weight') ? embedding : await need('lm_head.weight');
    const finalNorm = await need('model.norm.weight');
    const norms: BlockNorms[] = [];
    const linears = new Map<string, StoredLinear>();
    const biases = new Map<string, Float32Array>();
    for (let l = 0; l < config.numHiddenLayers; l++) {
      norms.push({
        input: await need(`model.layers.${l}.input_layernorm.weight`),
        post: await need(`model.layers.${l}.post_attention_layernorm.weight`),
        ...(config.qkNorm === true
          ? { q: await needNorm(`model.layers.${l}.self_attn.q_norm.weight`), k: await needNorm(`model.layers.${l}.self_attn.k_norm.weight`) }
          : {}),
        // Gemma's sandwich norms: the MLP's input and output norms (the block adds normWeightOffset).
        ...(config.sandwichNorms === true
          ? {
              preFeedforward: await need(`model.layers.${l}.pre_feedforward_layernorm.weight`),
              postFeedforward: await need(`model.layers.${l}.post_feedforward_layernorm.weight`),
            }
          : {}),
      });
      for (const linear of checkpointLayout(config)) {
        const name = `model.layers.${l}.${linear.suffix}.weight`;
        const shape = [linear.rows, linear.columns];
        const state = bits === 4 && reader.has(name) ? ((await reader.fourBitState?.(name)) ?? null) : null;
        const stored = state ? ({ kind: '4bit', state } as const) : storeLinear(await need(name), bits, reader.info?.(name).dtype, name, shape);
        const numel = stored.kind === '4bit' ? stored.state.numel : stored.kind === 'f32' ? stored.values.length : stored.bytes.length / 2;
        // A fused tensor is split by rows: its size must be what the config says.
        if (numel !== linear.rows * linear.columns) {
          throw new LoraError('UNSUPPORTED_MODEL', `"${name}" has ${numel} values, expected [${shape.join(', ')}]`, { field: name, limit: linear.rows * linear.columns });
        }
        linears.set(`${l}.${linear.name}`, stored);
        const biasName = `model.layers.${l}.${linear.suffix}.bias`;
        if (reader.has(biasName)) {
          const bias = await reader.readFloat32(biasName);
          if (bias.length !== linear.rows) {
            throw new LoraError('UNSUPPORTED_MODEL', `"${biasName}" has ${bias.length} values, expected ${linear.rows} (the output size of ${linear.name})`, { field: biasName, limit: linear.rows });
          }
          for (const part of linear.parts) biases.set(`${l}.${part.module}`, linear.parts.length === 1 ? bias : bias.subarray(part.rowStart, part.rowEnd));
        }
      }
    }
    return new FrozenBase(config, bits, { embedding, lmHead, finalNorm, norms, linears, biases });
  }

  norm(layer: number, which: 'input' | 'post'): Float32Array {
    return this.norms[layer][which];
  }

  /** qwen3's per-head query / key norm weights of block `layer` ([headDim] each), or null when the model has none. */
  qkNorms(layer: number): { q: Float32Array; k: Float32Array } | null {
    const { q, k } = this.norms[layer];
    return q && k ? { q, k } : null;
  }

  /** Gemma's pre / post feed-forward norm weights of block `layer` ([hidden] each), or null without sandwich norms. */
  feedforwardNorms(layer: number): { pre: Float32Array; post: Float32Array } | null {
    const { preFeedforward, postFeedforward } = this.norms[layer];
    return preFeedforward && postFeedforward ? { pre: preFeedforward, post: postFeedforward } : null;
  }

  bias(layer: number, module: LinearModuleName): Float32Array | null {
    return this.biases.get(`${layer}.${module}`) ?? null;
  }

  /**
   * The [out, in] float32 weight of one logical linear. With `out` (length >=
   * out*in) the values are written there and a view is returned: no allocation
   * per call. A part of a fused tensor decodes only its rows (blockWeights
   * decodes a fused tensor once for all its parts).
   */
  linear(layer: number, module: LinearModuleName, out?: Float32Array): Float32Array {
    const { linear, part } = linearHolding(this.layout, module);
    return this.rows(layer, linear, part.rowStart, part.rowEnd, out);
  }

  /** The whole [rows, in] float32 weight of a stored linear by name (`qkv_proj` on Phi-3), as linear() does. */
  storedLinear(layer: number, name: TargetModuleName, out?: Float32Array): Float32Array {
    const linear = this.layout.find((l) => l.name === name);
    if (!linear) throw new LoraError('UNSUPPORTED_MODEL', `no weight for block ${layer} ${name}`, { module: name });
    return this.rows(layer, linear, 0, linear.rows, out);
  }

  /** Rows [start, end) of a stored linear in float32. */
  private rows(layer: number, linear: BlockLinear, start: number, end: number, out?: Float32Array): Float32Array {
    const stored = this.linears.get(`${layer}.${linear.name}`);
    if (!stored) throw new LoraError('UNSUPPORTED_MODEL', `no weight for block ${layer} ${linear.name}`, { module: linear.name });
    const whole = start === 0 && end === linear.rows;
    const from = start * linear.columns;
    const n = (end - start) * linear.columns;
    if (stored.kind === 'f32') {
      const values = whole ? stored.values : stored.values.subarray(from, from + n);
      if (!out) return values;
      const view = out.subarray(0, n);
      view.set(values);
      return view;
    }
    // Stored shapes are [rows, in] (the checkpoint's quant_state, or set by storeLinear).
    if (stored.kind === '4bit') return dequantize4bit(stored.state, { ...(whole ? {} : { rows: [start, end] as const }), ...(out ? { out } : {}) });
    const view = out ? out.subarray(0, n) : new Float32Array(n);
    decodeHalfInto(whole ? stored.bytes : stored.bytes.subarray(2 * from, 2 * (from + n)), stored.dtype, view);
    return view;
  }

  /**
   * Block `layer` as the model runtime's BlockWeights. Each stored linear is
   * written into its own buffer in `buffers` (by name; grown on demand and
   * reused block after block): the runtime copies them into tensors before the
   * next call. A fused one is decoded once; its modules get views of their rows.
   */
  blockWeights(layer: number, buffers: Map<string, Float32Array>): BlockWeights {
    const linear = {} as Record<LinearModuleName, Float32Array>;
    const bias: Partial<Record<LinearModuleName, Float32Array>> = {};
    for (const stored of this.layout) {
      const size = stored.rows * stored.columns;
      let buffer = buffers.get(stored.name);
      if (!buffer || buffer.length < size) buffers.set(stored.name, (buffer = new Float32Array(size)));
      const values = this.rows(layer, stored, 0, stored.rows, buffer);
      for (const { module, rowStart, rowEnd } of stored.parts) {
        linear[module] = stored.parts.length === 1 ? values : values.subarray(rowStart * stored.columns, rowEnd * stored.columns);
        const b = this.bias(layer, module);
        if (b) bias[module] = b;
      }
    }
    const qk = this.qkNorms(layer);
    const { preFeedforward, postFeedforward } = this.norms[layer];
    return {
      inputLayernorm: this.norm(layer, 'input'),
      postAttentionLayernorm: this.norm(layer, 'post'),
      linear,
      bias,
      ...(qk ? { qNorm: qk.q, kNorm: qk.k } : {}),
      ...(preFeedforward && postFeedforward ? { preFeedforwardLayernorm: preFeedforward, postFeedforwardLayernorm: postFeedforward } : {}),
    };
  }

  /**
   * Block `layer`'s seven linears as stored at 4 bits (packed bytes and float32
   * absmax, double quantization undone), for engines that multiply 4-bit weights
   * directly; null unless all seven are 4-bit with one type and block size. A
   * fused tensor is split by rows only where each module starts on an absmax
   * block (splitPacked4bitRows); otherwise null too, and engines use linear()'s
   * dequantized float32 for the block.
   */
  packedLinears(layer: number): { quantType: 'nf4' | 'fp4'; blockSize: number; linear: Record<LinearModuleName, Packed4bitLinear> } | null {
    const cached = this.packed.get(layer);
    if (cached !== undefined) return cached;
    const linear = {} as Record<LinearModuleName, Packed4bitLinear>;
    let first: QuantState4bit | null = null;
    let result: ReturnType<FrozenBase['packedLinears']> = null;
    for (const l of this.layout) {
      const stored = this.linears.get(`${layer}.${l.name}`);
      if (stored?.kind !== '4bit') break;
      const s = stored.state;
      first ??= s;
      if (s.quantType !== first.quantType || s.blockSize !== first.blockSize) break;
      const parts = splitPacked4bitRows({ quantType: s.quantType, blockSize: s.blockSize, packed: s.packed, absmax: absmaxOf(s) }, l.columns, l.parts);
      if (!parts) break;
      Object.assign(linear, parts);
    }
    if (first && Object.keys(linear).length === ALL_LINEAR_MODULES.length) result = { quantType: first.quantType, blockSize: first.blockSize, linear };
    this.packed.set(layer, result);
    return result;
  }

  /** Bytes held for the block linears (the part that `bits` shrinks). */
  linearBytes(): number {
    let total = 0;
    for (const s of this.linears.values()) {
      if (s.kind === 'f32') total += s.values.byteLength;
      else if (s.kind === 'half') total += s.bytes.byteLength;
      else total += s.state.packed.byteLength + (s.state.absmax?.byteLength ?? 0) + (s.state.nested ? s.state.nested.codes.byteLength + s.state.nested.absmax.byteLength : 0);
    }
    return total;
  }
}

function storeLinear(values: Float32Array, bits: BaseBits, sourceDtype: string | undefined, name: string, shape: readonly number[]): StoredLinear {
  if (bits === 32) return { kind: 'f32', values };
  if (bits === 16) {
    // Keep a 16-bit source in its own format (lossless); a float32 source goes to bf16, QLoRA's compute dtype.
    const dtype = sourceDtype === 'F16' ? 'F16' : 'BF16';
    return { kind: 'half', dtype, bytes: encodeFromFloat32(values, dtype) };
  }
  // The whole tensor as one state, as bitsandbytes quantizes a (fused) Linear; its shape lets linear() decode row ranges.
  return { kind: '4bit', state: quantize4bit(values, { type: 'nf4', blockSize: 64, doubleQuant: true, name, shape }) };
}

function decodeHalfInto(bytes: Uint8Array, dtype: 'F16' | 'BF16', out: Float32Array): void {
  if (dtype === 'F16') {
    out.set(decodeToFloat32(bytes, 'F16'));
    return;
  }
  // bf16 is the top half of a float32: widen by a shift, no allocation.
  const src = new Uint16Array(bytes.buffer, bytes.byteOffset, bytes.length / 2);
  const dst = new Uint32Array(out.buffer, out.byteOffset, out.length);
  for (let i = 0; i < src.length; i++) dst[i] = src[i] << 16;
}
