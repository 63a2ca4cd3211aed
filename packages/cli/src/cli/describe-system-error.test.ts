import { mkdir, mkdtemp, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeSystemError } from './describe-system-error.js';
import { formatErrorLine } from './errors.js';

let root = '';
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'layerprune-syserr-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** The error a real file-system call throws (not a hand-made object). */
async function caught(action: () => Promise<unknown>): Promise<unknown> {
  try {
    await action();
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail');
}

describe('describeSystemError', () => {
  it('names the path of a missing file', async () => {
    const missing = join(root, 'missing.json');
    const error = await caught(() => readdir(missing));
    expect(describeSystemError(error)).toEqual({ code: 'FILE_NOT_FOUND', message: `cannot list ${missing}: no such file or directory` });
  });

  it('blames the destination of a rename onto a non-empty directory', async () => {
    const from = join(root, 'from');
    const to = join(root, 'to');
    await mkdir(from);
    await mkdir(to);
    await writeFile(join(to, 'keep.txt'), 'x');
    const error = await caught(() => rename(from, to));
    const described = describeSystemError(error);
    expect(described?.code).toMatch(/^OUTPUT_(NOT_EMPTY|EXISTS)$/);
    expect(described?.message).toContain(to);
    expect(described?.message).not.toMatch(/ENOTEMPTY|EEXIST|rename '/);
  });

  it('says a file is in the way of a directory', async () => {
    const file = join(root, 'plain.txt');
    await writeFile(file, 'x');
    const error = await caught(() => mkdir(join(file, 'sub'), { recursive: true }));
    const described = describeSystemError(error);
    expect(described?.code).toMatch(/^NOT_A_DIRECTORY$/);
    expect(described?.message).toContain(file);
  });

  it('maps the other common codes', () => {
    const fake = (code: string, syscall: string) => Object.assign(new Error(`${code}: x, ${syscall} '/p'`), { code, syscall, path: '/p', errno: -1 });
    expect(describeSystemError(fake('ENOSPC', 'write'))).toEqual({ code: 'DISK_FULL', message: 'cannot write /p: no space left on the device' });
    expect(describeSystemError(fake('EACCES', 'open'))).toEqual({ code: 'PERMISSION_DENIED', message: 'cannot open /p: permission denied' });
    expect(describeSystemError(fake('EISDIR', 'read'))).toEqual({ code: 'IS_A_DIRECTORY', message: 'cannot read /p: it is a directory, a file was expected' });
    expect(describeSystemError(fake('ENOTDIR', 'scandir'))?.code).toBe('NOT_A_DIRECTORY');
  });

  it('leaves typed library errors and unknown codes alone', () => {
    expect(describeSystemError(Object.assign(new Error('m'), { code: 'CONFIG_INVALID' }))).toBeNull();
    expect(describeSystemError(Object.assign(new Error('m'), { code: 'ECONNRESET', syscall: 'read' }))).toBeNull();
    expect(describeSystemError('text')).toBeNull();
  });
});

describe('formatErrorLine', () => {
  it('prints a raw Node error as a typed line with its path, not the syscall text', async () => {
    const missing = join(root, 'nothing-here');
    const line = formatErrorLine(await caught(() => readdir(missing)));
    expect(line).toBe(`error [FILE_NOT_FOUND]: cannot list ${missing}: no such file or directory`);
  });

  it('escapes control characters in the message and keeps it on one line', () => {
    const error = Object.assign(new Error('bad tensor "w\u001b[2J"\nat\u202e line'), { code: 'SHAPE_MISMATCH' });
    expect(formatErrorLine(error)).toBe(String.raw`error [SHAPE_MISMATCH]: bad tensor "w\x1b[2J" at\u202e line`);
    expect(formatErrorLine(new Error('boom\u009b'))).toBe(String.raw`internal error: boom\x9b (run with --debug for the stack trace)`);
  });

  it('escapes the path inside a raw Node error', async () => {
    const missing = join(root, 'evil\u001b[2J\u202e');
    const line = formatErrorLine(await caught(() => readdir(missing)));
    expect(line).toBe(`error [FILE_NOT_FOUND]: cannot list ${root}/evil` + String.raw`\x1b[2J\u202e: no such file or directory`);
  });
});
