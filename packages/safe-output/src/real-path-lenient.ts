// Outputs usually do not exist yet, so `realpath` alone cannot place them: the
// deepest existing ancestor is resolved (symlinks, `..`) and the missing tail kept.
import { realpath } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';

/** realpath of `path`, or of its deepest existing ancestor with the missing tail appended. */
export async function realPathLenient(path: string): Promise<string> {
  const absolute = resolve(path);
  try {
    return await realpath(absolute);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'ENOTDIR') throw error;
    const parent = dirname(absolute);
    if (parent === absolute) return absolute;
    return join(await realPathLenient(parent), basename(absolute));
  }
}
