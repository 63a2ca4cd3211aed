// WeightProvider over Hugging Face tensor names (model.layers.{i}.self_attn.q_proj.weight, ...):
// checks every expected tensor's presence and shape up front and optionally
// keeps the arrays in plain memory after the first read (streaming mode:
// outside the tfjs heap). Arrays keep the Hugging Face layout.
import { checkpointLinears, expectedModelTensors } from '@layerprune/architectures';
import type { ArchitectureConfig } from '@layerprune/architectures';
import { ModelError } from '../errors.js';
import { hasLinearBias, linearShape } from '@layerprune/architectures';
import { LINEAR_MODULES, linearModulePath } from './block-weights.js';
import type { BlockWeights, LinearModule, Packed4bitLinear, PackedBlockWeights, WeightProvider } from './block-weights.js';
import { checkpointWeightName, readBlockLinears, splitPacked4bitRows } from './block-linears.js';
import type { TensorReader } from './tensor-reader.js';

export interface HfWeightProviderOptions {
  /** Keep block weights in memory after the first read (default true). */
  cache?: boolean;
}

interface Expected {
  name: string;
  shape: number[];
}

export class HfWeightProvider implements WeightProvider {
  private readonly cache: boolean;
  private readonly blocks = new Map<number, BlockWeights>();
  private readonly packedBlocks = new Map<number, PackedBlockWeights | null>();
  private embeddingData: Float32Array | null = null;
  private lmHeadData: Float32Array | null = null;

  constructor(
    readonly config: ArchitectureConfig,
    private readonly reader: TensorReader,
    options: HfWeightProviderOptions = {},
  ) {
    this.cache = options.cache ?? true;
  }

  /**
   * Every tensor the forward pass reads, with its Hugging Face shape: the
   * required tensors of tensor-io's expectedModelTensors, the one description
   * of the architecture that directory validation also uses.
   */
  expectedTensors(): Expected[] {
    return expectedModelTensors(this.config)
      .filter((t) => t.required)
      .map(({ name, shape }) => ({ name, shape }));
  }

  /**
   * Throws TENSOR_MISSING / SHAPE_MISMATCH for the first tensor that is absent or
   * misshapen; reads no data. For a directory, loadModel has already run
   * tensor-io's validateModelWeights; this covers other readers (in-memory maps).
   */
  validate(): void {
    for (const { name, shape } of this.expectedTensors()) this.checkShape(name, shape);
  }

  async embedding(): Promise<Float32Array> {
    if (this.embeddingData) return this.embeddingData;
    const c = this.config;
    const data = await this.read('model.embed_tokens.weight', [c.vocabSize, c.hiddenSize]);
    // Always kept: the embedding lookup copies rows from it on every forward pass.
    this.embeddingData = data;
    return data;
  }

  async finalNorm(): Promise<Float32Array> {
    return this.read('model.norm.weight', [this.config.hiddenSize]);
  }

  async lmHead(): Promise<Float32Array> {
    const c = this.config;
    if (c.tieWordEmbeddings) return this.embedding();
    if (this.lmHeadData) return this.lmHeadData;
    const data = await this.read('lm_head.weight', [c.vocabSize, c.hiddenSize]);
    if (this.cache) this.lmHeadData = data;
    return data;
  }

  async getBlockWeights(layer: number): Promise<BlockWeights> {
    const cached = this.blocks.get(layer);
    if (cached) return cached;
    this.checkLayer(layer);
    // Phi-3's fused qkv_proj / gate_up_proj are read once and split by rows (views, no copy).
    const linear = await readBlockLinears(this.config, layer, (name, shape) => this.read(name, shape));
    const weights: BlockWeights = { ...(await this.blockRest(layer)), linear };
    if (this.cache) this.blocks.set(layer, weights);
    return weights;
  }

  /** The block with its linear weights as stored, when the reader has them all 4-bit with one quantType and blockSize. */
  async getPackedBlockWeights(layer: number): Promise<PackedBlockWeights | null> {
    const readPacked = this.reader.readPacked4bit?.bind(this.reader);
    if (!readPacked) return null;
    const cached = this.packedBlocks.get(layer);
    if (cached !== undefined) return cached;
    this.checkLayer(layer);
    const c = this.config;
    const linear = {} as Record<LinearModule, Packed4bitLinear>;
    let first: Packed4bitLinear | null = null;
    for (const tensor of checkpointLinears(c)) {
      const name = checkpointWeightName(layer, tensor);
      this.checkShape(name, [tensor.rows, tensor.columns]);
      const packed = await readPacked(name);
      first ??= packed;
      // A fused tensor (Phi-3) is split into its modules' rows when they start on absmax block
      // boundaries; otherwise, like a block that is not uniformly 4-bit, the block is null here
      // and engines read it dequantized to float32 through getBlockWeights.
      const parts = packed && first && packed.quantType === first.quantType && packed.blockSize === first.blockSize ? splitPacked4bitRows(packed, tensor.columns, tensor.parts) : null;
      if (!parts) {
        if (this.cache) this.packedBlocks.set(layer, null);
        return null;
      }
      Object.assign(linear, parts);
    }
    const packedBlock: PackedBlockWeights = { ...(await this.blockRest(layer)), linear };
    if (this.cache) this.packedBlocks.set(layer, packedBlock);
    return packedBlock;
  }

