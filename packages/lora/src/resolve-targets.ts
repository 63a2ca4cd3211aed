// Target module names -> the stored linears of one model that get adapters.
// PEFT wraps nn.Linear modules, so an adapter always sits on a checkpoint
// tensor: on Phi-3 on the fused qkv_proj or gate_up_proj, with one A shared by
// the logical modules it holds. A name of the model's own layout selects its
// linear. For convenience any other known name selects the linears holding its
// logical modules: q_proj on Phi-3 adapts the fused qkv_proj (so k_proj and
// v_proj too), qkv_proj on Llama adapts q_proj, k_proj and v_proj. Each such
// mapping gets a note for the log, and target_modules records the layout's
// names, as PEFT would.
import type { BlockLinear } from './checkpoint-layout.js';
import { logicalModulesOf, type LinearModuleName, type TargetModuleName } from './target-modules.js';

export interface ResolvedTargets {
  /** The adapted linears, in checkpoint order. */
  linears: BlockLinear[];
  /** Their names (what adapter_config.json's target_modules records). */
  names: TargetModuleName[];
  /** One line per group of names that are not the model's own, saying what they adapt. */
  notes: string[];
}

function describe(linear: BlockLinear): string {
  return linear.parts.length > 1 ? `${linear.name} (${linear.parts.map((p) => p.module).join(' + ')})` : linear.name;
}

/** `names` must be known module names (parseTargetModules); throws LoraError TARGETS_INVALID otherwise. */
export function resolveTargets(names: readonly TargetModuleName[], layout: readonly BlockLinear[]): ResolvedTargets {
  const own = new Set(layout.map((l) => l.name));
  const logical = new Set<LinearModuleName>(names.flatMap((name) => logicalModulesOf(name)));
  const linears = layout.filter((l) => names.includes(l.name) || l.parts.some((p) => logical.has(p.module)));
  // Names that are not the layout's, grouped by the linears they select.
  const groups = new Map<string, { names: TargetModuleName[]; hits: BlockLinear[] }>();
  for (const name of names) {
    if (own.has(name)) continue;
    const covers = logicalModulesOf(name);
    const hits = layout.filter((l) => l.parts.some((p) => covers.includes(p.module)));
    const key = hits.map((h) => h.name).join(',');
    const group = groups.get(key);
    if (group) group.names.push(name);
    else groups.set(key, { names: [name], hits });
  }
  const notes = [...groups.values()].map(({ names: group, hits }) => {
    const asked = new Set(group.flatMap((n) => logicalModulesOf(n)));
    const extra = hits.flatMap((h) => h.parts.map((p) => p.module)).filter((m) => !asked.has(m) && !logical.has(m));
    return (
      `layerprune: target ${group.join(', ')} ${group.length === 1 ? 'is' : 'are'} stored as ${hits.map(describe).join(', ')} in this model: ` +
      `adapting ${hits.map((h) => h.name).join(', ')}${extra.length > 0 ? ` (so ${extra.join(', ')} too)` : ''}`
    );
  });
  return { linears, names: linears.map((l) => l.name), notes };
}
