// --engine, --threads and --device on analyze, eval, generate, run and heal: one list of
// each (the pipeline's), usage errors before any work, conflicts refused (heal's and
// run's --keep-activations where training cannot be onnx too), a CUDA device this machine
// does not have refused in one line without writing anything (built bin, inputs
// hashed before and after), and the two engines giving the same numbers on the
// bundled model: loss and distances to 1e-5, the same greedy text.
import { existsSync } from 'node:fs';
import { access, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultHeldoutFile, defaultModelDir } from '@layerprune/assets';
import { ENGINE_DEVICES as PIPELINE_DEVICES, ENGINE_NAMES as PIPELINE_ENGINES, MAX_ENGINE_THREADS } from '@layerprune/pipeline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINE_DEVICES, ENGINE_NAMES, MAX_THREADS } from '../cli/engine-option.js';
import { bin, expectOneLineError, expectUntouched, leftovers, makeWorkspace, type Workspace } from '../reliability/harness.js';
import { runCli } from '../testing/run-cli.js';
import type { AnalyzeResult } from './analyze.js';
import type { EvalCommandResult } from './eval.js';
import type { GenerateResult } from './generate.js';
import type { RunCommandResult } from './run.js';

const COMMANDS = ['analyze', 'eval', 'generate', 'run'] as const;
/** Every command that takes the flags: heal trains on the engine they choose. */
const WITH_FLAGS = [...COMMANDS, 'heal'] as const;
/** The options a command requires (and an --out that is never written), so that only the option under test can fail. */
const REQUIRED: Record<string, string[]> = { analyze: ['--out', 'never-written'], generate: ['--prompt', 'x'], run: ['--out', 'never-written'], heal: ['--out', 'never-written'] };

let root: string;
let heldout: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'layerprune-cli-engine-'));
  heldout = join(root, 'heldout.txt');
  await writeFile(heldout, (await readFile(defaultHeldoutFile(), 'utf8')).slice(0, 3000));
});
afterAll(() => rm(root, { recursive: true, force: true }));

async function json<T>(args: string[]): Promise<T> {
  const run = await runCli([...args, '--json', '--quiet']);
  expect(run.code, run.stderr).toBe(0);
  return JSON.parse(run.stdout) as T;
}

describe('--engine, --threads, --device: checked before any work', () => {
  it('the lists are the pipeline\'s', () => {
    expect([...ENGINE_NAMES]).toEqual([...PIPELINE_ENGINES]);
    expect([...ENGINE_DEVICES]).toEqual([...PIPELINE_DEVICES]);
    expect(MAX_THREADS).toBe(MAX_ENGINE_THREADS);
  });

  it.each(WITH_FLAGS)('%s --engine gpu and --device gpu are usage errors listing the choices', async (command) => {
    const engine = await runCli([command, '--engine', 'gpu', ...(REQUIRED[command] ?? [])]);
    expect(engine.code).toBe(2);
    expect(engine.stderr).toBe('error [USAGE]: Invalid values: Argument: engine, Given: "gpu", Choices: "auto", "onnx", "tfjs"\n');
    const device = await runCli([command, '--device', 'gpu', ...(REQUIRED[command] ?? [])]);
    expect(device.code).toBe(2);
    expect(device.stderr).toBe('error [USAGE]: Invalid values: Argument: device, Given: "gpu", Choices: "cpu", "cuda"\n');
  });

  it.each(WITH_FLAGS.flatMap((command) => ['0', '1.5', '-2', '1025'].map((value) => [command, value] as const)))('%s --threads %s is refused naming the range', async (command, value) => {
    const run = await runCli([command, '--threads', value, ...(REQUIRED[command] ?? [])]);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(`error [INVALID_OPTION]: --threads must be an integer in [1, 1024], got ${value}\n`);
  });

  it.each([
    ['generate', ['--engine', 'tfjs', '--device', 'cuda'], '--device: cuda is a device of the onnx engine; --engine tfjs runs on --backend'],
    ['eval', ['--engine', 'tfjs', '--threads', '2'], '--threads: 2 threads is a setting of the onnx engine; --engine tfjs runs on --backend'],
    ['analyze', ['--engine', 'onnx', '--backend', 'wasm'], '--backend: wasm is a TensorFlow.js backend; --engine onnx runs on --device cpu or cuda'],
    ['run', ['--backend', 'wasm', '--device', 'cuda'], '--device: cuda is a device of the onnx engine, but --backend wasm is a TensorFlow.js backend: give one of them'],
    ['heal', ['--engine', 'tfjs', '--device', 'cuda'], '--device: cuda is a device of the onnx engine; --engine tfjs runs on --backend'],
    ['heal', ['--engine', 'onnx', '--backend', 'wasm'], '--backend: wasm is a TensorFlow.js backend; --engine onnx runs on --device cpu or cuda'],
    ['heal', ['--engine', 'tfjs', '--keep-activations'], '--keep-activations: keeping activations is a setting of the onnx trainer; --engine tfjs trains on --backend'],
    ['heal', ['--backend', 'wasm', '--keep-activations'], '--keep-activations: keeping activations is a setting of the onnx trainer, but --backend wasm is a TensorFlow.js backend: give one of them'],
    ['run', ['--engine', 'tfjs', '--keep-activations'], '--keep-activations: keeping activations is a setting of the onnx trainer; --engine tfjs trains on --backend'],
    ['run', ['--backend', 'wasm', '--keep-activations'], '--keep-activations: keeping activations is a setting of the onnx trainer, but --backend wasm is a TensorFlow.js backend: give one of them'],
    ['run', ['--engine', 'onnx', '--backend', 'wasm', '--keep-activations'], '--backend: wasm is a TensorFlow.js backend; --engine onnx runs on --device cpu or cuda'],
  ])('%s %j: flags naming two engines are refused, naming the flags', async (command, flags, message) => {
    const run = await runCli([command, ...flags, ...(REQUIRED[command] ?? [])]);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(`error [CONFIG_INVALID]: ${message}\n`);
  });
});

