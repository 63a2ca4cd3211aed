import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openRegularFile } from './open-regular-file.js';

const tmp = mkdtempSync(join(tmpdir(), 'layerprune-open-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('openRegularFile', () => {
  it('opens a regular file and reports its size', async () => {
    const file = join(tmp, 'a.txt');
    writeFileSync(file, 'hello\n');
    const { handle, size } = await openRegularFile(file);
    try {
      expect(size).toBe(6);
      expect((await handle.readFile()).toString()).toBe('hello\n');
    } finally {
      await handle.close();
    }
  });

  it('names the file in FILE_NOT_FOUND and NOT_A_REGULAR_FILE, and never blocks on a FIFO without a writer', async () => {
    await expect(openRegularFile(join(tmp, 'missing.txt'))).rejects.toMatchObject({ code: 'FILE_NOT_FOUND', file: join(tmp, 'missing.txt') });
    await expect(openRegularFile(join(tmp, 'a.txt', 'below-a-file'))).rejects.toMatchObject({ code: 'FILE_NOT_FOUND' });
    const fifo = join(tmp, 'fifo');
    execFileSync('mkfifo', [fifo]);
    const started = Date.now();
    await expect(openRegularFile(fifo)).rejects.toMatchObject({ code: 'NOT_A_REGULAR_FILE', file: fifo, message: `${fifo}: is a FIFO (named pipe); data must be a regular file` });
    expect(Date.now() - started).toBeLessThan(5000);
    await expect(openRegularFile('/dev/null')).rejects.toMatchObject({ code: 'NOT_A_REGULAR_FILE', message: '/dev/null: is a character device; data must be a regular file' });
  });
});
