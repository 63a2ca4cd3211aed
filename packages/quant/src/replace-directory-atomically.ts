// Builds a directory under a temporary name next to its destination and renames
// it into place only when complete, so a crash or an error never leaves a
// half-written model where a finished one is expected.
import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { QuantError } from './errors.js';

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/**
 * Calls `fill(tempDir)` and renames tempDir to `dir`. With `overwrite` an existing
 * `dir` is moved aside first and removed after the rename; otherwise an existing
 * `dir` is an OUTPUT_EXISTS error (checked before and after the work).
 */
export async function replaceDirectoryAtomically<T>(
  dir: string,
  overwrite: boolean,
  fill: (tempDir: string) => Promise<T>,
): Promise<T> {
  const existsError = (): QuantError =>
    new QuantError('OUTPUT_EXISTS', `output directory ${dir} already exists (choose another or allow overwriting)`, {
      file: dir,
      field: 'out',
    });
  if (!overwrite && (await exists(dir))) throw existsError();
  const suffix = `${process.pid}-${randomBytes(4).toString('hex')}`;
  const temp = join(dirname(dir), `.${basename(dir)}.tmp-${suffix}`);
  await mkdir(dirname(dir), { recursive: true });
  await mkdir(temp);
  try {
    const result = await fill(temp);
    if (await exists(dir)) {
      if (!overwrite) throw existsError();
      const aside = join(dirname(dir), `.${basename(dir)}.old-${suffix}`);
      await rename(dir, aside);
      await rename(temp, dir);
      await rm(aside, { recursive: true, force: true });
    } else {
      await rename(temp, dir);
    }
    return result;
  } catch (error) {
    await rm(temp, { recursive: true, force: true });
    throw error;
  }
}
