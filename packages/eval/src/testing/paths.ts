// Where tests find the shared fixtures: ../shared/fixtures next to the checkout
// (the same layout in CI). The product never reads them.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..', '..', '..');
export const FIXTURES = resolve(REPO_ROOT, '..', 'shared', 'fixtures');
export const MMLU_DIR = join(FIXTURES, 'data', 'mmlu');
export const ARC_DIR = join(FIXTURES, 'data', 'arc');
export const HELLASWAG_FILE = join(FIXTURES, 'data', 'hellaswag', 'hellaswag_val_first2000.txt');
export const TINYSTORIES_FILE = join(FIXTURES, 'data', 'tinystories_valid', 'tinystories_val.txt');

export function tempDir(prefix = 'layerprune-eval-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}
