import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkOutputTarget, requireReplaceable } from './check-output-target.js';
import { newManifest, writeOutputManifest } from './output-manifest.js';

let root: string;
let model: string;
let data: string;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'safe-output-target-'));
  model = join(root, 'model');
  await mkdir(model);
  await writeFile(join(model, 'config.json'), '{}');
  data = join(root, 'data.txt');
  await writeFile(data, 'text');
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const codeOf = (p: Promise<unknown>): Promise<string> => p.then(() => 'resolved', (e: { code: string }) => e.code);

describe('checkOutputTarget', () => {
  it('refuses the input itself, by name, through `..` and through a symlink', async () => {
    const inputs = [model, data];
    expect(await codeOf(checkOutputTarget(model, { inputs }))).toBe('OUTPUT_IS_INPUT');
    expect(await codeOf(checkOutputTarget(join(model, '..', 'model'), { inputs }))).toBe('OUTPUT_IS_INPUT');
    await symlink(model, join(root, 'link'));
    expect(await codeOf(checkOutputTarget(join(root, 'link'), { inputs }))).toBe('OUTPUT_IS_INPUT');
    expect(await codeOf(checkOutputTarget(data, { inputs }))).toBe('OUTPUT_IS_INPUT');
  });

  it('refuses a place inside an input and a directory that contains an input', async () => {
    expect(await codeOf(checkOutputTarget(join(model, 'sub', 'out'), { inputs: [model] }))).toBe('OUTPUT_INSIDE_INPUT');
    await symlink(model, join(root, 'link'));
    expect(await codeOf(checkOutputTarget(join(root, 'link', 'out'), { inputs: [model] }))).toBe('OUTPUT_INSIDE_INPUT');
    expect(await codeOf(checkOutputTarget(root, { inputs: [model] }))).toBe('INPUT_INSIDE_OUTPUT');
    expect(await codeOf(checkOutputTarget(root, { inputs: [data] }))).toBe('INPUT_INSIDE_OUTPUT');
  });

  it('refuses /, the home directory, the working directory and their ancestors', async () => {
    expect(await codeOf(checkOutputTarget('/', { inputs: [] }))).toBe('OUTPUT_PROTECTED');
    expect(await codeOf(checkOutputTarget(homedir(), { inputs: [] }))).toBe('OUTPUT_PROTECTED');
    expect(await codeOf(checkOutputTarget(process.cwd(), { inputs: [] }))).toBe('OUTPUT_PROTECTED');
    expect(await codeOf(checkOutputTarget(join(process.cwd(), '..'), { inputs: [] }))).toBe('OUTPUT_PROTECTED');
    expect(await codeOf(checkOutputTarget('.', { inputs: [] }))).toBe('OUTPUT_PROTECTED');
  });

  it('reports the state of a free target and refuses a file', async () => {
    const absent = await checkOutputTarget(join(root, 'new', 'out'), { inputs: [model] });
    expect(absent.state).toBe('absent');
    expect(absent.name).toBe('out');
    await mkdir(join(root, 'empty'));
    expect((await checkOutputTarget(join(root, 'empty'), { inputs: [model] })).state).toBe('empty');
    expect(await codeOf(checkOutputTarget(join(root, 'data.txt', 'x'), { inputs: [model] }))).toBe('resolved');
    await writeFile(join(root, 'file'), 'x');
    expect(await codeOf(checkOutputTarget(join(root, 'file'), { inputs: [model] }))).toBe('OUTPUT_NOT_DIRECTORY');
  });

  it('replaces a non-empty directory only with force and only when layerprune wrote it', async () => {
    const foreign = join(root, 'foreign');
    await mkdir(foreign);
    await writeFile(join(foreign, 'thesis.tex'), 'years of work');
    const target = await checkOutputTarget(foreign, { inputs: [model] });
    expect(target.state).toBe('nonempty');
    expect(target.manifest).toBeNull();
    expect(() => requireReplaceable(target, false)).toThrow(expect.objectContaining({ code: 'OUTPUT_EXISTS' }));
    expect(() => requireReplaceable(target, true)).toThrow(expect.objectContaining({ code: 'OUTPUT_NOT_OURS' }));

    const ours = join(root, 'ours');
    await mkdir(ours);
    await writeOutputManifest(ours, newManifest('prune'));
    const oursTarget = await checkOutputTarget(ours, { inputs: [model] });
    expect(oursTarget.manifest?.command).toBe('prune');
    expect(() => requireReplaceable(oursTarget, false)).toThrow(expect.objectContaining({ code: 'OUTPUT_EXISTS' }));
    expect(() => requireReplaceable(oursTarget, true)).not.toThrow();
  });
});
