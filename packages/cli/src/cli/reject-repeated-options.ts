// yargs turns an option given twice (`--steps 1 --steps 0`) into an array, which
// then reaches a command as a number-typed option and fails in confusing ways or
// is used as the first value. A repeated single-valued option is refused instead,
// naming the option and every value given; options declared `array: true`
// (`--task`, `--eval`) are meant to repeat.
import { CliError, USAGE_EXIT_CODE } from './errors.js';

const kebab = (key: string): string => key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
const camel = (key: string): string => key.replace(/-(\w)/g, (_, c: string) => c.toUpperCase());

/** Throws USAGE when a key of `args` that is not in `repeatable` holds several values. */
export function rejectRepeatedOptions(args: Record<string, unknown>, repeatable: readonly string[]): void {
  const allowed = new Set(repeatable.flatMap((k) => [k, kebab(k), camel(k)]));
  for (const [key, value] of Object.entries(args)) {
    if (key === '_' || key === '$0' || !Array.isArray(value) || allowed.has(key)) continue;
    throw new CliError('USAGE', `--${kebab(key)} was given ${value.length} times (${value.map(String).join(', ')}); give it once`, USAGE_EXIT_CODE);
  }
}
