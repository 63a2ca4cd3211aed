// Rewrites config.json for the pruned model: the layer count, every per-layer
// list, and the few integer fields that count or index layers. Every other
// field is copied verbatim and the key order is kept, so a diff of the two
// configs shows exactly what surgery changed.
import { architectureSpec } from '@layerprune/architectures';
import { SurgeryError } from './errors.js';
import type { RemovalPlan } from './removal-plan.js';

export interface ConfigChange {
  field: string;
  before: unknown;
  after: unknown;
  /** Which rule changed the field, in words. */
  reason: string;
}

export interface RewrittenConfig {
  config: Record<string, unknown>;
  changes: ConfigChange[];
}

/** Lists with one entry per layer (must have exactly L entries): cut to the kept layers. */
const PER_LAYER_LISTS = new Set(['layer_types', 'no_rope_layers']);

/**
 * Integers that count the leading layers with some property. Qwen2's
 * `max_window_layers`: layers with index < max_window_layers use full
 * attention, the rest use the sliding window (when use_sliding_window is on).
 * The new value is the number of kept layers below the old threshold, which
 * gives every kept block exactly the attention it had before (kept indices
 * stay in order). A threshold >= L therefore becomes the new L.
 */
const LEADING_LAYER_COUNTS = new Set(['max_window_layers']);

/** Lists of layer indices (Qwen2-MoE `mlp_only_layers`): removed layers leave, kept ones are renumbered. */
const LAYER_INDEX_LISTS = new Set(['mlp_only_layers']);

/** Top-level arrays that are never per-layer even when their length happens to equal L. */
const NEVER_PER_LAYER = new Set([
  'architectures',
  'eos_token_id',
  'bos_token_id',
  'pad_token_id',
  'suppress_tokens',
  'begin_suppress_tokens',
  'bad_words_ids',
  'forced_decoder_ids',
]);

function invalid(file: string, field: string, message: string, limit?: number): never {
  throw new SurgeryError('CONFIG_INVALID', `${file}: ${field} ${message}`, { file, field, limit });
}

export interface RewriteConfigOptions {
  /**
   * The attention type of every layer as the source model resolves it
   * (@layerprune/architectures ArchitectureConfig.layerTypes). When config.json
   * has no `layer_types` and its family derives them from the layer index
   * (Gemma's sliding/full pattern), renumbering would move the pattern onto other
   * blocks: the pruned config then gets an explicit `layer_types` of the kept layers.
   */
  layerTypes?: readonly string[];
}

/** Rewrite a parsed config.json (not modified) for a resolved plan. */
export function rewriteConfig(raw: Record<string, unknown>, plan: RemovalPlan, file = 'config.json', options: RewriteConfigOptions = {}): RewrittenConfig {
  const L = plan.numLayersBefore;
  if (raw.num_hidden_layers !== L) {
    invalid(file, 'num_hidden_layers', `is ${JSON.stringify(raw.num_hidden_layers)} but the plan was resolved for ${L} layers`, L);
  }
  const keepEntries = (list: unknown[]): unknown[] => plan.kept.map((old) => structuredClone(list[old]));
  const changes: ConfigChange[] = [];
  const config: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(raw)) {
    let next: unknown = structuredClone(value);
    let reason: string | null = null;
    if (field === 'num_hidden_layers') {
      next = plan.numLayersAfter;
      reason = 'layer count';
    } else if (PER_LAYER_LISTS.has(field)) {
      if (!Array.isArray(value) || value.length !== L) {
        invalid(file, field, `must be a list with one entry per layer (${L}), got ${Array.isArray(value) ? `${value.length} entries` : typeof value}`, L);
      }
      next = keepEntries(value);
      reason = 'per-layer list cut to the kept layers';
    } else if (LEADING_LAYER_COUNTS.has(field)) {
      if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
        invalid(file, field, `must be a non-negative integer, got ${JSON.stringify(value)}`);
      }
      next = plan.kept.filter((old) => old < value).length;
      reason = `counts leading layers: kept layers with old index < ${value}`;
    } else if (LAYER_INDEX_LISTS.has(field)) {
      if (!Array.isArray(value) || !value.every((v) => Number.isInteger(v) && v >= 0 && v < L)) {
        invalid(file, field, `must be a list of layer indices in [0, ${L})`, L);
      }
      next = value.map((old: number) => plan.oldToNew[old]).filter((n): n is number => n !== null);
      reason = 'layer indices renumbered, removed layers dropped';
    } else if (Array.isArray(value) && value.length === L && !NEVER_PER_LAYER.has(field)) {
      next = keepEntries(value);
      reason = `array with one entry per layer (length ${L}) cut to the kept layers`;
    }
    config[field] = next;
    if (reason !== null && JSON.stringify(next) !== JSON.stringify(value)) {
      changes.push({ field, before: structuredClone(value), after: structuredClone(next), reason });
    }
  }
  const types = options.layerTypes;
  const byIndexRule = typeof raw.model_type === 'string' && architectureSpec(raw.model_type)?.sliding === 'pattern';
  if (raw.layer_types === undefined && types !== undefined && byIndexRule) {
    if (types.length !== L) invalid(file, 'layer_types', `resolved for ${types.length} layers, expected ${L}`, L);
    const kept = plan.kept.map((old) => types[old]);
    config.layer_types = kept;
    changes.push({ field: 'layer_types', before: undefined, after: [...kept], reason: 'written explicitly: the sliding/full pattern is derived from the layer index, which pruning shifts' });
  }
  return { config, changes };
}