  private checkLayer(layer: number): void {
    const n = this.config.numHiddenLayers;
    if (!Number.isInteger(layer) || layer < 0 || layer >= n) {
      throw new ModelError('LAYER_OUT_OF_RANGE', `${this.reader.source}: layer ${layer} is outside [0, ${n})`, { file: this.reader.source, limit: n });
    }
  }

  /** Everything of block `layer` but its linear weights: norms (with Gemma's and qwen3's extra ones) and biases. */
  private async blockRest(layer: number): Promise<Omit<BlockWeights, 'linear'>> {
    const H = this.config.hiddenSize;
    return {
      inputLayernorm: await this.read(`model.layers.${layer}.input_layernorm.weight`, [H]),
      postAttentionLayernorm: await this.read(`model.layers.${layer}.post_attention_layernorm.weight`, [H]),
      bias: await this.biases(layer),
      ...(await this.qkNorms(layer)),
      ...(await this.feedforwardNorms(layer)),
    };
  }

  async close(): Promise<void> {
    this.blocks.clear();
    this.packedBlocks.clear();
    this.embeddingData = null;
    this.lmHeadData = null;
  }

  /** The biases of block `layer`'s logical modules, where the checkpoint has them (architectures' hasLinearBias). */
  private async biases(layer: number): Promise<Partial<Record<LinearModule, Float32Array>>> {
    const bias: Partial<Record<LinearModule, Float32Array>> = {};
    for (const module of LINEAR_MODULES) {
      if (hasLinearBias(this.config, module)) bias[module] = await this.read(`${linearModulePath(layer, module)}.bias`, [linearShape(this.config, module)[0]]);
    }
    return bias;
  }

  /** qwen3's per-head query / key norm weights ([head_dim] each), or nothing for models without them. */
  private async qkNorms(layer: number): Promise<Pick<BlockWeights, 'qNorm' | 'kNorm'>> {
    if (!this.config.qkNorm) return {};
    const shape = [this.config.headDim];
    return {
      qNorm: await this.read(`model.layers.${layer}.self_attn.q_norm.weight`, shape),
      kNorm: await this.read(`model.layers.${layer}.self_attn.k_norm.weight`, shape),
    };
  }

  /** Gemma's MLP input / output norm weights ([hidden] each, as stored: the engine adds normWeightOffset), or nothing without sandwich norms. */
  private async feedforwardNorms(layer: number): Promise<Pick<BlockWeights, 'preFeedforwardLayernorm' | 'postFeedforwardLayernorm'>> {
    if (!this.config.sandwichNorms) return {};
    const shape = [this.config.hiddenSize];
    return {
      preFeedforwardLayernorm: await this.read(`model.layers.${layer}.pre_feedforward_layernorm.weight`, shape),
      postFeedforwardLayernorm: await this.read(`model.layers.${layer}.post_feedforward_layernorm.weight`, shape),
    };
  }

  private checkShape(name: string, shape: number[]): void {
    const source = this.reader.source;
    if (!this.reader.has(name)) {
      throw new ModelError('TENSOR_MISSING', `${source}: tensor ${name} is missing (config implies shape [${shape.join(', ')}])`, {
        file: source,
        tensor: name,
        expected: `[${shape.join(', ')}]`,
        found: 'missing',
      });
    }
    const actual = this.reader.shape(name);
    if (actual.length !== shape.length || actual.some((d, i) => d !== shape[i])) {
      throw new ModelError('SHAPE_MISMATCH', `${source}: tensor ${name} has shape [${actual.join(', ')}], config implies [${shape.join(', ')}]`, {
        file: source,
        tensor: name,
        limit: `[${shape.join(', ')}]`,
        expected: `[${shape.join(', ')}]`,
        found: `[${actual.join(', ')}]`,
      });
    }
  }

  private async read(name: string, shape: number[]): Promise<Float32Array> {
    this.checkShape(name, shape);
    return this.reader.readFloat32(name);
  }
}
