import { describe, expect, it } from 'vitest';
import { resolveLoraConfig } from './lora-config.js';
import { LoraError } from './lora-error.js';
import { parseTargetModules } from './target-modules.js';
import { checkTrainOptions, type TrainOptionsToCheck } from './train-lora.js';

const GOOD: TrainOptionsToCheck = { steps: 10, batchSize: 4, microBatchSize: 2, learningRate: 3e-4, warmupSteps: 0, saveEvery: 0 };

function failure(run: () => unknown): LoraError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(LoraError);
    return error as LoraError;
  }
  throw new Error('expected a LoraError');
}

describe('checkTrainOptions', () => {
  it('accepts sound settings, with or without seed and sequence length', () => {
    expect(() => checkTrainOptions(GOOD)).not.toThrow();
    expect(() => checkTrainOptions({ ...GOOD, seed: 0, seqLen: 512, maxPositionEmbeddings: 512 })).not.toThrow();
  });

  it.each([
    [{ steps: 0 }, 'steps', 'steps: must be an integer >= 1, got 0'],
    [{ steps: 1.5 }, 'steps', 'steps: must be an integer >= 1, got 1.5'],
    [{ microBatchSize: 0 }, 'micro_batch', 'micro_batch: must be an integer >= 1, got 0'],
    [{ batchSize: 0 }, 'batch', 'batch: global batch 0 must be a positive multiple of the micro-batch 2'],
    [{ batchSize: -1 }, 'batch', 'batch: global batch -1 must be a positive multiple of the micro-batch 2'],
    [{ batchSize: 1.5 }, 'batch', 'batch: global batch 1.5 must be a positive multiple of the micro-batch 2'],
    [{ learningRate: Number.NaN }, 'lr', 'lr: must be a finite number > 0, got NaN'],
    [{ learningRate: Number.POSITIVE_INFINITY }, 'lr', 'lr: must be a finite number > 0, got Infinity'],
    [{ learningRate: -1 }, 'lr', 'lr: must be a finite number > 0, got -1'],
    [{ learningRate: 0 }, 'lr', 'lr: must be a finite number > 0, got 0'],
    [{ warmupSteps: -1 }, 'warmup', 'warmup: must be an integer >= 0, got -1'],
    [{ saveEvery: 0.5 }, 'save_every', 'save_every: must be an integer >= 0, got 0.5'],
    [{ seed: 1.5 }, 'seed', 'seed: must be an integer in [0, 4294967295], got 1.5'],
    [{ seed: -1 }, 'seed', 'seed: must be an integer in [0, 4294967295], got -1'],
    [{ seqLen: 1 }, 'seq_len', 'seq_len: must be an integer >= 2, got 1'],
    [{ seqLen: 4096, maxPositionEmbeddings: 512 }, 'seq_len', "seq_len: 4096 exceeds the model's max_position_embeddings 512"],
  ] as const)('refuses %j with CONFIG_INVALID naming the option', (change, field, message) => {
    const error = failure(() => checkTrainOptions({ ...GOOD, ...change }));
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.field).toBe(field);
    expect(error.message).toBe(message);
  });

  it('gives the limit of a too long sequence', () => {
    expect(failure(() => checkTrainOptions({ ...GOOD, seqLen: 600, maxPositionEmbeddings: 512 })).limit).toBe(512);
  });
});

describe('LoRA settings', () => {
  it('refuses an unknown module name, naming it', () => {
    const error = failure(() => parseTargetModules('q_proj,qproj'));
    expect(error.code).toBe('TARGETS_INVALID');
    expect(error.module).toBe('qproj');
    expect(error.message).toMatch(/^target module "qproj" is not a linear layer/);
  });

  it('refuses an unknown setting instead of carrying it along', () => {
    const error = failure(() => resolveLoraConfig({ rnak: 4 } as never));
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.field).toBe('rnak');
    expect(error.message).toBe('unknown LoRA setting "rnak" (known: rank, alpha, dropout, targetModules, useRslora, layersToTransform, baseModelNameOrPath)');
    expect(resolveLoraConfig({ rank: 4, targetModules: 'attention' }).targetModules).toEqual(['q_proj', 'k_proj', 'v_proj', 'o_proj']);
  });
});
