import { describe, expect, it } from 'vitest';
import { checkPipelineInput } from './check-pipeline-input.js';
import { PipelineError } from './pipeline-error.js';

function failure(input: unknown, options: Parameters<typeof checkPipelineInput>[1] = { file: 'p.yaml' }): PipelineError {
  try {
    checkPipelineInput(input, options);
  } catch (error) {
    expect(error).toBeInstanceOf(PipelineError);
    return error as PipelineError;
  }
  throw new Error(`expected ${JSON.stringify(input)} to be refused`);
}

describe('checkPipelineInput', () => {
  it('accepts a well-formed partial input and returns it', () => {
    const input = { fractions: [0.25], heal: { steps: 3, seqLen: null, targets: 'q_proj,v_proj', keepActivations: true }, analysis: { metric: 'cosine' } };
    expect(checkPipelineInput(input)).toBe(input);
    // Command-line layers leave what was not given undefined: not checked here.
    expect(checkPipelineInput({ seed: undefined, heal: { steps: undefined } })).toBeTruthy();
  });

  it.each([
    [{ colour: 'red' }, 'colour', 'p.yaml: colour: unknown field (known: model, data, out, eval, fractions, methods, seed, backend, engine, threads, device, maxDocumentBytes, encodingErrors, textField, analysis, evaluation, heal)'],
    [{ heal: { stepz: 3 } }, 'heal.stepz', 'p.yaml: heal.stepz: unknown field of heal (known: steps, batch, microBatch, seqLen, lr, warmup, rank, alpha, dropout, targets, bits, saveEvery, keepActivations)'],
    [{ analysis: { seq_len: 64 } }, 'analysis.seq_len', undefined],
    [{ evaluation: { limt: 3 } }, 'evaluation.limit'.replace('limit', 'limt'), undefined],
    [{ heal: 5 }, 'heal', 'p.yaml: heal: must be an object with fields steps, batch, microBatch, seqLen, lr, warmup, rank, alpha, dropout, targets, bits, saveEvery, keepActivations, got 5'],
  ])('refuses the unknown or misplaced key in %j', (input, field, message) => {
    const error = failure(input);
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.field).toBe(field);
    expect(error.file).toBe('p.yaml');
    if (message) expect(error.message).toBe(message);
  });

  it.each([
    [{ fractions: [0.2, 0] }, 'fractions[1]', 'must be in the open interval (0, 1), got 0'],
    [{ fractions: [1] }, 'fractions[0]', 'must be in the open interval (0, 1), got 1'],
    [{ fractions: [1.5] }, 'fractions[0]', 'must be in the open interval (0, 1), got 1.5'],
    [{ fractions: [] }, 'fractions', 'must be a non-empty list of numbers in (0, 1), got []'],
    [{ fractions: 0.5 }, 'fractions', 'must be a non-empty list of numbers in (0, 1), got 0.5'],
    [{ seed: 1.5 }, 'seed', 'must be an integer in [0, 2147483647], got 1.5'],
    [{ heal: { batch: 0 } }, 'heal.batch', 'must be an integer in [1, 65536], got 0'],
    [{ heal: { batch: -1 } }, 'heal.batch', 'must be an integer in [1, 65536], got -1'],
    [{ heal: { microBatch: 1.5 } }, 'heal.microBatch', 'must be an integer in [1, 65536], got 1.5'],
    [{ heal: { lr: 0 } }, 'heal.lr', 'must be a finite number in (0, 1], got 0'],
    [{ heal: { lr: -1 } }, 'heal.lr', 'must be a finite number in (0, 1], got -1'],
    [{ heal: { lr: Number.NaN } }, 'heal.lr', 'must be a finite number in (0, 1], got NaN'],
    [{ heal: { lr: 'abc' } }, 'heal.lr', 'must be a finite number in (0, 1], got "abc"'],
    [{ heal: { steps: -1 } }, 'heal.steps', 'must be an integer in [0, 10000000], got -1'],
    [{ heal: { seqLen: 1 } }, 'heal.seqLen', 'must be an integer in [2, 1000000] (or null for the default), got 1'],
    [{ heal: { bits: 8 } }, 'heal.bits', 'must be one of 4, 16, 32, got 8'],
    [{ heal: { keepActivations: 'yes' } }, 'heal.keepActivations', 'must be true, false or auto, got "yes"'],
    [{ heal: { keepActivations: 1 } }, 'heal.keepActivations', 'must be true, false or auto, got 1'],
    [{ heal: { keepActivations: null } }, 'heal.keepActivations', 'must be true, false or auto, got null'],
    [{ analysis: { samples: 0 } }, 'analysis.samples', 'must be an integer in [1, 1000000], got 0'],
    [{ analysis: { metric: 'euclid' } }, 'analysis.metric', undefined],
    [{ evaluation: { limit: 0 } }, 'evaluation.limit', 'must be an integer in [1, 10000000] (or null for the default), got 0'],
    [{ methods: ['similarity', 'random'] }, 'methods[1]', 'unknown value "random" (known: similarity, deepest)'],
    [{ backend: 'gpu' }, 'backend', 'must be one of auto, tensorflow-gpu, tensorflow, wasm, cpu, got "gpu"'],
    [{ engine: 'torch' }, 'engine', 'must be one of auto, onnx, tfjs, got "torch"'],
    [{ threads: 0 }, 'threads', 'must be an integer in [1, 1024] (or null for the default), got 0'],
    [{ threads: 1.5 }, 'threads', 'must be an integer in [1, 1024] (or null for the default), got 1.5'],
    [{ device: 'gpu' }, 'device', 'must be one of cpu, cuda, got "gpu"'],
    [{ eval: 'loss:x.txt' }, 'eval', 'must be a list of strings, got "loss:x.txt"'],
    [{ model: '' }, 'model', 'must be a non-empty string, got ""'],
  ])('refuses %j naming the field, the value and the range', (input, field, message) => {
    const error = failure(input);
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.field).toBe(field);
    if (message) expect(error.message).toBe(`p.yaml: ${field}: ${message}`);
  });

  it('refuses unknown LoRA target modules naming the module', () => {
    const error = failure({ heal: { targets: 'mlp,lm_head' } });
    expect(error.field).toBe('heal.targets');
    expect(error.message).toMatch(/^p\.yaml: heal\.targets: target module "lm_head" is not a linear layer/);
  });

  it('names the command-line flag instead of the field when given names', () => {
    const error = failure({ fractions: [0.5, 1.5], heal: { steps: 0.5 } }, { names: { fractions: '--fractions', 'heal.steps': '--heal-steps' } });
    expect(error.message).toBe('--fractions: must be in the open interval (0, 1), got 1.5');
    const steps = failure({ heal: { steps: 0.5 } }, { names: { 'heal.steps': '--heal-steps' } });
    expect(steps.message).toBe('--heal-steps: must be an integer in [0, 10000000], got 0.5');
  });

  it('refuses a file that is not an object of options', () => {
    expect(failure([1, 2]).message).toBe('p.yaml: (top level): a pipeline file must hold an object of options, got [1,2]');
  });
});
