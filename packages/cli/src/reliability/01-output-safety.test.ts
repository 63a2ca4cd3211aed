// Issue 12, point 1: no command ever deletes or writes inside its input, and
// --force replaces only a directory layerprune itself wrote. Every case runs the
// built bin and checks the sha256 of the model, the data and any bystander
// directory before and after.
import { mkdir, readdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bin, expectOneLineError, expectUntouched, makeWorkspace, type Workspace } from './harness.js';

let ws: Workspace;
let home: string;
let cwd: string;
let foreign: string;

beforeAll(async () => {
  ws = await makeWorkspace();
  home = join(ws.root, 'home');
  cwd = join(ws.root, 'home', 'work');
  await mkdir(cwd, { recursive: true });
  foreign = join(ws.root, 'thesis');
  await mkdir(foreign);
  await writeFile(join(foreign, 'chapter1.tex'), 'years of work');
  await symlink(ws.model, join(ws.root, 'model-link'));
});
afterAll(() => ws.dispose());

/** The commands that write a new output, each with the cheapest arguments that reach the output check. */
const commands: Record<string, (out: string) => string[]> = {
  prune: (out) => ['prune', '--model', ws.model, '--drop', '1:2', '--out', out, '--force'],
  quantize: (out) => ['quantize', '--model', ws.model, '--out', out, '--force'],
  analyze: (out) => ['analyze', '--model', ws.model, '--data', ws.data, '--samples', '2', '--seq-len', '16', '--out', out, '--force'],
  run: (out) => ['run', '--model', ws.model, '--data', ws.data, '--eval', `loss:${ws.heldout}`, '--heal-steps', '1', '--samples', '2', '--out', out, '--force'],
  heal: (out) => ['heal', '--model', ws.model, '--data', ws.data, '--steps', '1', '--out', out],
};

function run(args: string[]) {
  return bin(args, { cwd, env: { HOME: home } });
}

describe('an --out that is, holds or sits inside an input is refused (--force included)', () => {
  const places: Array<[string, () => string, RegExp]> = [
    ['the model itself', () => ws.model, /OUTPUT_IS_INPUT/],
    ['the model through a symlink', () => join(ws.root, 'model-link'), /OUTPUT_IS_INPUT/],
    ['the model through ..', () => join(ws.model, '..', 'model'), /OUTPUT_IS_INPUT/],
    ['a directory inside the model', () => join(ws.model, 'sub'), /OUTPUT_INSIDE_INPUT/],
    ['inside the model through a symlink', () => join(ws.root, 'model-link', 'sub'), /OUTPUT_INSIDE_INPUT/],
    // ws.root also holds the working directory, so either refusal is right.
    ['the directory holding the model and data', () => ws.root, /INPUT_INSIDE_OUTPUT|OUTPUT_PROTECTED/],
    ['the data file', () => ws.data, /OUTPUT_IS_INPUT|OUTPUT_NOT_DIRECTORY/],
  ];
  for (const [command, args] of Object.entries(commands)) {
    for (const [what, out, code] of places) {
      it(`${command} --out <${what}>`, async () => {
        await expectUntouched([ws.root], () => {
          const result = run(args(out()));
          expectOneLineError(result, new RegExp(`^error \\[(${code.source})\\]: `));
        });
      });
    }
  }
});

describe('an --out that is /, the home directory, the working directory or an ancestor is refused', () => {
  for (const [command, args] of Object.entries(commands)) {
    it(command, { timeout: 240_000 }, async () => {
      await expectUntouched([ws.root], () => {
        for (const out of ['/', home, cwd, '..']) {
          const result = run(args(out));
          expectOneLineError(result, /^error \[(OUTPUT_PROTECTED|INPUT_INSIDE_OUTPUT)\]: /);
        }
      });
    });
  }
});

describe('--force replaces only what layerprune wrote', () => {
  for (const [command, args] of Object.entries(commands)) {
    it(`${command} --force on a directory it did not write`, async () => {
      await expectUntouched([ws.root], () => {
        const result = run(args(foreign));
        expectOneLineError(result, /^error \[(OUTPUT_NOT_OURS|OUTPUT_EXISTS)\]: .*thesis/);
      });
      expect(await readdir(foreign)).toEqual(['chapter1.tex']);
    });
  }

  it('prune --force replaces its own earlier output, and never the input', { timeout: 120_000 }, async () => {
    const out = join(ws.root, 'outs', 'pruned');
    await expectUntouched([ws.model, ws.data, foreign], () => {
      expect(run(['prune', '--model', ws.model, '--drop', '1:2', '--out', out, '--quiet']).code).toBe(0);
      const again = run(['prune', '--model', ws.model, '--drop', '2:3', '--out', out, '--quiet']);
      expectOneLineError(again, 'OUTPUT_EXISTS');
      const forced = run(['prune', '--model', ws.model, '--drop', '2:3', '--out', out, '--force', '--json', '--quiet']);
      expect(forced.code, forced.stderr).toBe(0);
      expect(JSON.parse(forced.stdout).removedBlocks).toEqual([[2, 3]]);
    });
    expect((await readdir(join(ws.root, 'outs'))).sort()).toEqual(['pruned']);
  });
});
