// Where tests find their data, all inside the repository (the tests are hermetic;
// tools/check-hermetic.mjs enforces it): MMLU and TinyStories from the bundled
// assets, ARC and HellaSwag excerpts from test-fixtures/ (see its SOURCE.md).
// The product never reads them.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultHeldoutFile, defaultMmluDir } from '@layerprune/assets';

const PACKAGE_ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..');
const TEST_FIXTURES = join(PACKAGE_ROOT, 'test-fixtures');

/** MMLU, all 57 subjects, dev + test, header-row CSV (MIT), as bundled by @layerprune/assets. */
export const MMLU_DIR = defaultMmluDir();
/** ARC-Easy dev: all 570 questions (CC BY-SA 4.0). */
export const ARC_EASY_DEV = join(TEST_FIXTURES, 'ARC-Easy-dev.jsonl');
/** HellaSwag validation, the first 200 items in llama.cpp's six-line layout (MIT). */
export const HELLASWAG_FILE = join(TEST_FIXTURES, 'hellaswag_val_first200.txt');
/** Items in HELLASWAG_FILE: its 1,200 lines (`wc -l`) / 6 lines per item. */
export const HELLASWAG_ITEMS = 200;
/** TinyStories held-out paragraphs (CDLA-Sharing-1.0), as bundled by @layerprune/assets. */
export const TINYSTORIES_FILE = defaultHeldoutFile();

export function tempDir(prefix = 'layerprune-eval-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}
