import { describe, expect, it } from 'vitest';
import { checkOption, COUNT_RULE, SEED_RULE } from './check-option.js';
import { checkSeqLen } from './check-seq-len.js';
import { CliError } from './errors.js';
import { rejectRepeatedOptions } from './reject-repeated-options.js';

function failure(run: () => unknown): CliError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(CliError);
    return error as CliError;
  }
  throw new Error('expected a CliError');
}

describe('checkOption', () => {
  it('passes values in range and options that were not given', () => {
    expect(checkOption('--batch-size', 8, COUNT_RULE)).toBe(8);
    expect(checkOption('--batch-size', undefined, COUNT_RULE)).toBeUndefined();
    expect(checkOption('--seed', 0, SEED_RULE)).toBe(0);
    expect(checkOption('--seed', 2 ** 32 - 1, SEED_RULE)).toBe(2 ** 32 - 1);
    expect(checkOption('--temperature', 0, { min: 0 })).toBe(0);
  });

  it.each([
    ['--batch-size', 0, COUNT_RULE, '--batch-size must be an integer >= 1, got 0'],
    ['--batch-size', -1, COUNT_RULE, '--batch-size must be an integer >= 1, got -1'],
    ['--batch-size', 1.5, COUNT_RULE, '--batch-size must be an integer >= 1, got 1.5'],
    ['--steps', Number.NaN, COUNT_RULE, '--steps must be an integer >= 1, got a value that is not a number'],
    ['--seed', 1.5, SEED_RULE, '--seed must be an integer in [0, 4294967295], got 1.5'],
    ['--seed', 2 ** 32, SEED_RULE, '--seed must be an integer in [0, 4294967295], got 4294967296'],
    ['--lr', Number.POSITIVE_INFINITY, { min: 0, minExclusive: true }, '--lr must be a finite number > 0, got Infinity'],
    ['--fraction', 1, { min: 0, max: 1, minExclusive: true, maxExclusive: true }, '--fraction must be a finite number in (0, 1), got 1'],
  ] as const)('%s %s is refused with INVALID_OPTION, exit code 2', (flag, value, rule, message) => {
    const error = failure(() => checkOption(flag, value, rule));
    expect(error.code).toBe('INVALID_OPTION');
    expect(error.exitCode).toBe(2);
    expect(error.message).toBe(message);
  });
});

describe('checkSeqLen', () => {
  it('allows up to the model positions and names flag, value and limit above them', () => {
    expect(() => checkSeqLen('--seq-len', 512, 512, '/m')).not.toThrow();
    const error = failure(() => checkSeqLen('--seq-len', 513, 512, '/m'));
    expect(error.code).toBe('SEQ_LEN_TOO_LONG');
    expect(error.message).toBe("--seq-len 513 exceeds the model's max_position_embeddings 512 (/m); use at most 512");
  });
});

describe('rejectRepeatedOptions', () => {
  it('refuses a single-valued option given twice, in either spelling yargs produces', () => {
    const error = failure(() => rejectRepeatedOptions({ _: [], 'seq-len': [16, 4096], seqLen: [16, 4096] }, ['task']));
    expect(error.code).toBe('USAGE');
    expect(error.message).toBe('--seq-len was given 2 times (16, 4096); give it once');
  });

  it('lets array options repeat', () => {
    expect(() => rejectRepeatedOptions({ _: ['eval'], task: ['loss:a', 'mmlu:b'], limit: 3 }, ['task'])).not.toThrow();
  });
});
