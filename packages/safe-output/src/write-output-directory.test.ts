import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanStaleTemps } from './clean-stale-temps.js';
import { onInterrupt, removeOnInterrupt } from './interrupt-cleanup.js';
import { OUTPUT_MANIFEST_NAME, newManifest, readOutputManifest, writeOutputManifest } from './output-manifest.js';
import { tempSiblingName } from './temp-names.js';
import { deadPid } from './testing/dead-pid.js';
import { writeOutputDirectory } from './write-output-directory.js';
import { openOutputInPlace } from './open-output-in-place.js';

let root: string;
let input: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'safe-output-write-'));
  input = join(root, 'input');
  await mkdir(input);
  await writeFile(join(input, 'weights'), 'precious');
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const fillWith = (text: string) => async (dir: string) => {
  await writeFile(join(dir, 'result.txt'), text);
  return text.length;
};

describe('writeOutputDirectory', () => {
  it('creates the output complete, marked, with no leftovers', async () => {
    const out = join(root, 'out');
    const written = await writeOutputDirectory(out, { inputs: [input], command: 'prune' }, fillWith('one'));
    expect(written.result).toBe(3);
    expect(written.replaced).toBe(false);
    expect(await readFile(join(out, 'result.txt'), 'utf8')).toBe('one');
    expect((await readOutputManifest(out))?.command).toBe('prune');
    expect((await readdir(root)).sort()).toEqual(['input', 'out']);
  });

  it('leaves nothing when the work fails, and never the input touched', async () => {
    const out = join(root, 'out');
    const error = await writeOutputDirectory(out, { inputs: [input], command: 'prune' }, async (dir) => {
      await writeFile(join(dir, 'half'), 'x');
      throw new Error('disk on fire');
    }).catch((e: Error) => e);
    expect((error as Error).message).toBe('disk on fire');
    expect((await readdir(root)).sort()).toEqual(['input']);
    expect(await readFile(join(input, 'weights'), 'utf8')).toBe('precious');
  });

  it('replaces its own output with force, refuses anything else', async () => {
    const out = join(root, 'out');
    await writeOutputDirectory(out, { inputs: [input], command: 'prune' }, fillWith('one'));
    const again = await writeOutputDirectory(out, { inputs: [input], command: 'prune' }, fillWith('two')).catch((e) => e);
    expect(again.code).toBe('OUTPUT_EXISTS');
    const replaced = await writeOutputDirectory(out, { inputs: [input], command: 'prune', force: true }, fillWith('two'));
    expect(replaced.replaced).toBe(true);
    expect(await readFile(join(out, 'result.txt'), 'utf8')).toBe('two');

    const foreign = join(root, 'foreign');
    await mkdir(foreign);
    await writeFile(join(foreign, 'notes'), 'mine');
    const refused = await writeOutputDirectory(foreign, { inputs: [input], command: 'prune', force: true }, fillWith('x')).catch((e) => e);
    expect(refused.code).toBe('OUTPUT_NOT_OURS');
    expect(await readFile(join(foreign, 'notes'), 'utf8')).toBe('mine');
    expect(await readdir(foreign)).toEqual(['notes']);
  });

  it('never clobbers a directory that someone filled while it worked', async () => {
    const out = join(root, 'out');
    const error = await writeOutputDirectory(out, { inputs: [input], command: 'prune' }, async (dir) => {
      await mkdir(out);
      await writeFile(join(out, 'theirs'), 'x');
      await writeFile(join(dir, 'ours'), 'y');
    }).catch((e) => e);
    expect(error.code).toBe('OUTPUT_EXISTS');
    expect(await readdir(out)).toEqual(['theirs']);
    expect((await readdir(root)).sort()).toEqual(['input', 'out']);
  });

  it('refuses an output that is or holds the input', async () => {
    expect((await writeOutputDirectory(input, { inputs: [input], command: 'prune', force: true }, fillWith('x')).catch((e) => e)).code).toBe(
      'OUTPUT_IS_INPUT',
    );
    expect((await writeOutputDirectory(root, { inputs: [input], command: 'prune', force: true }, fillWith('x')).catch((e) => e)).code).toBe(
      'INPUT_INSIDE_OUTPUT',
    );
    expect(await readFile(join(input, 'weights'), 'utf8')).toBe('precious');
  });
});

