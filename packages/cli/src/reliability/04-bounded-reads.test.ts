// Issue 12, point 4: bounded reads. Data that is not a regular file (a FIFO, a
// device, a directory), a line over the size limit, a gzip bomb, invalid UTF-8
// and an empty file are each refused by analyze, eval and heal with one typed
// line naming the file (and the line, where there is one), a non-zero exit, and
// quickly: a FIFO must never block the open and /dev/urandom must never be read
// until memory runs out. The model and data digests are checked around every case.
import { execFileSync } from 'node:child_process';
import { lstat, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bin, expectOneLineError, expectUntouched, makeWorkspace, type Workspace } from './harness.js';

const MiB = 1024 * 1024;
let ws: Workspace;
/** Special files live outside the workspace: hashing a FIFO or a device would block or never end. */
let special: string;
let fifo: string;
let scratch: string;
const files: Record<string, string> = {};

beforeAll(async () => {
  ws = await makeWorkspace('layerprune-rel04-');
  special = await mkdtemp(join(tmpdir(), 'layerprune-rel04-special-'));
  fifo = join(special, 'calibration.fifo');
  execFileSync('mkfifo', [fifo]);
  scratch = join(ws.root, 'scratch');
  await mkdir(scratch);
  const put = async (name: string, content: string | Buffer): Promise<void> => {
    files[name] = join(ws.root, name);
    await writeFile(files[name], content);
  };
  await put('empty.txt', '');
  // Stories whose third line is 1.1 KiB long.
  await put('long-line.txt', `Once upon a time.\n\n${'word '.repeat(230)}\n\nThe end.\n`);
  await put('blank.jsonl', '\n\n  \n');
  // Latin-1 "é" on line 3 of a held-out text.
  await put('latin1.txt', Buffer.concat([Buffer.from('Once upon a time.\n\nThe caf'), Buffer.from([0xe9]), Buffer.from(' was open.\n')]));
  // One line of 65 MiB: over the default 64 MiB limit.
  await put('one-line.txt', Buffer.alloc(65 * MiB, 0x61));
  // 96 MiB of short stories separated by blank lines in ~1 MB of gzip: past the 64 MiB floor and 100x the compressed size.
  await put('bomb.txt.gz', gzipSync(Buffer.alloc(96 * MiB, `${'a'.repeat(1022)}\n\n`), { level: 9 }));
  await put('bomb.jsonl.gz', gzipSync(Buffer.alloc(96 * MiB, `{"context":"${'c'.repeat(1000)}","choices":["a","b"],"gold":0}\n`), { level: 9 }));
}, 120_000);
afterAll(async () => {
  await ws.dispose();
  await rm(special, { recursive: true, force: true });
});

const analyze = (data: string): string[] => ['analyze', '--model', ws.model, '--data', data, '--samples', '2', '--seq-len', '16', '--out', join(scratch, 'analysis')];
const heal = (data: string): string[] => ['heal', '--model', ws.model, '--data', data, '--steps', '1', '--seq-len', '16', '--batch', '1', '--out', join(scratch, 'healed')];
const evalLoss = (file: string): string[] => ['eval', '--model', ws.model, '--task', `loss:${file}`];

interface Case {
  name: string;
  args: () => string[];
  code: string;
  /** The file the message must name, and the "file:line" prefix when there is a line. */
  names: () => string;
  /** Inputs whose digest must not change (besides the model and the training data). */
  inputs?: () => string[];
}

