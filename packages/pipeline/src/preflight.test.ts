// preflight checks the architecture for every stage that will run, from
// config.json alone: the model runtime (analysis, evaluation), the engines, and
// the training path when the pipeline heals; each error names the stage and field.
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultModelDir } from '@layerprune/assets';
import { LoraError, tfjsTrainerFactory, type TrainerFactory } from '@layerprune/lora';
import { onnxTrainerFactory } from '@layerprune/engine-onnx';
import { ModelError, tfjsEngineFactory, type EngineFactory } from '@layerprune/model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mergeConfigInputs, validatePipelineConfig } from './pipeline-config.js';
import { defaultPipelineConfig } from './default-config.js';
import { preflight } from './preflight.js';
import { tinyPipelineInput } from './testing/tiny-pipeline.js';

let dir: string;
let data: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pipeline-preflight-'));
  data = join(dir, 'data.txt');
  await writeFile(data, 'Once upon a time.\n');
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function modelWith(name: string, fields: Record<string, unknown>): Promise<string> {
  const model = join(dir, name);
  await cp(defaultModelDir(), model, { recursive: true });
  const config = JSON.parse(await readFile(join(model, 'config.json'), 'utf8')) as Record<string, unknown>;
  await writeFile(join(model, 'config.json'), JSON.stringify({ ...config, ...fields }));
  return model;
}

function pipeline(healSteps: number, engine: 'auto' | 'onnx' | 'tfjs' = 'tfjs') {
  const input = tinyPipelineInput([], join(dir, 'out'));
  return validatePipelineConfig(mergeConfigInputs(defaultPipelineConfig(), { ...input, model: 'unused', data, engine, heal: { ...input.heal, steps: healSteps } }));
}

/** An engine factory that refuses every model, like onnx for an architecture it lacks. */
const refusing: EngineFactory = {
  name: 'onnx',
  unsupportedReason: (arch) => `model_type "${arch.config.modelType}" is not supported by the onnx engine (supported: none)`,
  prepare: () => Promise.reject(new Error('not used')),
};

async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a failure');
}

describe('preflight: the architecture, per stage', () => {
  it('accepts llama3 rope for every stage, healing included', async () => {
    const model = await modelWith('llama3', {
      rope_theta: 500000,
      rope_scaling: { rope_type: 'llama3', factor: 8, low_freq_factor: 1, high_freq_factor: 4, original_max_position_embeddings: 8 },
    });
    const facts = await preflight(pipeline(4), model, [], [tfjsEngineFactory()]);
    expect(facts.modelType).toBe('llama');
  });

  it('heal: swish (silu under its other name) is accepted by the runtime and by training alike', async () => {
    const model = await modelWith('swish', { hidden_act: 'swish' });
    await expect(preflight(pipeline(4), model, [])).resolves.toMatchObject({ modelType: 'llama' });
  });

  it('analysis: a config the model runtime refuses fails naming the stage and the field', async () => {
    const model = await modelWith('yarn', { rope_scaling: { rope_type: 'yarn', factor: 4, original_max_position_embeddings: 256 } });
    const error = await failure(preflight(pipeline(0), model, []));
    expect(error).toBeInstanceOf(ModelError);
    expect((error as ModelError).field).toBe('rope_scaling.rope_type');
    expect(error.message).toMatch(/^analysis: .*config\.json: rope_scaling type "yarn" is not supported \(supported: default, linear, llama3\)$/);
  });

  it('analysis: no engine of the list runs the model is an error; a fallback that does is not', async () => {
    const model = await modelWith('engine', {});
    const error = await failure(preflight(pipeline(0, 'onnx'), model, [], [refusing]));
    expect(error).toBeInstanceOf(ModelError);
    expect((error as ModelError).code).toBe('ENGINE_UNSUPPORTED');
    expect((error as ModelError).field).toBe('engine');
    expect(error.message).toMatch(/^analysis: .*config\.json: engine onnx: model_type "llama" is not supported by the onnx engine/);
    // engine auto: onnx refuses, tfjs takes over.
    await expect(preflight(pipeline(0, 'auto'), model, [], [refusing, tfjsEngineFactory()])).resolves.toMatchObject({ modelType: 'llama' });
  });

  it('heal: no trainer of the list trains the model is an error; a fallback that does is not, nor a run that does not heal', async () => {
    const model = await modelWith('trainer', {});
    const refusingTrainer: TrainerFactory = {
      name: 'onnx',
      unsupportedReason: (_config, bits) => `bits ${bits} is not supported by the onnx trainer`,
      prepare: () => Promise.reject(new Error('not used')),
    };
    const error = await failure(preflight(pipeline(4, 'onnx'), model, [], [], [refusingTrainer]));
    expect(error).toBeInstanceOf(LoraError);
    expect((error as LoraError).code).toBe('ENGINE_UNSUPPORTED');
    expect((error as LoraError).field).toBe('engine');
    expect(error.message).toMatch(/^heal: .*config\.json: engine onnx: bits 4 is not supported by the onnx trainer \(engine onnx;/);
    await expect(preflight(pipeline(4, 'auto'), model, [], [], [refusingTrainer, tfjsTrainerFactory()])).resolves.toMatchObject({ modelType: 'llama' });
    await expect(preflight(pipeline(0, 'onnx'), model, [], [], [refusingTrainer])).resolves.toMatchObject({ modelType: 'llama' });
  });
});

describe('preflight: sliding windows and training', () => {
  it('a seq_len longer than a layer window: both trainers train it (each masks the window)', async () => {
    const model = await modelWith('mistral-window', { model_type: 'mistral', architectures: ['MistralForCausalLM'], sliding_window: 8 });
    const config = pipeline(2, 'onnx');
    expect(config.heal.seqLen ?? 0).toBeGreaterThan(8);
    await expect(preflight(config, model, [], [], [onnxTrainerFactory()])).resolves.toMatchObject({ modelType: 'mistral' });
    await expect(preflight(pipeline(2, 'auto'), model, [], [], [onnxTrainerFactory(), tfjsTrainerFactory()])).resolves.toMatchObject({ modelType: 'mistral' });
    await expect(preflight(pipeline(2, 'tfjs'), model, [], [], [tfjsTrainerFactory()])).resolves.toMatchObject({ modelType: 'mistral' });
    await expect(preflight(pipeline(0, 'onnx'), model, [], [], [onnxTrainerFactory()])).resolves.toMatchObject({ modelType: 'mistral' });
  });
});
