// Range checks of numeric command-line options, with one wording for every
// command: "--batch-size must be an integer >= 1, got 1.5". yargs parses
// `--lr abc` as NaN, so NaN is reported as "not a number" rather than passed on.
import { CliError, USAGE_EXIT_CODE } from './errors.js';

export interface OptionRule {
  /** Whole numbers only (counts, sizes, seeds). */
  integer?: boolean;
  min?: number;
  max?: number;
  /** The bound itself is outside the range: `(0, 1)` rather than `[0, 1]`. */
  minExclusive?: boolean;
  maxExclusive?: boolean;
}

function describe(rule: OptionRule): string {
  const kind = rule.integer ? 'an integer' : 'a finite number';
  const { min, max } = rule;
  if (min !== undefined && max !== undefined) {
    return `${kind} in ${rule.minExclusive ? '(' : '['}${min}, ${max}${rule.maxExclusive ? ')' : ']'}`;
  }
  if (min !== undefined) return `${kind} ${rule.minExclusive ? '>' : '>='} ${min}`;
  if (max !== undefined) return `${kind} ${rule.maxExclusive ? '<' : '<='} ${max}`;
  return kind;
}

function fits(value: number, rule: OptionRule): boolean {
  if (!Number.isFinite(value)) return false;
  if (rule.integer && !Number.isSafeInteger(value)) return false;
  if (rule.min !== undefined && (rule.minExclusive ? value <= rule.min : value < rule.min)) return false;
  if (rule.max !== undefined && (rule.maxExclusive ? value >= rule.max : value > rule.max)) return false;
  return true;
}

/**
 * `value` when it satisfies `rule` (or is undefined: the option was not given);
 * otherwise a CliError INVALID_OPTION (exit code 2) naming the flag, the value
 * and the allowed range.
 */
export function checkOption<T extends number | undefined>(flag: string, value: T, rule: OptionRule): T {
  if (value === undefined || fits(value, rule)) return value;
  const shown = Number.isNaN(value) ? 'a value that is not a number' : String(value);
  throw new CliError('INVALID_OPTION', `${flag} must be ${describe(rule)}, got ${shown}`, USAGE_EXIT_CODE);
}

/** Seeds feed 32-bit generators (mulberry32, splitmix32): a larger one would alias a smaller one. */
export const SEED_RULE: Readonly<OptionRule> = Object.freeze({ integer: true, min: 0, max: 2 ** 32 - 1 });
/** Counts and sizes: samples, steps, batches, limits. */
export const COUNT_RULE: Readonly<OptionRule> = Object.freeze({ integer: true, min: 1 });