const cases: Case[] = [
  { name: 'analyze --data <fifo>', args: () => analyze(fifo), code: 'NOT_A_REGULAR_FILE', names: () => `${fifo}: is a FIFO` },
  { name: 'analyze --data /dev/urandom', args: () => analyze('/dev/urandom'), code: 'NOT_A_REGULAR_FILE', names: () => '/dev/urandom: is a character device' },
  { name: 'analyze --data <directory>', args: () => analyze(ws.mmlu), code: 'NOT_A_REGULAR_FILE', names: () => `${ws.mmlu}: is a directory`, inputs: () => [ws.mmlu] },
  { name: 'analyze --data <empty.txt>', args: () => analyze(files['empty.txt']), code: 'EMPTY_INPUT', names: () => files['empty.txt'] },
  { name: 'analyze --data <blank.jsonl>', args: () => analyze(files['blank.jsonl']), code: 'EMPTY_INPUT', names: () => files['blank.jsonl'] },
  { name: 'analyze --data <invalid UTF-8>', args: () => analyze(files['latin1.txt']), code: 'INVALID_UTF8', names: () => `${files['latin1.txt']}:3: not valid UTF-8` },
  { name: 'analyze --data <one 65 MiB line>', args: () => analyze(files['one-line.txt']), code: 'DOCUMENT_TOO_LARGE', names: () => `${files['one-line.txt']}:1: line is longer than the limit of 64 MiB` },
  { name: 'analyze --data <gzip bomb>', args: () => analyze(files['bomb.txt.gz']), code: 'DECOMPRESSED_TOO_LARGE', names: () => `${files['bomb.txt.gz']}: gzip data expands to more than` },
  { name: 'eval --task loss:<invalid UTF-8>', args: () => evalLoss(files['latin1.txt']), code: 'INVALID_UTF8', names: () => `${files['latin1.txt']}:3: not valid UTF-8` },
  { name: 'eval --task loss:<empty.txt>', args: () => evalLoss(files['empty.txt']), code: 'EMPTY_TASK', names: () => files['empty.txt'] },
  { name: 'eval --task loss:<fifo>', args: () => evalLoss(fifo), code: 'NOT_A_REGULAR_FILE', names: () => `${fifo}: is a FIFO` },
  {
    name: 'eval --task mc:<gzip bomb>',
    args: () => ['eval', '--model', ws.model, '--task', `mc:${files['bomb.jsonl.gz']}`],
    code: 'DECOMPRESSED_TOO_LARGE',
    names: () => `${files['bomb.jsonl.gz']}: gzip data expands to more than`,
  },
  { name: 'heal --data <empty file>', args: () => heal(files['empty.txt']), code: 'EMPTY_INPUT', names: () => files['empty.txt'] },
  { name: 'heal --data /dev/urandom', args: () => heal('/dev/urandom'), code: 'NOT_A_REGULAR_FILE', names: () => '/dev/urandom' },
  { name: 'heal --data <fifo>', args: () => heal(fifo), code: 'NOT_A_REGULAR_FILE', names: () => fifo },
  { name: 'heal --data <invalid UTF-8>', args: () => heal(files['latin1.txt']), code: 'INVALID_UTF8', names: () => `${files['latin1.txt']}:3: not valid UTF-8` },
  {
    name: 'analyze --max-document-size 1KiB on a 1.1 KiB line',
    args: () => [...analyze(files['long-line.txt']), '--max-document-size', '1KiB'],
    code: 'DOCUMENT_TOO_LARGE',
    names: () => `${files['long-line.txt']}:3: line is longer than the limit`,
  },
  { name: 'eval --max-document-size 0', args: () => [...evalLoss(files['latin1.txt']), '--max-document-size', '0'], code: 'INVALID_OPTION', names: () => '--max-document-size' },
];

describe('the limits are the user\'s to change', () => {
  it('--encoding-errors replace reads invalid UTF-8 (eval and analyze succeed); the default limit is raised by --max-document-size', async () => {
    await expectUntouched([ws.model, files['latin1.txt']], () => {
      const evaluated = bin([...evalLoss(files['latin1.txt']), '--encoding-errors', 'replace', '--json', '--quiet']);
      expect(evaluated.code, evaluated.stderr).toBe(0);
      expect(Number.isFinite(JSON.parse(evaluated.stdout).results[0].loss.meanNll)).toBe(true);
      const analyzed = bin([...analyze(files['long-line.txt']), '--max-document-size', '2KiB', '--quiet']);
      expect(analyzed.code, analyzed.stderr).toBe(0);
    });
  });
});

describe('bounded reads through the bin', () => {
  for (const c of cases) {
    it(c.name, async () => {
      const args = c.args();
      const read = Object.values(files).filter((file) => args.some((arg) => arg.endsWith(file)));
      await expectUntouched([ws.model, ws.data, ...read, ...(c.inputs?.() ?? [])], () => {
        const started = Date.now();
        const result = bin(args, { timeoutMs: 30_000 });
        const line = expectOneLineError(result, c.code);
        expect(line).toContain(c.names());
        expect(Date.now() - started).toBeLessThan(30_000);
      });
      expect((await lstat(fifo)).isFIFO()).toBe(true);
    });
  }
});
