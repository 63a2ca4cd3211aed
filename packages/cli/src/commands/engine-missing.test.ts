// Without @layerprune/engine-onnx (its import fails as a package that is not
// installed): `--engine onnx` is one line naming the package and how to install
// it, while the default `--engine auto` runs (and heal trains) on TensorFlow.js and says why.
import { access, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { vi, describe, expect, it } from 'vitest';
import { runCli } from '../testing/run-cli.js';

vi.mock('@layerprune/engine-onnx', () => {
  throw Object.assign(new Error("Cannot find package '@layerprune/engine-onnx' imported from /app/node_modules/@layerprune/pipeline/dist/engine/engine-factories.js"), {
    code: 'ERR_MODULE_NOT_FOUND',
  });
});

describe('the onnx engine not installed', () => {
  it('--engine onnx: ENGINE_UNAVAILABLE naming the package, exit 1, nothing on stdout', async () => {
    const run = await runCli(['generate', '--prompt', 'Once', '--max-tokens', '2', '--engine', 'onnx']);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^error \[ENGINE_UNAVAILABLE\]: --engine onnx: @layerprune\/engine-onnx (is not installed \(npm install @layerprune\/engine-onnx\)|failed to load: .+)\n$/);
  });

  it('--engine auto: runs on tfjs, with one line saying why onnx was skipped', async () => {
    const run = await runCli(['generate', '--prompt', 'Once', '--max-tokens', '2', '--temperature', '0']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr.split('\n').filter((l) => l.includes('engine onnx skipped'))).toEqual([
      expect.stringMatching(/^layerprune: engine onnx skipped \(@layerprune\/engine-onnx .+\); using tfjs$/),
    ]);
    expect(run.stdout).toMatch(/engine tfjs on \w+\)\n$/);
  });

  it('heal --engine onnx: ENGINE_UNAVAILABLE before anything is written', async () => {
    const out = join(await mkdtemp(join(tmpdir(), 'layerprune-heal-no-onnx-')), 'healed');
    const run = await runCli(['heal', '--out', out, '--engine', 'onnx', '--steps', '1']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^error \[ENGINE_UNAVAILABLE\]: --engine onnx: @layerprune\/engine-onnx (is not installed|failed to load: .+)/);
    await expect(access(out)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('heal --engine auto: trains on tfjs, with one line saying why onnx was skipped', async () => {
    const out = join(await mkdtemp(join(tmpdir(), 'layerprune-heal-no-onnx-')), 'healed');
    const args = ['--steps', '1', '--batch', '2', '--micro-batch', '2', '--seq-len', '16', '--rank', '2'];
    const run = await runCli(['heal', '--out', out, '--json', ...args]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr.split('\n').filter((l) => l.includes('engine onnx skipped'))).toEqual([
      expect.stringMatching(/^layerprune: training engine onnx skipped \(@layerprune\/engine-onnx .+\); using tfjs$/),
    ]);
    expect(JSON.parse(run.stdout)).toMatchObject({ engine: 'tfjs' });
  });
});
