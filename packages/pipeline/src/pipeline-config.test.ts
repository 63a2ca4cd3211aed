import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultPipelineConfig } from './default-config.js';
import { loadPipelineFile } from './load-pipeline-file.js';
import { mergeConfigInputs, validatePipelineConfig } from './pipeline-config.js';
import { PipelineError } from './pipeline-error.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('pipeline config', () => {
  it('defaults validate, and later inputs override earlier ones field by field', () => {
    const merged = mergeConfigInputs(defaultPipelineConfig(), { heal: { steps: 7 }, fractions: [0.5, 0.25, 0.5] }, { heal: { rank: 4 }, out: 'x' });
    const config = validatePipelineConfig(merged);
    expect(config.heal.steps).toBe(7);
    expect(config.heal.rank).toBe(4);
    expect(config.heal.lr).toBe(defaultPipelineConfig().heal?.lr);
    expect(config.fractions).toEqual([0.25, 0.5]);
    expect(config.out).toBe('x');
  });

  it.each([
    [{ fractions: [0] }, 'fractions[0]'],
    [{ fractions: [1.5] }, 'fractions[0]'],
    [{ methods: ['random'] }, 'methods[0]'],
    [{ heal: { stepz: 3 } }, 'heal.stepz'],
    [{ heal: { lr: 0 } }, 'heal.lr'],
    [{ analysis: { seqLen: 1.5 } }, 'analysis.seqLen'],
    [{ heal: { bits: 8 } }, 'heal.bits'],
    [{ heal: { steps: -1 } }, 'heal.steps'],
    [{ analysis: { samples: 0 } }, 'analysis.samples'],
    [{ colour: 'red' }, 'colour'],
  ])('refuses %j naming the field', (override, field) => {
    const merged = mergeConfigInputs(defaultPipelineConfig(), override as never);
    try {
      validatePipelineConfig(merged, 'pipeline.yaml');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(PipelineError);
      expect((error as PipelineError).code).toBe('CONFIG_INVALID');
      expect((error as PipelineError).field).toBe(field);
      expect((error as Error).message).toMatch(/^pipeline\.yaml: /);
    }
  });

  it('leaves sequence lengths to follow the model unless set, and refuses a missing field', () => {
    const config = validatePipelineConfig(mergeConfigInputs(defaultPipelineConfig()));
    expect(config.analysis.seqLen).toBeNull();
    expect(config.heal.seqLen).toBeNull();
    expect(validatePipelineConfig(mergeConfigInputs(defaultPipelineConfig(), { heal: { seqLen: 64 } })).heal.seqLen).toBe(64);
    const { seed: _seed, ...withoutSeed } = mergeConfigInputs(defaultPipelineConfig());
    expect(() => validatePipelineConfig(withoutSeed, 'p.yaml')).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID', field: 'seed', message: 'p.yaml: seed: is missing' }));
  });

  it('engine auto on cpu with all cores unless set; engines, threads and devices are checked and must agree', () => {
    const config = validatePipelineConfig(mergeConfigInputs(defaultPipelineConfig()));
    expect({ engine: config.engine, threads: config.threads, device: config.device }).toEqual({ engine: 'auto', threads: null, device: 'cpu' });
    const set = validatePipelineConfig(mergeConfigInputs(defaultPipelineConfig(), { engine: 'onnx', threads: 2, device: 'cuda' }));
    expect({ engine: set.engine, threads: set.threads, device: set.device }).toEqual({ engine: 'onnx', threads: 2, device: 'cuda' });
    // A file that leaves threads out is valid: null (all cores) is the default.
    const { threads: _threads, ...withoutThreads } = mergeConfigInputs(defaultPipelineConfig());
    expect(validatePipelineConfig(withoutThreads).threads).toBeNull();
    // Two options naming different engines: refused with the file, not one of them ignored.
    expect(() => validatePipelineConfig(mergeConfigInputs(defaultPipelineConfig(), { engine: 'tfjs', device: 'cuda' }), 'p.yaml')).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID', field: 'device', message: 'p.yaml: device: cuda is a device of the onnx engine; engine tfjs runs on backend' }),
    );
    expect(() => validatePipelineConfig(mergeConfigInputs(defaultPipelineConfig(), { engine: 'onnx', backend: 'wasm' }))).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID', field: 'backend' }));
  });

  it("heal.keepActivations: 'auto' unless set; true refused with an engine that cannot be onnx, naming both fields", async () => {
    expect(validatePipelineConfig(mergeConfigInputs(defaultPipelineConfig())).heal.keepActivations).toBe('auto');
    expect(validatePipelineConfig(mergeConfigInputs(defaultPipelineConfig(), { engine: 'tfjs' })).heal.keepActivations).toBe('auto');
    expect(validatePipelineConfig(mergeConfigInputs(defaultPipelineConfig(), { heal: { keepActivations: false } })).heal.keepActivations).toBe(false);
    expect(validatePipelineConfig(mergeConfigInputs(defaultPipelineConfig(), { heal: { keepActivations: true } })).heal.keepActivations).toBe(true);
    expect(validatePipelineConfig(mergeConfigInputs(defaultPipelineConfig(), { engine: 'onnx', heal: { keepActivations: true } })).heal.keepActivations).toBe(true);
    // tfjs recomputes nothing to keep: false is no conflict.
    expect(validatePipelineConfig(mergeConfigInputs(defaultPipelineConfig(), { engine: 'tfjs', heal: { keepActivations: false } })).engine).toBe('tfjs');
    expect(() => validatePipelineConfig(mergeConfigInputs(defaultPipelineConfig(), { engine: 'tfjs', heal: { keepActivations: true } }), 'p.yaml')).toThrow(
      expect.objectContaining({
        code: 'CONFIG_INVALID',
        field: 'heal.keepActivations',
        file: 'p.yaml',
        message: 'p.yaml: heal.keepActivations: keeping activations is a setting of the onnx trainer; engine tfjs trains on backend',
      }),
    );
    expect(() => validatePipelineConfig(mergeConfigInputs(defaultPipelineConfig(), { backend: 'wasm', heal: { keepActivations: true } }))).toThrow(
      expect.objectContaining({
        code: 'CONFIG_INVALID',
        field: 'heal.keepActivations',
        message: 'heal.keepActivations: keeping activations is a setting of the onnx trainer, but backend wasm is a TensorFlow.js backend: give one of them',
      }),
    );
    // From a file: a boolean, checked when the file is read.
    const dir = await mkdtemp(join(tmpdir(), 'layerprune-pipeline-'));
    dirs.push(dir);
    await writeFile(join(dir, 'keep.yaml'), 'engine: onnx\nheal:\n  keepActivations: true\n');
    const file = await loadPipelineFile(join(dir, 'keep.yaml'));
    expect(validatePipelineConfig(mergeConfigInputs(defaultPipelineConfig(), file)).heal.keepActivations).toBe(true);
    await writeFile(join(dir, 'keep-auto.yaml'), 'heal:\n  keepActivations: auto\n');
    expect(validatePipelineConfig(mergeConfigInputs(defaultPipelineConfig(), await loadPipelineFile(join(dir, 'keep-auto.yaml')))).heal.keepActivations).toBe('auto');
    await writeFile(join(dir, 'keep-yes.yaml'), 'heal:\n  keepActivations: yes please\n');
    await expect(loadPipelineFile(join(dir, 'keep-yes.yaml'))).rejects.toMatchObject({ code: 'CONFIG_INVALID', field: 'heal.keepActivations' });
  });

  it('refuses an unknown key at any depth of a pipeline file, naming the file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'layerprune-pipeline-'));
    dirs.push(dir);
    const file = join(dir, 'typo.yaml');
    await writeFile(file, 'fractions: [0.25]\nheal:\n  stepz: 3\n');
    await expect(loadPipelineFile(file)).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      field: 'heal.stepz',
      file,
      message: expect.stringContaining(`${file}: heal.stepz: unknown field of heal (known: steps,`),
    });
    await writeFile(join(dir, 'nan.json'), '{"heal": {"lr": -1}}');
    await expect(loadPipelineFile(join(dir, 'nan.json'))).rejects.toMatchObject({ code: 'CONFIG_INVALID', field: 'heal.lr' });
  });

  it('reads JSON and YAML pipeline files with the same fields', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'layerprune-pipeline-'));
    dirs.push(dir);
    await writeFile(join(dir, 'p.yaml'), 'fractions: [0.1, 0.3]\nheal:\n  steps: 12\nmethods:\n  - deepest\n');
    await writeFile(join(dir, 'p.json'), JSON.stringify({ fractions: [0.1, 0.3], heal: { steps: 12 }, methods: ['deepest'] }));
    expect(await loadPipelineFile(join(dir, 'p.yaml'))).toEqual(await loadPipelineFile(join(dir, 'p.json')));
    await writeFile(join(dir, 'bad.yaml'), 'fractions: [0.1\n');
    await expect(loadPipelineFile(join(dir, 'bad.yaml'))).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
    await expect(loadPipelineFile(join(dir, 'missing.json'))).rejects.toMatchObject({ code: 'CONFIG_NOT_FOUND' });
    await expect(loadPipelineFile(dir)).rejects.toMatchObject({ code: 'CONFIG_NOT_FOUND', message: `${dir}: cannot read the pipeline file (it is a directory)` });
  });

  it('refuses a key given twice, in JSON as in YAML (JSON.parse alone would keep the last value)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'layerprune-pipeline-'));
    dirs.push(dir);
    const json = join(dir, 'twice.json');
    await writeFile(json, '{\n  "heal": { "steps": 3,\n    "steps": 50 }\n}\n');
    await expect(loadPipelineFile(json)).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      file: json,
      message: `${json}: a key is given twice (line 3, column 5): JSON would keep the last value silently; give it once`,
    });
    await writeFile(join(dir, 'twice.yaml'), 'heal:\n  steps: 3\n  steps: 50\n');
    await expect(loadPipelineFile(join(dir, 'twice.yaml'))).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
    // The same key in two different objects is no duplicate.
    await writeFile(join(dir, 'two-objects.json'), JSON.stringify({ heal: { batch: 4 }, analysis: { batch: 8 }, fractions: [0.2] }));
    const read = await loadPipelineFile(join(dir, 'two-objects.json'));
    expect([read.heal, read.analysis]).toEqual([{ batch: 4 }, { batch: 8 }]);
  });
});
