// The trainable state: one (A, B) pair per adapted linear layer, in plain
// Float32Arrays (the source of truth between steps; tfjs tensors are made from
// them only for the duration of a block's forward/backward).
import { LoraError } from './lora-error.js';
import { loraScaling, type LoraConfig } from './lora-config.js';
import type { SeededRng } from '@layerprune/data';
import { modulePath, type LinearModuleName } from './target-modules.js';

export interface LoraPair {
  /** `model.layers.3.mlp.down_proj` */
  readonly path: string;
  readonly layer: number;
  readonly module: LinearModuleName;
  readonly inFeatures: number;
  readonly outFeatures: number;
  /** [r, in], row-major */
  readonly a: Float32Array;
  /** [out, r], row-major */
  readonly b: Float32Array;
}

export interface LinearShapes {
  numLayers: number;
  /** [out, in] of each linear module of a block. */
  shape(module: LinearModuleName): [number, number];
}

/** Shapes of a Llama-family block's linears from its config. */
export function llamaLinearShapes(config: {
  numHiddenLayers: number;
  hiddenSize: number;
  intermediateSize: number;
  numAttentionHeads: number;
  numKeyValueHeads: number;
  headDim: number;
}): LinearShapes {
  const h = config.hiddenSize;
  const q = config.numAttentionHeads * config.headDim;
  const kv = config.numKeyValueHeads * config.headDim;
  const i = config.intermediateSize;
  const table: Record<LinearModuleName, [number, number]> = {
    q_proj: [q, h],
    k_proj: [kv, h],
    v_proj: [kv, h],
    o_proj: [h, q],
    gate_proj: [i, h],
    up_proj: [i, h],
    down_proj: [h, i],
  };
  return { numLayers: config.numHiddenLayers, shape: (m) => table[m] };
}

export class LoraAdapters {
  readonly config: LoraConfig;
  readonly scaling: number;
  readonly pairs: LoraPair[];
  private readonly byPath = new Map<string, LoraPair>();

  constructor(config: LoraConfig, pairs: LoraPair[]) {
    this.config = config;
    this.scaling = loraScaling(config);
    this.pairs = pairs;
    for (const p of pairs) this.byPath.set(p.path, p);
  }

  /**
   * New adapters initialised as PEFT does (init_lora_weights=True): A from
   * nn.init.kaiming_uniform_(a=sqrt(5)), which is U(-1/sqrt(in), 1/sqrt(in))
   * (gain sqrt(2/(1+5)), bound gain*sqrt(3/in)), and B zeros so the adapted
   * model starts equal to the base.
   */
  static create(config: LoraConfig, shapes: LinearShapes, rng: SeededRng): LoraAdapters {
    const pairs: LoraPair[] = [];
    const layers = config.layersToTransform ?? Array.from({ length: shapes.numLayers }, (_, l) => l);
    for (const layer of layers) {
      if (layer >= shapes.numLayers) {
        throw new LoraError('CONFIG_INVALID', `layers_to_transform names block ${layer}, but the model has ${shapes.numLayers} blocks`, {
          field: 'layers_to_transform',
          limit: shapes.numLayers,
        });
      }
      for (const module of config.targetModules) {
        const [out, inF] = shapes.shape(module);
        const a = new Float32Array(config.rank * inF);
        const bound = 1 / Math.sqrt(inF);
        rng.fillUniform(a, -bound, bound);
        pairs.push({ path: modulePath(layer, module), layer, module, inFeatures: inF, outFeatures: out, a, b: new Float32Array(out * config.rank) });
      }
    }
    return new LoraAdapters(config, pairs);
  }

  get(layer: number, module: LinearModuleName): LoraPair | undefined {
    return this.byPath.get(modulePath(layer, module));
  }

  forLayer(layer: number): LoraPair[] {
    return this.pairs.filter((p) => p.layer === layer);
  }

  /** Number of trainable parameters. */
  parameterCount(): number {
    return this.pairs.reduce((n, p) => n + p.a.length + p.b.length, 0);
  }

  /** Deep copy (for tests and for keeping a last-good state). */
  clone(): LoraAdapters {
    return new LoraAdapters(
      { ...this.config },
      this.pairs.map((p) => ({ ...p, a: p.a.slice(), b: p.b.slice() })),
    );
  }

  /** All parameter arrays in a fixed order: A then B of each pair. */
  parameters(): Float32Array[] {
    return this.pairs.flatMap((p) => [p.a, p.b]);
  }
}

/** PEFT state-dict key of a pair's matrix: `base_model.model.<path>.lora_A.weight`. */
export function peftKey(path: string, which: 'A' | 'B'): string {
  return `base_model.model.${path}.lora_${which}.weight`;
}
