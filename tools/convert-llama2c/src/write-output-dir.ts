import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { isTensorIoError } from '@layerprune/tensor-io';
import { ConvertError } from './convert-error.js';

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/** Fails early (before any input is read) when `out` exists and may not be replaced. */
export async function assertOutputAvailable(out: string, force: boolean): Promise<void> {
  if ((await exists(out)) && !force) {
    throw new ConvertError('OUTPUT_EXISTS', `${out} already exists; choose another --out or pass --force to replace it`, { file: out });
  }
}

/**
 * Builds a directory atomically: `fill` writes into a fresh temporary sibling
 * of `out` (same file system, so the final rename is atomic), which replaces
 * `out` only when `fill` has finished. A failed conversion leaves nothing
 * behind; an existing `out` is kept unless `force` is set.
 */
export async function writeOutputDir<T>(out: string, force: boolean, fill: (tempDir: string) => Promise<T>): Promise<T> {
  await assertOutputAvailable(out, force);
  const parent = dirname(out);
  const tag = `${process.pid}-${randomBytes(4).toString('hex')}`;
  const temp = join(parent, `.${basename(out)}.converting-${tag}`);
  try {
    await mkdir(parent, { recursive: true });
    await mkdir(temp);
  } catch (cause) {
    throw new ConvertError('WRITE_FAILED', `cannot create ${temp}: ${(cause as Error).message}`, { file: temp, cause });
  }
  try {
    const result = await fill(temp);
    if (await exists(out)) {
      // --force: move the old directory aside first so `out` is never half-written.
      const old = join(parent, `.${basename(out)}.replaced-${tag}`);
      await rename(out, old);
      await rename(temp, out);
      await rm(old, { recursive: true, force: true });
    } else {
      await rename(temp, out);
    }
    return result;
  } catch (error) {
    await rm(temp, { recursive: true, force: true });
    // Typed errors (ours, tensor-io's) already name the file and the problem.
    if (error instanceof ConvertError || isTensorIoError(error)) throw error;
    throw new ConvertError('WRITE_FAILED', `writing ${out} failed: ${(error as Error).message}`, { file: out, cause: error });
  }
}
