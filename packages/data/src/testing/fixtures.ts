// Paths of the shared read-only fixtures (../shared/fixtures next to the repo).
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';

const repoRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..', '..', '..');
export const FIXTURES = resolve(repoRoot, '..', 'shared', 'fixtures');
export const C4_SAMPLE = resolve(FIXTURES, 'data', 'c4_sample', 'c4_en_train_first1000.jsonl');
export const TINYSTORIES = resolve(FIXTURES, 'data', 'tinystories_valid', 'tinystories_val.txt');
