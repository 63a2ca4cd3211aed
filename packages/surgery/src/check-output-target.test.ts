import { mkdir, readdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkOutputTarget, tempDirName } from './check-output-target.js';
import { cleanStaleTempDirs } from './clean-stale-temp-dirs.js';
import { commitOutputDir } from './commit-output-dir.js';
import { makeTempDir } from './testing/temp-dir.js';

let root: string;
let cleanup: () => Promise<void>;
let input: string;

beforeEach(async () => {
  ({ path: root, cleanup } = await makeTempDir());
  input = join(root, 'model');
  await mkdir(input);
  await writeFile(join(input, 'config.json'), '{}');
});
afterEach(() => cleanup());

async function codeOf(promise: Promise<unknown>): Promise<string> {
  return promise.then(
    () => 'none',
    (error: { code?: string }) => error.code ?? 'uncoded',
  );
}

describe('checkOutputTarget', () => {
  it('accepts a new or empty directory and names a temporary sibling', async () => {
    const fresh = await checkOutputTarget(input, join(root, 'out'));
    expect(fresh).toMatchObject({ state: 'absent', name: 'out', tempDir: join(root, `.out.layerprune-tmp-${process.pid}`) });
    await mkdir(join(root, 'empty'));
    expect((await checkOutputTarget(input, join(root, 'empty'))).state).toBe('empty');
    expect(await readdir(root)).toEqual(['empty', 'model']);
  });

  it('refuses the input itself, also through a symlink or .., and anything inside it', async () => {
    await symlink(input, join(root, 'alias'));
    expect(await codeOf(checkOutputTarget(input, input))).toBe('OUTPUT_IS_INPUT');
    expect(await codeOf(checkOutputTarget(input, join(root, 'alias')))).toBe('OUTPUT_IS_INPUT');
    expect(await codeOf(checkOutputTarget(input, join(input, '..', 'model', '.')))).toBe('OUTPUT_IS_INPUT');
    expect(await codeOf(checkOutputTarget(input, join(root, 'alias', 'pruned')))).toBe('OUTPUT_INSIDE_INPUT');
    expect(await codeOf(checkOutputTarget(input, root, { force: true }))).toBe('INPUT_INSIDE_OUTPUT');
  });

  it('refuses a non-empty directory unless forced, and a file always', async () => {
    await mkdir(join(root, 'full'));
    await writeFile(join(root, 'full', 'x'), 'x');
    await writeFile(join(root, 'file'), 'x');
    expect(await codeOf(checkOutputTarget(input, join(root, 'full')))).toBe('OUTPUT_EXISTS');
    expect((await checkOutputTarget(input, join(root, 'full'), { force: true })).state).toBe('replace');
    expect(await codeOf(checkOutputTarget(input, join(root, 'file'), { force: true }))).toBe('OUTPUT_NOT_DIRECTORY');
  });
});

describe('commitOutputDir and cleanStaleTempDirs', () => {
  it('replaces a non-empty output under force and leaves no sibling behind', async () => {
    await mkdir(join(root, 'out'));
    await writeFile(join(root, 'out', 'old.txt'), 'old');
    const target = await checkOutputTarget(input, join(root, 'out'), { force: true });
    await mkdir(target.tempDir);
    await writeFile(join(target.tempDir, 'new.txt'), 'new');
    await commitOutputDir(target);
    expect(await readdir(join(root, 'out'))).toEqual(['new.txt']);
    expect((await readdir(root)).sort()).toEqual(['model', 'out']);
  });

  it('removes temporary dirs of dead processes only', async () => {
    // A pid that surely is dead: a child that has already exited.
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    const deadPid = Number(dead.stdout);
    const live = process.ppid; // the test runner's parent is alive
    for (const name of [tempDirName('out', deadPid), tempDirName('out', live), tempDirName('other', deadPid), `.out.layerprune-old-${deadPid}`]) {
      await mkdir(join(root, name));
    }
    const removed = await cleanStaleTempDirs(root, 'out');
    expect(removed.sort()).toEqual([join(root, tempDirName('out', deadPid)), join(root, `.out.layerprune-old-${deadPid}`)].sort());
    expect((await readdir(root)).sort()).toEqual([tempDirName('other', deadPid), tempDirName('out', live), 'model'].sort());
  });
});
