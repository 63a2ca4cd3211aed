// Without @layerprune/engine-onnx (its import fails as a package that is not
// installed): `--engine onnx` is one line naming the package and how to install
// it, while the default `--engine auto` runs on TensorFlow.js and says why.
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
});