// Only on a machine without NVIDIA's driver: elsewhere cuda may well start.
describe.skipIf(existsSync('/dev/nvidiactl'))('--device cuda without CUDA (built bin)', () => {
  let ws: Workspace;
  beforeAll(async () => {
    ws = await makeWorkspace('layerprune-engine-cuda-');
  });
  afterAll(() => ws.dispose());

  it.each(COMMANDS)('%s: one line naming the device, non-zero exit, nothing written, inputs unchanged', async (command) => {
    const out = join(ws.root, 'outs', command);
    const args: Record<(typeof COMMANDS)[number], string[]> = {
      analyze: ['--model', ws.model, '--data', ws.data, '--samples', '2', '--out', out],
      eval: ['--model', ws.model, '--task', `loss:${ws.heldout}`],
      generate: ['--model', ws.model, '--prompt', 'Once', '--max-tokens', '2'],
      run: ['--model', ws.model, '--data', ws.data, '--eval', `loss:${ws.heldout}`, '--heal-steps', '0', '--out', out],
    };
    const run = await expectUntouched([ws.model, ws.data, ws.heldout], () => bin([command, ...args[command], '--device', 'cuda', '--quiet']));
    const line = expectOneLineError(run, 'DEVICE_UNAVAILABLE');
    expect(line).toMatch(/cuda/);
    expect(run.stdout).toBe('');
    await expect(access(out)).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await leftovers(join(ws.root, 'outs'))).toEqual([]);
  });
});

describe('tfjs and onnx agree on the bundled model', () => {
  it('eval: the same loss to 1e-5; the header and --json name the engine', async () => {
    const [tfjs, onnx] = [
      await json<EvalCommandResult>(['eval', '--task', `loss:${heldout}`, '--engine', 'tfjs']),
      await json<EvalCommandResult>(['eval', '--task', `loss:${heldout}`, '--engine', 'onnx', '--threads', '2']),
    ];
    expect(tfjs.engine).toBe('tfjs');
    expect(onnx).toMatchObject({ engine: 'onnx', backend: 'cpu' });
    const [a, b] = [tfjs.results[0], onnx.results[0]];
    if (a.task !== 'loss' || b.task !== 'loss') throw new Error('expected loss results');
    expect(b.loss.tokens).toBe(a.loss.tokens);
    expect(Math.abs(b.loss.meanNll - a.loss.meanNll)).toBeLessThan(1e-5);
    const human = await runCli(['eval', '--task', `loss:${heldout}`, '--engine', 'onnx', '--quiet']);
    expect(human.stdout.split('\n')[0]).toBe(`model ${defaultModelDir()} (engine onnx on cpu)`);
  });

  it('analyze: the same distances to 1e-5 and the same blocks; analysis.json records the engine', async () => {
    const run = (engine: string): Promise<AnalyzeResult> =>
      json<AnalyzeResult>(['analyze', '--samples', '12', '--seq-len', '32', '--engine', engine, '--out', join(root, `analysis-${engine}`)]);
    const [tfjs, onnx] = [await run('tfjs'), await run('onnx')];
    expect(onnx).toMatchObject({ engine: 'onnx', backend: 'cpu', tokens: tfjs.tokens });
    expect(onnx.recommendations.map((r) => [r.start, r.end])).toEqual(tfjs.recommendations.map((r) => [r.start, r.end]));
    for (const [i, r] of tfjs.recommendations.entries()) expect(Math.abs(onnx.recommendations[i].distance - r.distance), `n=${r.n}`).toBeLessThan(1e-5);
    const document = JSON.parse(await readFile(onnx.files.json, 'utf8')) as { model: Record<string, unknown> };
    expect(document.model).toMatchObject({ engine: 'onnx', backend: 'cpu' });
  });

  it('generate --temperature 0: the same tokens and text; the footer names the engine', async () => {
    const args = ['generate', '--prompt', 'Once upon a time', '--max-tokens', '64', '--temperature', '0'];
    const [tfjs, onnx] = [await json<GenerateResult>([...args, '--engine', 'tfjs']), await json<GenerateResult>([...args, '--engine', 'onnx'])];
    expect(onnx).toMatchObject({ engine: 'onnx', backend: 'cpu', tokens: tfjs.tokens, text: tfjs.text });
    const human = await runCli([...args.slice(0, 3), '--max-tokens', '4', '--temperature', '0', '--engine', 'onnx', '--quiet']);
    expect(human.stdout).toMatch(/\(4 tokens, greedy, stopped at max-tokens; [\d.]+ tokens\/s, engine onnx on cpu\)\n$/);
  });

  it('run --engine onnx: analysis and evaluation on onnx, recorded in the results and the report', async () => {
    const out = join(root, 'run-onnx');
    const result = await json<RunCommandResult>([
      'run', '--engine', 'onnx', '--threads', '2', '--fractions', '0.4', '--methods', 'deepest', '--samples', '8',
      '--heal-steps', '0', '--eval', `loss:${heldout}`, '--out', out,
    ]);
    expect(result).toMatchObject({ engine: 'onnx', backend: 'cpu' });
    const results = JSON.parse(await readFile(result.report.results, 'utf8')) as { environment: Record<string, unknown> };
    expect(results.environment).toMatchObject({ engine: 'onnx', backend: 'cpu' });
    expect(await readFile(result.report.markdown, 'utf8')).toContain('engine onnx on `cpu`.');
  });
});
