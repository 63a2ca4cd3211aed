// Issue 12, point 2: `run --resume` works after any interruption, reuses only
// completed stages whose inputs are unchanged (by content), and refuses a
// directory that is not a layerprune run without changing anything in it.
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bin, expectOneLineError, expectUntouched, makeWorkspace, startBin, writeTinyPipeline, type Workspace } from './harness.js';

let ws: Workspace;
let config: string;

beforeAll(async () => {
  ws = await makeWorkspace();
  // saveEvery above steps: a kill during healing finds no checkpoint at all.
  config = await writeTinyPipeline(ws, { steps: 16, saveEvery: 100 });
});
afterAll(() => ws.dispose());

describe('run --resume', () => {
  it('continues a run killed during healing before its first checkpoint (the stage starts fresh)', async () => {
    const out = join(ws.root, 'run-killed');
    await expectUntouched([ws.model, ws.data, ws.heldout], async () => {
      const first = startBin(['run', '--config', config, '--out', out]);
      await first.waitForStderr(/heal-drop/, 120_000);
      first.stop('SIGKILL');
      const killed = await first.done;
      expect(killed.signal).toBe('SIGKILL');
      expect((await readdir(join(out, 'stages'))).some((n) => n.startsWith('heal-'))).toBe(false);

      const resumed = bin(['run', '--config', config, '--out', out, '--resume', '--json'], { timeoutMs: 300_000 });
      expect(resumed.code, resumed.stderr).toBe(0);
      const results = JSON.parse(await readFile(join(out, 'results.json'), 'utf8'));
      expect(results.runs[0].healing.steps).toBe(16);
      expect(Number.isFinite(results.runs[0].after.loss ?? Object.values(results.runs[0].after)[0])).toBe(true);
    });
  });

  it('recomputes a stage whose input changed since it was recorded, by content at the same path', async () => {
    const out = join(ws.root, 'run-changed');
    const first = bin(['run', '--config', config, '--out', out, '--heal-steps', '0', '--quiet'], { timeoutMs: 300_000 });
    expect(first.code, first.stderr).toBe(0);
    const text = await readFile(ws.heldout, 'utf8');
    await writeFile(ws.heldout, text.replace(/the/g, 'a'));
    const again = bin(['run', '--config', config, '--out', out, '--heal-steps', '0', '--resume'], { timeoutMs: 300_000 });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/stage eval-baseline was recorded with other inputs/);
    expect(again.stderr).not.toMatch(/stage analyze was recorded with other inputs/);
    await writeFile(ws.heldout, text);
  });

  it('refuses a directory that is not a layerprune run and changes nothing in it', async () => {
    const foreign = join(ws.root, 'photos');
    await mkdir(join(foreign, 'stages'), { recursive: true });
    await writeFile(join(foreign, 'stages', 'analyze.json'), '{"id":"analyze"}');
    await writeFile(join(foreign, 'holiday.jpg'), 'jpeg');
    await expectUntouched([foreign, ws.model, ws.data], () => {
      expectOneLineError(bin(['run', '--config', config, '--out', foreign, '--resume']), 'OUTPUT_NOT_OURS');
      expectOneLineError(bin(['heal', '--model', ws.model, '--data', ws.data, '--out', foreign, '--resume', '--steps', '1']), /^error \[(OUTPUT_NOT_OURS|RESUME_WITHOUT_CHECKPOINT)\]/);
    });
  });

  it('refuses to resume a run into the output of another command', async () => {
    const pruned = join(ws.root, 'pruned-not-a-run');
    expect(bin(['prune', '--model', ws.model, '--drop', '1:2', '--out', pruned, '--quiet']).code).toBe(0);
    await expectUntouched([pruned], () => {
      expectOneLineError(bin(['run', '--config', config, '--out', pruned, '--resume']), 'OUTPUT_NOT_OURS');
    });
  });
});
