// adapter_config.json exactly as PEFT (0.14) writes it for a LoRA adapter: the
// full field set of LoraConfig.to_dict(), keys sorted, 2-space indent
// (PeftConfigMixin.save_pretrained uses json.dumps(indent=2, sort_keys=True)).
import { LoraError } from './lora-error.js';
import { resolveLoraConfig, type LoraConfig } from './lora-config.js';
import { KNOWN_TARGET_MODULES, modulePath } from './target-modules.js';

export const ADAPTER_CONFIG_NAME = 'adapter_config.json';
export const ADAPTER_WEIGHTS_NAME = 'adapter_model.safetensors';

export type PeftAdapterConfig = Record<string, unknown>;

/** The adapter_config.json object for `config` (every field PEFT 0.14 writes). */
export function toPeftAdapterConfig(config: LoraConfig): PeftAdapterConfig {
  const fields: PeftAdapterConfig = {
    alpha_pattern: {},
    auto_mapping: null,
    base_model_name_or_path: config.baseModelNameOrPath,
    bias: 'none',
    eva_config: null,
    exclude_modules: null,
    fan_in_fan_out: false,
    inference_mode: true,
    init_lora_weights: true,
    layer_replication: null,
    layers_pattern: null,
    layers_to_transform: config.layersToTransform === null ? null : [...config.layersToTransform],
    loftq_config: {},
    lora_alpha: config.alpha,
    lora_bias: false,
    lora_dropout: config.dropout,
    megatron_config: null,
    megatron_core: 'megatron.core',
    modules_to_save: null,
    peft_type: 'LORA',
    r: config.rank,
    rank_pattern: {},
    revision: null,
    target_modules: [...config.targetModules],
    task_type: 'CAUSAL_LM',
    use_dora: false,
    use_rslora: config.useRslora,
  };
  return fields;
}

/** JSON text as PEFT writes it: sorted keys, indent 2. */
export function formatPeftAdapterConfig(config: LoraConfig): string {
  const object = toPeftAdapterConfig(config);
  const sorted: PeftAdapterConfig = {};
  for (const key of Object.keys(object).sort()) sorted[key] = object[key];
  return `${JSON.stringify(sorted, null, 2)}\n`;
}

function isEmptyObject(value: unknown): boolean {
  return value === undefined || value === null || (typeof value === 'object' && Object.keys(value as object).length === 0);
}

/**
 * Reads an adapter_config.json object written by any PEFT version. Features
 * this package cannot reproduce exactly (DoRA, bias training, per-module ranks,
 * Conv1D fan_in_fan_out) are refused rather than silently ignored.
 */
export function parsePeftAdapterConfig(raw: unknown, file: string): LoraConfig {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new LoraError('ADAPTER_INVALID', `${file}: adapter config must be a JSON object`, { file });
  }
  const c = raw as Record<string, unknown>;
  const refuse = (field: string, why: string): never => {
    throw new LoraError('ADAPTER_INVALID', `${file}: field "${field}" ${why}`, { file, field });
  };
  if (c.peft_type !== 'LORA') refuse('peft_type', `is ${JSON.stringify(c.peft_type)}; only "LORA" adapters are supported`);
  if (typeof c.r !== 'number') refuse('r', 'must be a number');
  if (typeof c.lora_alpha !== 'number') refuse('lora_alpha', 'must be a number');
  if (c.bias !== undefined && c.bias !== 'none') refuse('bias', `is ${JSON.stringify(c.bias)}; only "none" is supported`);
  if (c.use_dora === true) refuse('use_dora', 'is true; DoRA adapters are not supported');
  if (c.fan_in_fan_out === true) refuse('fan_in_fan_out', 'is true; Llama-family linears are [out, in]');
  if (c.lora_bias === true) refuse('lora_bias', 'is true; LoRA biases are not supported');
  if (!isEmptyObject(c.rank_pattern)) refuse('rank_pattern', 'is not empty; per-module ranks are not supported');
  if (!isEmptyObject(c.alpha_pattern)) refuse('alpha_pattern', 'is not empty; per-module alphas are not supported');
  let targets: string | string[];
  if (typeof c.target_modules === 'string') {
    if (c.target_modules === 'all-linear') targets = 'all-linear';
    else {
      // PEFT treats a string as a regex over full module names; match it against block 0
      // of every layout (Phi-3's fused names included: resolving against the model picks).
      const re = new RegExp(`^(?:${c.target_modules})$`); // PEFT: re.fullmatch
      targets = KNOWN_TARGET_MODULES.filter((m) => re.test(modulePath(0, m)));
      if (targets.length === 0) refuse('target_modules', `regex ${JSON.stringify(c.target_modules)} matches no linear layer`);
    }
  } else if (Array.isArray(c.target_modules) && c.target_modules.every((m) => typeof m === 'string')) {
    targets = c.target_modules as string[];
  } else {
    return refuse('target_modules', 'must be a list of module names or a string');
  }
  let layers: number[] | null = null;
  if (typeof c.layers_to_transform === 'number') layers = [c.layers_to_transform];
  else if (Array.isArray(c.layers_to_transform)) layers = c.layers_to_transform as number[];
  try {
    return resolveLoraConfig({
      rank: c.r as number,
      alpha: c.lora_alpha as number,
      dropout: typeof c.lora_dropout === 'number' ? c.lora_dropout : 0,
      useRslora: c.use_rslora === true,
      targetModules: targets,
      layersToTransform: layers,
      baseModelNameOrPath: typeof c.base_model_name_or_path === 'string' ? c.base_model_name_or_path : null,
    });
  } catch (error) {
    if (error instanceof LoraError) throw new LoraError('ADAPTER_INVALID', `${file}: ${error.message}`, { file, field: error.field, cause: error });
    throw error;
  }
}
