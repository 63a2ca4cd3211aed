// The trainable state: one (A, B) pair per adapted linear as the checkpoint
// stores it (PEFT's LoRA modules: on Phi-3 the fused qkv_proj and gate_up_proj),
// in plain Float32Arrays (the source of truth between steps; tfjs tensors are
// made from them only for the duration of a block's forward/backward). Engines
// apply them per logical module (`pairs`): the parts of a fused module share its
// A and each sees its own rows of B, which is exactly PEFT's
// lora_B(lora_A(dropout(x))) on the fused output, split by rows.
import type { ModulePart } from '@layerprune/architectures';
import { checkpointLayout, linearHolding, type BlockLinear, type LayoutConfig } from './checkpoint-layout.js';
import { LoraError } from './lora-error.js';
import { loraScaling, type LoraConfig } from './lora-config.js';
import { resolveTargets } from './resolve-targets.js';
import type { SeededRng } from '@layerprune/data';
import type { LinearModuleName, TargetModuleName } from './target-modules.js';

/** One adapter as PEFT saves it: on one stored linear of one block. */
export interface LoraModule {
  /** `model.layers.3.self_attn.qkv_proj` */
  readonly path: string;
  readonly layer: number;
  /** The module name PEFT matches: `down_proj`, or a fused `qkv_proj`. */
  readonly name: TargetModuleName;
  readonly inFeatures: number;
  /** Rows of the stored linear (every part of a fused one). */
  readonly outFeatures: number;
  /** [r, in], row-major */
  readonly a: Float32Array;
  /** [out, r], row-major */
  readonly b: Float32Array;
  /** The logical modules it feeds, with their rows of B; empty for a fused module loaded without the model's layout. */
  readonly parts: readonly ModulePart[];
}

/**
 * One logical module's adapter as an engine applies it: y += scaling * B (A x).
 * Unfused: the module's own arrays. A part of a fused module: the module's A
 * (shared) and a view of its rows of B, so updates of the module show here.
 */
export interface LoraPair {
  /** Path of the adapter's module (a fused module's, for its parts). */
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
  /** [out, in] of each logical linear module of a block. */
  shape(module: LinearModuleName): [number, number];
  /** The block's linears as stored, where adapters go. */
  readonly layout: readonly BlockLinear[];
}

/** Shapes of a Llama-family block's linears from its config (with Phi-3's fused layout when config.fusedProjections). */
export function llamaLinearShapes(config: LayoutConfig & { numHiddenLayers: number }): LinearShapes {
  const layout = checkpointLayout(config);
  return {
    numLayers: config.numHiddenLayers,
    shape: (module) => {
      const { linear, part } = linearHolding(layout, module);
      return [part.rowEnd - part.rowStart, linear.columns];
    },
    layout,
  };
}

function pairsOf(m: LoraModule, rank: number): LoraPair[] {
  return m.parts.map((part) => ({
    path: m.path,
    layer: m.layer,
    module: part.module,
    inFeatures: m.inFeatures,
    outFeatures: part.rowEnd - part.rowStart,
    a: m.a,
    b: m.parts.length === 1 ? m.b : m.b.subarray(part.rowStart * rank, part.rowEnd * rank),
  }));
}

export class LoraAdapters {
  readonly config: LoraConfig;
  readonly scaling: number;
  /** The state, in block then checkpoint order: what is saved, merged, and optimised (parameters()). */
  readonly modules: LoraModule[];
  /** null when a fused module's parts are unknown (see pairs). */
  private readonly views: LoraPair[] | null;
  private readonly byModule = new Map<string, LoraPair>();

  constructor(config: LoraConfig, modules: LoraModule[]) {
    this.config = config;
    this.scaling = loraScaling(config);
    this.modules = modules;
    this.views = modules.every((m) => m.parts.length > 0) ? modules.flatMap((m) => pairsOf(m, config.rank)) : null;
    for (const p of this.views ?? []) this.byModule.set(`${p.layer}.${p.module}`, p);
  }

  /**
   * New adapters initialised as PEFT does (init_lora_weights=True): A from
   * nn.init.kaiming_uniform_(a=sqrt(5)), which is U(-1/sqrt(in), 1/sqrt(in))
   * (gain sqrt(2/(1+5)), bound gain*sqrt(3/in)), and B zeros so the adapted
   * model starts equal to the base. The targets are resolved against the
   * model's layout: `config.targetModules` of the result are the adapted
   * linears' names (fused ones on Phi-3), and `log` gets a line for each fused
   * linear chosen by a logical name.
   */
  static create(config: LoraConfig, shapes: LinearShapes, rng: SeededRng, log?: (line: string) => void): LoraAdapters {
    const { linears, names, notes } = resolveTargets(config.targetModules, shapes.layout);
    for (const note of notes) log?.(note);
    const modules: LoraModule[] = [];
    const layers = config.layersToTransform ?? Array.from({ length: shapes.numLayers }, (_, l) => l);
    for (const layer of layers) {
      if (layer >= shapes.numLayers) {
        throw new LoraError('CONFIG_INVALID', `layers_to_transform names block ${layer}, but the model has ${shapes.numLayers} blocks`, {
          field: 'layers_to_transform',
          limit: shapes.numLayers,
        });
      }
      for (const linear of linears) {
        const inF = linear.columns;
        const a = new Float32Array(config.rank * inF);
        const bound = 1 / Math.sqrt(inF);
        rng.fillUniform(a, -bound, bound);
        modules.push({
          path: `model.layers.${layer}.${linear.suffix}`,
          layer,
          name: linear.name,
          inFeatures: inF,
          outFeatures: linear.rows,
          a,
          b: new Float32Array(linear.rows * config.rank),
          parts: linear.parts,
        });
      }
    }
    return new LoraAdapters({ ...config, targetModules: names }, modules);
  }

  /** Per logical module, what engines apply (a fused module gives one pair per part). */
  get pairs(): LoraPair[] {
    return this.requireViews();
  }

  /** The pair of one logical module, if adapted. */
  get(layer: number, module: LinearModuleName): LoraPair | undefined {
    this.requireViews();
    return this.byModule.get(`${layer}.${module}`);
  }

  private requireViews(): LoraPair[] {
    if (this.views) return this.views;
    const fused = this.modules.find((m) => m.parts.length === 0)!;
    throw new LoraError('ADAPTER_INVALID', `${fused.path} is a fused module whose parts are unknown: load the adapter with the model's shapes`, { module: fused.path });
  }

  /** The pairs of block `layer`. */
  forLayer(layer: number): LoraPair[] {
    return this.pairs.filter((p) => p.layer === layer);
  }

  /** The modules of block `layer`. */
  modulesOfLayer(layer: number): LoraModule[] {
    return this.modules.filter((m) => m.layer === layer);
  }

  /** Number of trainable parameters. */
  parameterCount(): number {
    return this.modules.reduce((n, m) => n + m.a.length + m.b.length, 0);
  }

  /** Deep copy (for tests and for keeping a last-good state). */
  clone(): LoraAdapters {
    return new LoraAdapters(
      { ...this.config },
      this.modules.map((m) => ({ ...m, a: m.a.slice(), b: m.b.slice() })),
    );
  }

  /** All parameter arrays in a fixed order: A then B of each module. */
  parameters(): Float32Array[] {
    return this.modules.flatMap((m) => [m.a, m.b]);
  }
}

/** PEFT state-dict key of a module's matrix: `base_model.model.<path>.lora_A.weight`. */
export function peftKey(path: string, which: 'A' | 'B'): string {
  return `base_model.model.${path}.lora_${which}.weight`;
}
