// Issue 12, point 7: no partial outputs. A command stopped by SIGINT or SIGTERM
// leaves neither its output nor a temporary folder; a temporary folder of a dead
// process is removed by the next run; a failing command leaves nothing.
import { existsSync } from 'node:fs';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { bin, expectUntouched, makeWorkspace, slowWrites, startBin, type Workspace } from './harness.js';

let ws: Workspace;
beforeAll(async () => {
  ws = await makeWorkspace();
});
afterAll(() => ws.dispose());

function deadPid(): number {
  return Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout);
}

async function tempsIn(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((n) => /layerprune-(tmp|old|lock)/.test(n));
}

describe('interrupted commands leave nothing behind', () => {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`prune stopped by ${signal} mid-write`, async () => {
      const parent = join(ws.root, `prune-${signal}`);
      await mkdir(parent);
      const out = join(parent, 'pruned');
      await expectUntouched([ws.model], async () => {
        const child = startBin(['prune', '--model', ws.model, '--drop', '1:2', '--out', out], { env: slowWrites(150) });
        const started = Date.now();
        while (!(await readdir(parent)).some((n) => n.includes('layerprune-tmp')) && Date.now() - started < 30_000) {
          await new Promise((r) => setTimeout(r, 20));
        }
        await new Promise((r) => setTimeout(r, 300));
        child.stop(signal);
        const result = await child.done;
        expect(result.signal).toBe(signal);
      });
      expect(existsSync(out)).toBe(false);
      expect(await tempsIn(parent)).toEqual([]);
    });

    it(`analyze stopped by ${signal} during the forward passes`, async () => {
      const parent = join(ws.root, `analyze-${signal}`);
      await mkdir(parent);
      const out = join(parent, 'analysis');
      const child = startBin(['analyze', '--model', ws.model, '--data', ws.data, '--samples', '4000', '--seq-len', '64', '--out', out]);
      await child.waitForStderr(/analyze: /, 60_000);
      child.stop(signal);
      const result = await child.done;
      expect(result.signal).toBe(signal);
      expect(await readdir(parent)).toEqual([]);
    });
  }
});

describe('leftovers of dead processes are removed by the next writer', () => {
  it('prune, quantize and analyze clean their stale temporary folders and locks', async () => {
    const parent = join(ws.root, 'stale');
    await mkdir(parent);
    const pid = deadPid();
    for (const name of ['pruned', 'quant', 'analysis']) {
      await mkdir(join(parent, `.${name}.layerprune-tmp-${pid}-0badf00d`));
      await writeFile(join(parent, `.${name}.layerprune-tmp-${pid}-0badf00d`, 'model-00001.safetensors'), 'half');
      await writeFile(join(parent, `.${name}.layerprune-lock`), JSON.stringify({ pid, host: (await import('node:os')).hostname(), command: 'x', startedAt: 'then' }));
    }
    expect(bin(['prune', '--model', ws.model, '--drop', '1:2', '--out', join(parent, 'pruned'), '--quiet']).code).toBe(0);
    expect(bin(['quantize', '--model', ws.model, '--out', join(parent, 'quant'), '--quiet']).code).toBe(0);
    const analyze = bin(['analyze', '--model', ws.model, '--data', ws.data, '--samples', '2', '--seq-len', '16', '--out', join(parent, 'analysis'), '--quiet']);
    expect(analyze.code, analyze.stderr).toBe(0);
    expect((await readdir(parent)).sort()).toEqual(['analysis', 'pruned', 'quant']);
  });
});

describe('a failing command leaves nothing', () => {
  it('heal and run that fail before producing anything leave no output directory', async () => {
    const empty = join(ws.root, 'empty.txt');
    await writeFile(empty, '');
    for (const [name, args] of [
      ['heal-fail', (out: string) => ['heal', '--model', ws.model, '--data', empty, '--out', out, '--steps', '2', '--seq-len', '32']],
      ['run-fail', (out: string) => ['run', '--model', ws.model, '--data', empty, '--eval', `loss:${ws.heldout}`, '--samples', '2', '--out', out]],
    ] as const) {
      const out = join(ws.root, name);
      const result = bin(args(out));
      expect(result.code, result.stderr).not.toBe(0);
      expect(existsSync(out), `${out} left behind`).toBe(false);
      expect(await tempsIn(ws.root)).toEqual([]);
    }
  });
});
