// Breaks a model directory's config.json for validation tests: the fields given
// replace (or add to) the file's, the weights untouched, so the two disagree.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export async function editConfig(dir: string, changes: Record<string, unknown>): Promise<void> {
  const config = JSON.parse(await readFile(join(dir, 'config.json'), 'utf8')) as Record<string, unknown>;
  await writeFile(join(dir, 'config.json'), `${JSON.stringify({ ...config, ...changes }, null, 2)}\n`);
}
