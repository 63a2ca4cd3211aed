// LoRA hyper-parameters in this package's own (camelCase) shape. The PEFT file
// format is produced from it by toPeftAdapterConfig.
import { LoraError } from './lora-error.js';
import { parseTargetModules, type TargetModuleName } from './target-modules.js';

export interface LoraConfig {
  /** Rank r of A [r, in] and B [out, r]. */
  rank: number;
  /** lora_alpha: the update is scaled by alpha / r (alpha / sqrt(r) with rsLoRA). */
  alpha: number;
  /** Dropout probability on the adapter input (PEFT lora_dropout). */
  dropout: number;
  /**
   * Module names PEFT matches, in block order. As given: logical names or fused ones;
   * on adapters (LoraAdapters.create, loading) the model's stored linears, e.g. Phi-3's
   * qkv_proj for q_proj.
   */
  targetModules: TargetModuleName[];
  useRslora: boolean;
  /** Only these blocks get adapters (PEFT layers_to_transform); null = all. */
  layersToTransform: number[] | null;
  /** Recorded in adapter_config.json so PEFT can find the base. */
  baseModelNameOrPath: string | null;
}

/** The paper's choice (method.md section 2): MLP projections, alpha = rank, dropout 0.05. */
export const DEFAULT_LORA_CONFIG: Readonly<LoraConfig> = Object.freeze({
  rank: 8,
  alpha: 8,
  dropout: 0.05,
  targetModules: ['gate_proj', 'up_proj', 'down_proj'] as TargetModuleName[],
  useRslora: false,
  layersToTransform: null,
  baseModelNameOrPath: null,
});

export const MAX_LORA_RANK = 4096;

export type LoraConfigInput = Partial<Omit<LoraConfig, 'targetModules'>> & { targetModules?: string | readonly string[] };

/** Fills defaults and validates ranges; throws LoraError CONFIG_INVALID naming the field. */
export function resolveLoraConfig(input: LoraConfigInput = {}): LoraConfig {
  // A misspelt key (`{ rnak: 4 }` from JavaScript or a parsed file) would otherwise
  // be carried along silently while the default rank is used.
  for (const key of Object.keys(input)) {
    if (!(key in DEFAULT_LORA_CONFIG)) {
      throw new LoraError('CONFIG_INVALID', `unknown LoRA setting "${key}" (known: ${Object.keys(DEFAULT_LORA_CONFIG).join(', ')})`, { field: key });
    }
  }
  const config: LoraConfig = {
    ...DEFAULT_LORA_CONFIG,
    ...input,
    targetModules: parseTargetModules(input.targetModules ?? DEFAULT_LORA_CONFIG.targetModules),
  };
  if (!Number.isInteger(config.rank) || config.rank < 1 || config.rank > MAX_LORA_RANK) {
    throw new LoraError('CONFIG_INVALID', `LoRA rank r must be an integer in [1, ${MAX_LORA_RANK}], got ${config.rank}`, {
      field: 'r',
      limit: MAX_LORA_RANK,
    });
  }
  if (!Number.isFinite(config.alpha) || config.alpha <= 0) {
    throw new LoraError('CONFIG_INVALID', `lora_alpha must be a positive number, got ${config.alpha}`, { field: 'lora_alpha' });
  }
  if (!(config.dropout >= 0 && config.dropout < 1)) {
    throw new LoraError('CONFIG_INVALID', `lora_dropout must be in [0, 1), got ${config.dropout}`, { field: 'lora_dropout', limit: 1 });
  }
  if (config.layersToTransform !== null && !config.layersToTransform.every((l) => Number.isInteger(l) && l >= 0)) {
    throw new LoraError('CONFIG_INVALID', `layers_to_transform must list non-negative block indices`, { field: 'layers_to_transform' });
  }
  return config;
}

/** The factor multiplying B @ A: alpha / r, or alpha / sqrt(r) with rsLoRA (PEFT's rule). */
export function loraScaling(config: Pick<LoraConfig, 'rank' | 'alpha' | 'useRslora'>): number {
  return config.useRslora ? config.alpha / Math.sqrt(config.rank) : config.alpha / config.rank;
}
