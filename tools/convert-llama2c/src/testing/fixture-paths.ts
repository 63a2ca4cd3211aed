import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** /work/main (the repository root), from tools/convert-llama2c/src/testing. */
export const REPO_ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..', '..', '..');

/** Read-only real fixtures shared by every package's tests (CI has the same layout). */
export const FIXTURES = resolve(REPO_ROOT, '..', 'shared', 'fixtures');

export const STORIES260K = {
  checkpoint: resolve(FIXTURES, 'models', 'stories260K', 'stories260K.bin'),
  tokenizerBin: resolve(FIXTURES, 'models', 'stories260K', 'tok512.bin'),
  tokenizerModel: resolve(FIXTURES, 'models', 'stories260K', 'tok512.model'),
};

export const BABYLLAMA = {
  checkpoint: resolve(FIXTURES, 'models', 'babyllama_tok105', 'model5000.bin'),
  tokenizerBin: resolve(FIXTURES, 'models', 'babyllama_tok105', 'tok105.bin'),
  tokenizerModel: resolve(FIXTURES, 'models', 'babyllama_tok105', 'tok105.model'),
};

export const TINYSTORIES_VALID = resolve(FIXTURES, 'data', 'tinystories_valid', 'tinystories_val.txt');

/** The committed default model (packages/assets), which must equal a fresh conversion. */
export const BUNDLED_STORIES260K = resolve(REPO_ROOT, 'packages', 'assets', 'models', 'stories260K');
export const BUNDLED_BABYLLAMA = resolve(REPO_ROOT, 'packages', 'assets', 'test-models', 'babyllama-tok105');
