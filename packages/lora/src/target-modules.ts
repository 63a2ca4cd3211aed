// Which linear layers of a Llama-family block get adapters. Names are the
// module names PEFT matches against (`target_modules`), i.e. the last component
// of `model.layers.{i}.self_attn.q_proj`: the seven logical modules, and the fused
// modules of checkpoints that store several in one tensor (Phi-3's qkv_proj and
// gate_up_proj), known from @layerprune/architectures' layouts. Which of them a
// given model has is decided against its layout (resolve-targets.ts).
import { checkpointLayout } from './checkpoint-layout.js';
import { LoraError } from './lora-error.js';

export const ATTENTION_MODULES = ['q_proj', 'k_proj', 'v_proj', 'o_proj'] as const;
export const MLP_MODULES = ['gate_proj', 'up_proj', 'down_proj'] as const;
/** Every linear layer of a block (PEFT's 'all-linear' excludes only the output head). */
export const ALL_LINEAR_MODULES = [...ATTENTION_MODULES, ...MLP_MODULES] as const;

export type LinearModuleName = (typeof ALL_LINEAR_MODULES)[number];

/** A module name as PEFT matches it: a LinearModuleName, or a fused one (KNOWN_TARGET_MODULES). */
export type TargetModuleName = string;

/**
 * Every module name of every checkpoint layout, in block order, with its
 * block-relative path: each logical module, then a fused module right after
 * its last part (q, k, v, qkv, o, gate, up, gate_up, down). The layouts only
 * depend on the sizes through row counts, so sizes of 1 list the names.
 */
function knownModules(): Map<TargetModuleName, { suffix: string; parts: LinearModuleName[] }> {
  const sizes = { hiddenSize: 1, intermediateSize: 1, numAttentionHeads: 1, numKeyValueHeads: 1, headDim: 1 };
  const linears = [false, true].flatMap((fusedProjections) => checkpointLayout({ ...sizes, fusedProjections }));
  const known = new Map<TargetModuleName, { suffix: string; parts: LinearModuleName[] }>();
  for (const module of ALL_LINEAR_MODULES) {
    for (const linear of linears) {
      if (linear.parts[linear.parts.length - 1].module === module) known.set(linear.name, { suffix: linear.suffix, parts: linear.parts.map((p) => p.module) });
    }
  }
  return known;
}

const KNOWN = knownModules();

/** The module names parseTargetModules accepts, in its order. */
export const KNOWN_TARGET_MODULES: readonly TargetModuleName[] = [...KNOWN.keys()];

/** The block-relative path of a module: `self_attn.q_proj`, `mlp.down_proj`, `self_attn.qkv_proj`. */
export function moduleSuffix(name: TargetModuleName): string {
  return known(name).suffix;
}

/** The logical modules a module name covers: itself, or a fused module's parts (qkv_proj: q_proj, k_proj, v_proj). */
export function logicalModulesOf(name: TargetModuleName): readonly LinearModuleName[] {
  return known(name).parts;
}

function known(name: TargetModuleName): { suffix: string; parts: LinearModuleName[] } {
  const entry = KNOWN.get(name);
  if (entry === undefined) throw new LoraError('TARGETS_INVALID', `"${name}" is not a linear module name (known: ${KNOWN_TARGET_MODULES.join(', ')})`, { module: name });
  return entry;
}

/** Full module path inside the Hugging Face model: `model.layers.3.mlp.down_proj`. */
export function modulePath(layer: number, name: TargetModuleName): string {
  return `model.layers.${layer}.${moduleSuffix(name)}`;
}

/**
 * Parses `mlp` | `all-linear` | `attention` | `a,b,c` into module names in the
 * fixed block order (q,k,v,qkv,o,gate,up,gate_up,down) so every run lists them
 * identically. The groups name logical modules; on a fused checkpoint they
 * resolve to its fused modules (resolveTargets).
 */
export function parseTargetModules(spec: string | readonly string[]): TargetModuleName[] {
  const items = typeof spec === 'string' ? spec.split(',').map((s) => s.trim()).filter((s) => s.length > 0) : [...spec];
  const chosen = new Set<string>();
  for (const item of items) {
    if (item === 'mlp') MLP_MODULES.forEach((m) => chosen.add(m));
    else if (item === 'all-linear') ALL_LINEAR_MODULES.forEach((m) => chosen.add(m));
    else if (item === 'attention') ATTENTION_MODULES.forEach((m) => chosen.add(m));
    else if (KNOWN.has(item)) chosen.add(item);
    else {
      throw new LoraError(
        'TARGETS_INVALID',
        `target module "${item}" is not a linear layer of a Llama-family block; use mlp, all-linear, attention or a list of ${KNOWN_TARGET_MODULES.join(', ')}`,
        { field: 'target_modules', module: item },
      );
    }
  }
  if (chosen.size === 0) {
    throw new LoraError('TARGETS_INVALID', 'target_modules is empty: name at least one linear layer', { field: 'target_modules' });
  }
  return KNOWN_TARGET_MODULES.filter((m) => chosen.has(m));
}
