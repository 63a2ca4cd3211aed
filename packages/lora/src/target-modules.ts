// Which linear layers of a Llama-family block get adapters. Names are the
// module names PEFT matches against (`target_modules`), i.e. the last component
// of `model.layers.{i}.self_attn.q_proj`.
import { LoraError } from './lora-error.js';

export const ATTENTION_MODULES = ['q_proj', 'k_proj', 'v_proj', 'o_proj'] as const;
export const MLP_MODULES = ['gate_proj', 'up_proj', 'down_proj'] as const;
/** Every linear layer of a block (PEFT's 'all-linear' excludes only the output head). */
export const ALL_LINEAR_MODULES = [...ATTENTION_MODULES, ...MLP_MODULES] as const;

export type LinearModuleName = (typeof ALL_LINEAR_MODULES)[number];

/** The block-relative path of a module: `self_attn.q_proj`, `mlp.down_proj`. */
export function moduleSuffix(name: LinearModuleName): string {
  return (ATTENTION_MODULES as readonly string[]).includes(name) ? `self_attn.${name}` : `mlp.${name}`;
}

/** Full module path inside the Hugging Face model: `model.layers.3.mlp.down_proj`. */
export function modulePath(layer: number, name: LinearModuleName): string {
  return `model.layers.${layer}.${moduleSuffix(name)}`;
}

/**
 * Parses `mlp` | `all-linear` | `attention` | `a,b,c` into module names in the
 * fixed block order (q,k,v,o,gate,up,down) so every run lists them identically.
 */
export function parseTargetModules(spec: string | readonly string[]): LinearModuleName[] {
  const items = typeof spec === 'string' ? spec.split(',').map((s) => s.trim()).filter((s) => s.length > 0) : [...spec];
  const chosen = new Set<string>();
  for (const item of items) {
    if (item === 'mlp') MLP_MODULES.forEach((m) => chosen.add(m));
    else if (item === 'all-linear') ALL_LINEAR_MODULES.forEach((m) => chosen.add(m));
    else if (item === 'attention') ATTENTION_MODULES.forEach((m) => chosen.add(m));
    else if ((ALL_LINEAR_MODULES as readonly string[]).includes(item)) chosen.add(item);
    else {
      throw new LoraError(
        'TARGETS_INVALID',
        `target module "${item}" is not a linear layer of a Llama-family block; use mlp, all-linear, attention or a list of ${ALL_LINEAR_MODULES.join(', ')}`,
        { field: 'target_modules', module: item },
      );
    }
  }
  if (chosen.size === 0) {
    throw new LoraError('TARGETS_INVALID', 'target_modules is empty: name at least one linear layer', { field: 'target_modules' });
  }
  return ALL_LINEAR_MODULES.filter((m) => chosen.has(m));
}