describe('cleanStaleTemps', () => {
  it('removes dead writers\u2019 temporaries, keeps live ones, and restores a half-swapped output', async () => {
    const dead = deadPid();
    const deadTmp = tempSiblingName('out', 'tmp', dead);
    const liveTmp = tempSiblingName('out', 'tmp', process.ppid);
    const deadOld = tempSiblingName('gone', 'old', dead);
    for (const name of [deadTmp, liveTmp, deadOld]) {
      await mkdir(join(root, name));
      await writeFile(join(root, name, 'f'), name);
    }
    const removed = await cleanStaleTemps(root);
    expect(removed).toEqual([join(root, deadTmp)]);
    expect((await readdir(root)).sort()).toEqual([liveTmp, 'gone', 'input'].sort());
    expect(await readFile(join(root, 'gone', 'f'), 'utf8')).toBe(deadOld);
  });
});

describe('interrupt cleanup', () => {
  it('removes registered paths when SIGINT arrives, and not after they are released', async () => {
    const temp = join(root, 'temp');
    const kept = join(root, 'kept');
    await mkdir(temp);
    await mkdir(kept);
    const before = process.listenerCount('SIGINT');
    removeOnInterrupt(temp);
    removeOnInterrupt(kept)();
    // A listener of the test's own, so the handler does not re-raise SIGINT at vitest.
    const hold = (): void => {};
    process.on('SIGINT', hold);
    try {
      process.emit('SIGINT', 'SIGINT');
    } finally {
      process.removeListener('SIGINT', hold);
    }
    expect((await readdir(root)).sort()).toEqual(['input', 'kept']);
    // Nothing registered any more: the handlers are gone too.
    expect(process.listenerCount('SIGINT')).toBe(before);
    const release = onInterrupt(() => {});
    expect(process.listenerCount('SIGINT')).toBe(before + 1);
    release();
    expect(process.listenerCount('SIGINT')).toBe(before);
  });
});

describe('openOutputInPlace', () => {
  it('marks a new output, resumes only its own kind, and releases the lock', async () => {
    const out = join(root, 'run');
    const first = await openOutputInPlace(out, { inputs: [input], command: 'run' });
    expect(first.previous).toBeNull();
    expect(await readdir(out)).toEqual([OUTPUT_MANIFEST_NAME]);
    const locked = await openOutputInPlace(out, { inputs: [input], command: 'run', resume: true }).catch((e) => e);
    expect(locked.code).toBe('OUTPUT_LOCKED');
    await first.lock.release();
    await writeFile(join(out, 'stage.json'), '{}');
    const resumed = await openOutputInPlace(out, { inputs: [input], command: 'run', resume: true });
    expect(resumed.previous?.command).toBe('run');
    await resumed.lock.release();
    expect((await openOutputInPlace(out, { inputs: [input], command: 'heal', resume: true }).catch((e) => e)).code).toBe('OUTPUT_NOT_OURS');
    expect((await openOutputInPlace(out, { inputs: [input], command: 'run' }).catch((e) => e)).code).toBe('OUTPUT_EXISTS');

    const foreign = join(root, 'foreign');
    await mkdir(foreign);
    await writeFile(join(foreign, 'notes'), 'mine');
    expect((await openOutputInPlace(foreign, { inputs: [input], command: 'run', resume: true }).catch((e) => e)).code).toBe('OUTPUT_NOT_OURS');
    expect((await openOutputInPlace(foreign, { inputs: [input], command: 'run', force: true }).catch((e) => e)).code).toBe('OUTPUT_NOT_OURS');
    expect(await readdir(foreign)).toEqual(['notes']);

    const forced = await openOutputInPlace(out, { inputs: [input], command: 'run', force: true });
    expect(await readdir(out)).toEqual([OUTPUT_MANIFEST_NAME]);
    await forced.discard();
    await forced.lock.release();
    expect((await readdir(root)).sort()).toEqual(['foreign', 'input']);

    // A directory the user made empty stays, emptied; a continued output is never discarded.
    await mkdir(join(root, 'empty'));
    const fresh = await openOutputInPlace(join(root, 'empty'), { inputs: [input], command: 'heal' });
    await writeFile(join(root, 'empty', 'train_log.jsonl'), '{}');
    await fresh.discard();
    await fresh.lock.release();
    expect(await readdir(join(root, 'empty'))).toEqual([]);
    await writeOutputManifest(join(root, 'empty'), newManifest('heal'));
    const continued = await openOutputInPlace(join(root, 'empty'), { inputs: [input], command: 'heal', resume: true });
    await continued.discard();
    await continued.lock.release();
    expect(await readdir(join(root, 'empty'))).toEqual([OUTPUT_MANIFEST_NAME]);
  });
});
