import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { withAtomicFile, writeFileAtomic } from './with-atomic-file.js';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'safe-output-file-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('writeFileAtomic / withAtomicFile', () => {
  it('replaces the destination in one step and leaves no temporary file', async () => {
    const path = join(root, 'results.json');
    await writeFile(path, 'old');
    await writeFileAtomic(path, 'new');
    expect(await readFile(path, 'utf8')).toBe('new');
    expect(await readdir(root)).toEqual(['results.json']);
  });

  it('keeps the old contents and removes the temporary file when writing fails', async () => {
    const path = join(root, 'results.json');
    await writeFile(path, 'old');
    const error = await withAtomicFile(path, async (handle) => {
      await handle.writeFile('half');
      throw new Error('disk full');
    }).catch((e: Error) => e);
    expect((error as Error).message).toBe('disk full');
    expect(await readFile(path, 'utf8')).toBe('old');
    expect(await readdir(root)).toEqual(['results.json']);
  });
});
