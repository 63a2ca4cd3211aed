// A prune killed with SIGKILL halfway through writing must leave no output
// directory and an untouched input; the rerun removes the dead run's temporary
// directory and succeeds. The run is a real child process using the built
// package (nx runs `build` before this package's tests), slowed down by the
// pauseBetweenTensorsMs option so the kill lands mid-write.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseTempName } from '@layerprune/safe-output';
import { pruneModel } from './prune-model.js';
import { hashDir } from './testing/hash-dir.js';
import { readModelTensorsPlain } from './testing/read-safetensors-plain.js';
import { makeTempDir } from './testing/temp-dir.js';
import { writeTinyModel } from './testing/tiny-model.js';

const DIST_ENTRY = fileURLToPath(new URL('../dist/index.js', import.meta.url));

let root: string;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  ({ path: root, cleanup } = await makeTempDir());
});
afterAll(() => cleanup());

async function waitFor(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('an interrupted prune', () => {
  it('leaves no output when killed mid-write, never touches the input, and a rerun cleans up and succeeds', async () => {
    expect(existsSync(DIST_ENTRY), `${DIST_ENTRY} missing: build first (nx run @layerprune/surgery:build)`).toBe(true);
    const model = await writeTinyModel(join(root, 'model'), { modelType: 'llama', numLayers: 6, shards: 3 });
    const inputHashes = await hashDir(model.dir);
    const out = join(root, 'pruned');
    const script = `import { pruneModel } from ${JSON.stringify(pathToFileURL(DIST_ENTRY).href)};
await pruneModel({ model: process.argv[1], out: process.argv[2], spec: { kind: 'drop-block', start: 1, end: 3 }, pauseBetweenTensorsMs: 150 });`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script, model.dir, out], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += String(chunk)));
    const exited = new Promise<NodeJS.Signals | number | null>((resolve) => child.on('exit', (code, signal) => resolve(signal ?? code)));
    let temp = '';
    const findTemp = async (): Promise<boolean> => {
      const name = (await readdir(root)).find((n) => parseTempName(n)?.pid === child.pid && parseTempName(n)?.kind === 'tmp');
      temp = name === undefined ? '' : join(root, name);
      return temp !== '';
    };

    // Mid-write: the temporary directory exists and the first shard's bytes are being written.
    await waitFor(async () => (await findTemp()) && (await readdir(temp)).length > 0, 20_000);
    await new Promise((r) => setTimeout(r, 400));
    child.kill('SIGKILL');
    expect(await exited, stderr).toBe('SIGKILL');

    expect(existsSync(out)).toBe(false);
    expect((await stat(temp)).isDirectory()).toBe(true);
    // It really died mid-write: config and provenance come after the weights.
    const leftover = await readdir(temp);
    expect(leftover.length).toBeGreaterThan(0);
    expect(leftover).not.toContain('config.json');
    expect(await hashDir(model.dir)).toEqual(inputHashes);

    const result = await pruneModel({ model: model.dir, out, spec: { kind: 'drop-block', start: 1, end: 3 } });
    expect(result.removedTempDirs).toEqual([temp]);
    // The dead run's lock was stale and taken over; the rerun released its own.
    expect((await readdir(root)).sort()).toEqual(['model', 'pruned']);
    expect(result.plan.numLayersAfter).toBe(4);
    const tensors = await readModelTensorsPlain(out);
    expect([...tensors.keys()].filter((n) => n.startsWith('model.layers.4.'))).toEqual([]);
    expect(await hashDir(model.dir)).toEqual(inputHashes);
  });

  it('removes its temporary directory and lock when interrupted with SIGINT or SIGTERM', async () => {
    const model = await writeTinyModel(join(root, 'model-int'), { modelType: 'llama', numLayers: 4, shards: 2 });
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      const out = join(root, `pruned-${signal}`);
      const script = `import { pruneModel } from ${JSON.stringify(pathToFileURL(DIST_ENTRY).href)};
await pruneModel({ model: process.argv[1], out: process.argv[2], spec: { kind: 'drop-block', start: 1, end: 2 }, pauseBetweenTensorsMs: 150 });`;
      const child = spawn(process.execPath, ['--input-type=module', '-e', script, model.dir, out], {
        stdio: ['ignore', 'ignore', 'ignore'],
      });
      const exited = new Promise<NodeJS.Signals | number | null>((resolve) => child.on('exit', (code, sig) => resolve(sig ?? code)));
      const ours = async (): Promise<string[]> => (await readdir(root)).filter((n) => n.includes(`pruned-${signal}`));
      await waitFor(async () => (await ours()).some((n) => parseTempName(n)?.kind === 'tmp'), 20_000);
      await new Promise((r) => setTimeout(r, 200));
      child.kill(signal);
      expect(await exited).toBe(signal);
      expect(await ours()).toEqual([]);
    }
  });
});
