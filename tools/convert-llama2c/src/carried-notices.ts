import { readdir } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { ConvertError } from './convert-error.js';

/** Names of licence and provenance files that travel with a model (LICENSE, NOTICE.txt, COPYING, SOURCE.md...). */
const NOTICE_NAME = /^(licen[cs]e|notice|copying|source)(\.(txt|md))?$/i;

/**
 * The licence/notice files to copy into the converted directory: those found
 * next to the checkpoint and the tokenizer, plus any named explicitly. A model's
 * licence must travel with its weights; the converter cannot know it otherwise.
 */
export async function carriedNotices(checkpoint: string, tokenizer: string, explicit: readonly string[]): Promise<string[]> {
  const found = new Set<string>();
  for (const dir of new Set([dirname(resolve(checkpoint)), dirname(resolve(tokenizer))])) {
    let entries: string[];
    try {
      entries = await readdir(dir);
    } catch {
      continue;
    }
    for (const entry of entries.sort()) if (NOTICE_NAME.test(entry)) found.add(join(dir, entry));
  }
  for (const file of explicit) found.add(resolve(file));
  const byName = new Map<string, string>();
  for (const file of found) {
    const name = basename(file);
    const previous = byName.get(name);
    if (previous !== undefined) {
      throw new ConvertError('INVALID_ARGUMENT', `two notice files are both named ${name}: ${previous} and ${file}; rename one`, { file });
    }
    byName.set(name, file);
  }
  return [...byName.values()];
}
