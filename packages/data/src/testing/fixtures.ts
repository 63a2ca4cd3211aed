// Real data for the tests, all inside the repository (the tests are hermetic:
// nothing outside the checkout is read; tools/check-hermetic.mjs enforces it).
// - C4: a 100-document excerpt kept in test-fixtures/ (see its SOURCE.md);
// - TinyStories: the sample that @layerprune/assets bundles. This package may not
//   import @layerprune/assets (same layer), so it is found by its path in the repo.
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';

const packageRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..');
const repoRoot = resolve(packageRoot, '..', '..');

/** ODC-BY C4 (en, train) excerpt: the first 100 documents of the fixture sample, one JSON line each. */
export const C4_SAMPLE = resolve(packageRoot, 'test-fixtures', 'c4-en-train-first100.jsonl');
/** Number of documents (= lines) in C4_SAMPLE, as counted by `wc -l` when it was cut. */
export const C4_SAMPLE_DOCUMENTS = 100;
/** TinyStories paragraphs separated by one blank line (CDLA-Sharing-1.0), bundled by @layerprune/assets. */
export const TINYSTORIES = resolve(repoRoot, 'packages', 'assets', 'data', 'tinystories-calibration.txt');
