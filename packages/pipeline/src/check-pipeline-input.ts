// Checks one layer of pipeline options (a pipeline file, or the command line's
// options) before layers are merged, so an error names where the bad value came
// from: "pipeline.yaml: heal.stepz: unknown field", "--fractions: must be ...".
// Fields that are absent (undefined) are not checked here; validatePipelineConfig
// requires them once defaults are merged in.
import { LoraError, parseTargetModules } from '@layerprune/lora';
import type { PipelineConfigInput } from './pipeline-config.js';
import { PipelineError } from './pipeline-error.js';
import { SECTION_FIELDS, SECTION_NAMES, TOP_LEVEL_FIELDS, type FieldRule, type SectionName } from './pipeline-fields.js';

export interface CheckPipelineInputOptions {
  /** The pipeline file the input was read from: it starts every message. */
  file?: string;
  /** What the user typed for a field, e.g. { 'heal.steps': '--heal-steps' } for command-line options. */
  names?: Readonly<Record<string, string>>;
}

/** A value as the message shows it: numbers as JavaScript prints them (NaN too), the rest as JSON, cut short. */
function shown(value: unknown): string {
  if (typeof value === 'number') return String(value);
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describeRange(rule: { min: number; max: number; minExclusive?: boolean }): string {
  return `${rule.minExclusive ? '(' : '['}${rule.min}, ${rule.max}]`;
}

/** Why `value` breaks `rule` (and the element at fault, for lists), or null when it fits. */
function problem(value: unknown, rule: FieldRule): { message: string; index?: number } | null {
  switch (rule.kind) {
    case 'int':
      if (value === null && rule.nullable) return null;
      if (typeof value === 'number' && Number.isInteger(value) && value >= rule.min && value <= rule.max) return null;
      return { message: `must be an integer in [${rule.min}, ${rule.max}]${rule.nullable ? ' (or null for the default)' : ''}, got ${shown(value)}` };
    case 'number': {
      const fits = typeof value === 'number' && Number.isFinite(value) && (rule.minExclusive ? value > rule.min : value >= rule.min) && value <= rule.max;
      return fits ? null : { message: `must be a finite number in ${describeRange(rule)}, got ${shown(value)}` };
    }
    case 'string':
      return typeof value === 'string' && value.length > 0 ? null : { message: `must be a non-empty string, got ${shown(value)}` };
    case 'boolean':
      return typeof value === 'boolean' ? null : { message: `must be true or false, got ${shown(value)}` };
    case 'boolean-or-auto':
      return typeof value === 'boolean' || value === 'auto' ? null : { message: `must be true, false or auto, got ${shown(value)}` };
    case 'choice':
      return rule.values.includes(value as string | number) ? null : { message: `must be one of ${rule.values.join(', ')}, got ${shown(value)}` };
    case 'fractions': {
      if (!Array.isArray(value) || value.length === 0) return { message: `must be a non-empty list of numbers in (0, 1), got ${shown(value)}` };
      const index = value.findIndex((f) => !(typeof f === 'number' && f > 0 && f < 1));
      // A fraction of 0 drops nothing and 1 drops every block: refused, never clamped.
      return index < 0 ? null : { index, message: `must be in the open interval (0, 1), got ${shown(value[index])}` };
    }
    case 'strings': {
      if (!Array.isArray(value)) return { message: `must be a list of strings, got ${shown(value)}` };
      const index = value.findIndex((s) => typeof s !== 'string' || s.length === 0);
      return index < 0 ? null : { index, message: `must be a non-empty string, got ${shown(value[index])}` };
    }
    case 'choices': {
      if (!Array.isArray(value) || value.length === 0) return { message: `must list one or more of ${rule.values.join(', ')}, got ${shown(value)}` };
      const index = value.findIndex((v) => !rule.values.includes(v as string));
      return index < 0 ? null : { index, message: `unknown value ${shown(value[index])} (known: ${rule.values.join(', ')})` };
    }
    case 'targets':
      if (typeof value !== 'string') return { message: `must be a string such as mlp, all-linear, attention or q_proj,v_proj, got ${shown(value)}` };
      try {
        parseTargetModules(value);
        return null;
      } catch (error) {
        if (error instanceof LoraError) return { message: error.message };
        throw error;
      }
  }
}

/**
 * Throws PipelineError CONFIG_INVALID (with `field` set, e.g. "heal.stepz" or
 * "fractions[1]") at the first unknown key, at any depth, or the first value of
 * the wrong type or out of range. Returns the input, now known to be well-formed.
 */
export function checkPipelineInput(input: unknown, options: CheckPipelineInputOptions = {}): PipelineConfigInput {
  const { file, names = {} } = options;
  const fail = (field: string, message: string): never => {
    const label = names[field] ?? names[field.replace(/\[\d+\]$/, '')] ?? field;
    throw new PipelineError('CONFIG_INVALID', `${file ? `${file}: ` : ''}${label}: ${message}`, { field, file });
  };
  if (!isPlainObject(input)) return fail('(top level)', `a pipeline file must hold an object of options, got ${shown(input)}`);
  const topKnown = [...Object.keys(TOP_LEVEL_FIELDS), ...SECTION_NAMES];
  for (const [key, value] of Object.entries(input)) {
    if (!topKnown.includes(key)) fail(key, `unknown field (known: ${topKnown.join(', ')})`);
    if (value === undefined) continue;
    if ((SECTION_NAMES as readonly string[]).includes(key)) {
      const fields = SECTION_FIELDS[key as SectionName];
      if (!isPlainObject(value)) fail(key, `must be an object with fields ${Object.keys(fields).join(', ')}, got ${shown(value)}`);
      for (const [sub, subValue] of Object.entries(value as Record<string, unknown>)) {
        const rule = fields[sub];
        if (rule === undefined) fail(`${key}.${sub}`, `unknown field of ${key} (known: ${Object.keys(fields).join(', ')})`);
        if (subValue === undefined) continue;
        const found = problem(subValue, rule);
        if (found) fail(`${key}.${sub}${found.index === undefined ? '' : `[${found.index}]`}`, found.message);
      }
      continue;
    }
    const found = problem(value, TOP_LEVEL_FIELDS[key]);
    if (found) fail(`${key}${found.index === undefined ? '' : `[${found.index}]`}`, found.message);
  }
  return input as PipelineConfigInput;
}
