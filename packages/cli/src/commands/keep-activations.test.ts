// --keep-activations on heal and run reaches the onnx trainer factory ('auto' when
// absent, with the command's log for auto's choice) (through the
// pipeline's trainerFactories), with @layerprune/engine-onnx replaced by a stand-in
// that records its options and refuses the model, so nothing trains and nothing is
// written. The conflicts with --engine tfjs and --backend are in engine-options.test.ts.
import { access, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { runCli } from '../testing/run-cli.js';

const trainerOptions = vi.hoisted(() => [] as unknown[]);

vi.mock('@layerprune/engine-onnx', () => {
  const refuse = (): string => 'a stand-in engine for this test';
  const prepare = (): Promise<never> => Promise.reject(new Error('not in this test'));
  return {
    onnxEngineFactory: () => ({ name: 'onnx', unsupportedReason: refuse, prepare }),
    onnxTrainerFactory: (options: unknown) => {
      trainerOptions.push(options);
      return { name: 'onnx', unsupportedReason: refuse, prepare };
    },
  };
});

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'layerprune-keep-activations-'));
});
afterAll(() => rm(root, { recursive: true, force: true }));
beforeEach(() => {
  trainerOptions.length = 0;
});

/** Runs the command; the stand-in refuses the model, so it fails before writing `out`. */
async function refused(args: string[], out: string): Promise<void> {
  const run = await runCli([...args, '--out', out, '--quiet']);
  expect(run.code, run.stderr).not.toBe(0);
  expect(run.stderr).toMatch(/a stand-in engine for this test/);
  await expect(access(out)).rejects.toMatchObject({ code: 'ENOENT' });
}

describe('--keep-activations reaches the onnx trainer', () => {
  it.each<[string[], boolean | 'auto']>([
    [['--keep-activations'], true],
    [['--keep-activations', '--threads', '2'], true],
    [[], 'auto'],
    [['--no-keep-activations'], false],
  ])('heal --engine onnx %j: keepActivations %s', async (flags, expected) => {
    await refused(['heal', '--engine', 'onnx', ...flags], join(root, 'heal'));
    expect(trainerOptions).toEqual([{ device: 'cpu', keepActivations: expected, log: expect.any(Function), ...(flags.includes('--threads') ? { threads: 2 } : {}) }]);
  });

  it.each<[string[], boolean | 'auto']>([
    [['--keep-activations'], true],
    [[], 'auto'],
    [['--no-keep-activations'], false],
  ])('run --engine onnx %j: keepActivations %s', async (flags, expected) => {
    await refused(['run', '--engine', 'onnx', ...flags], join(root, 'run'));
    expect(trainerOptions).toEqual([{ device: 'cpu', keepActivations: expected, log: expect.any(Function) }]);
  });

  it('run takes heal.keepActivations from its pipeline file; the flag overrides it', async () => {
    const config = join(root, 'keep.yaml');
    await writeFile(config, 'engine: onnx\nheal:\n  keepActivations: true\n');
    await refused(['run', '--config', config], join(root, 'run-file'));
    await refused(['run', '--config', config, '--no-keep-activations'], join(root, 'run-file'));
    expect(trainerOptions).toEqual([
      { device: 'cpu', keepActivations: true, log: expect.any(Function) },
      { device: 'cpu', keepActivations: false, log: expect.any(Function) },
    ]);
  });

  it('run with a file that trains on tfjs: the file and both fields are named', async () => {
    const config = join(root, 'tfjs.yaml');
    await writeFile(config, 'engine: tfjs\nheal:\n  keepActivations: true\n');
    const run = await runCli(['run', '--config', config, '--out', join(root, 'run-tfjs')]);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(`error [CONFIG_INVALID]: ${config}: heal.keepActivations: keeping activations is a setting of the onnx trainer; engine tfjs trains on backend\n`);
    expect(trainerOptions).toEqual([]);
  });
});
