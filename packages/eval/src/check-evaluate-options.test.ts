import { describe, expect, it } from 'vitest';
import { checkEvaluateOptions, type ModelLimits } from './check-evaluate-options.js';
import { EvalError } from './eval-error.js';
import { evaluateTasks, type EvaluateOptions } from './evaluate-tasks.js';
import { ToyCausalLm } from './testing/toy-causal-lm.js';
import { ToyTokenizer } from './testing/toy-tokenizer.js';

const LIMITS: ModelLimits = { maxPositionEmbeddings: 512 };

function failure(options: EvaluateOptions, limits = LIMITS): EvalError {
  try {
    checkEvaluateOptions(options, limits);
  } catch (error) {
    expect(error).toBeInstanceOf(EvalError);
    return error as EvalError;
  }
  throw new Error(`expected ${JSON.stringify(options)} to be refused`);
}

describe('checkEvaluateOptions', () => {
  it('accepts the defaults and sound values', () => {
    expect(() => checkEvaluateOptions({}, LIMITS)).not.toThrow();
    expect(() => checkEvaluateOptions({ shots: 0, limit: 1, seed: 0, batchSize: 1, maxLength: 512, lossMaxChars: 10, mmluSplit: 'dev', subjects: ['anatomy'] }, LIMITS)).not.toThrow();
  });

  it.each([
    [{ batchSize: 0 }, 'batchSize', 'batchSize: must be an integer >= 1, got 0'],
    [{ batchSize: -1 }, 'batchSize', 'batchSize: must be an integer >= 1, got -1'],
    [{ batchSize: 1.5 }, 'batchSize', 'batchSize: must be an integer >= 1, got 1.5'],
    [{ limit: 0 }, 'limit', 'limit: must be an integer >= 1, got 0'],
    [{ limit: Number.NaN }, 'limit', 'limit: must be an integer >= 1, got NaN'],
    [{ shots: -1 }, 'shots', 'shots: must be an integer >= 0, got -1'],
    [{ seed: 1.5 }, 'seed', 'seed: must be an integer in [0, 4294967295], got 1.5'],
    [{ maxLength: 1 }, 'maxLength', 'maxLength: must be an integer >= 2, got 1'],
    [{ maxLength: 513 }, 'maxLength', "maxLength: 513 exceeds the model's max_position_embeddings 512"],
    [{ lossMaxChars: 0 }, 'lossMaxChars', 'lossMaxChars: must be an integer >= 1, got 0'],
    [{ mmluSplit: 'train' as never }, 'mmluSplit', 'mmluSplit: must be one of test, val, dev, got "train"'],
    [{ batch: 4 } as never, 'batch', undefined],
  ])('refuses %j with INVALID_OPTION naming the option', (options, field, message) => {
    const error = failure(options);
    expect(error.code).toBe('INVALID_OPTION');
    expect(error.field).toBe(field);
    if (message) expect(error.message).toBe(message);
  });

  it('holds maxLength to the smaller context when a reference model is compared', () => {
    const error = failure({ maxLength: 300 }, { maxPositionEmbeddings: 512, referenceMaxPositionEmbeddings: 256 });
    expect(error.message).toBe("maxLength: 300 exceeds the reference model's max_position_embeddings 256");
    expect(error.limit).toBe(256);
  });

  it('runs first in evaluateTasks, before any file is read', async () => {
    const model = new ToyCausalLm(new ToyTokenizer().vocabSize, 64);
    const run = evaluateTasks(model, new ToyTokenizer(), [{ kind: 'loss', path: '/does/not/exist.txt' }], { maxLength: 65 });
    await expect(run).rejects.toMatchObject({ code: 'INVALID_OPTION', field: 'maxLength', limit: 64 });
  });
});
