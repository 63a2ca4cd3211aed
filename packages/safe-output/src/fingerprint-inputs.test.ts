import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, truncate, utimes, writeFile, open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FULL_HASH_LIMIT_BYTES, fingerprintInputs } from './fingerprint-inputs.js';
import { newManifest, writeOutputManifest } from './output-manifest.js';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'safe-output-fp-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('fingerprintInputs', () => {
  it('is the sha256 of relative names, sizes and content digests', async () => {
    await mkdir(join(root, 'm'));
    await writeFile(join(root, 'm', 'a.json'), '{"a":1}');
    await writeFile(join(root, 'd.txt'), 'text');
    const sha = (t: string): string => createHash('sha256').update(t).digest('hex');
    const expected = sha(`0/a.json:7:${sha('{"a":1}')}\n1:4:${sha('text')}\n`);
    expect(await fingerprintInputs([join(root, 'm'), join(root, 'd.txt')])).toBe(expected);
  });

  it('changes with content (same size), ignores our own marker', async () => {
    await mkdir(join(root, 'm'));
    await writeFile(join(root, 'm', 'w'), 'aaaa');
    const before = await fingerprintInputs([join(root, 'm')]);
    await writeOutputManifest(join(root, 'm'), newManifest('prune'));
    expect(await fingerprintInputs([join(root, 'm')])).toBe(before);
    await writeFile(join(root, 'm', 'w'), 'aaab');
    expect(await fingerprintInputs([join(root, 'm')])).not.toBe(before);
  });

  it('fingerprints a large file by size, mtime and its edges', async () => {
    const big = join(root, 'big.safetensors');
    await writeFile(big, '');
    await truncate(big, FULL_HASH_LIMIT_BYTES + 4096);
    await utimes(big, 1000, 1000);
    const first = await fingerprintInputs([big]);
    // A byte in the first MiB (the header) changes it, even with the same mtime.
    const handle = await open(big, 'r+');
    await handle.write(Buffer.from([1]), 0, 1, 10);
    await handle.close();
    await utimes(big, 1000, 1000);
    const header = await fingerprintInputs([big]);
    expect(header).not.toBe(first);
    // A rewrite that keeps the edges but changes mtime changes it too.
    await utimes(big, 2000, 2000);
    expect(await fingerprintInputs([big])).not.toBe(header);
  });
});
