import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { AssetsError } from './assets-error.js';

// src/*.ts and dist/*.js are both one level below the package root, so the
// same relative URL finds models/ and data/ from sources (tests) and builds.
const PACKAGE_ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Test models kept in the repository (not in the npm package). */
export const TEST_MODEL_NAMES = ['babyllama-tok105'] as const;
export type TestModelName = (typeof TEST_MODEL_NAMES)[number];

function bundled(relative: string, what: string): string {
  const path = fileURLToPath(new URL(`../${relative}`, import.meta.url));
  if (!existsSync(path)) {
    throw new AssetsError('ASSET_NOT_FOUND', `${what} is missing: ${path} does not exist (is @layerprune/assets installed completely?)`, path);
  }
  return path;
}

/** Absolute path of the package's root directory (holds models/ and data/). */
export function assetsRoot(): string {
  return PACKAGE_ROOT;
}

/** The default model: stories260K (MIT, Karpathy) as a Hugging Face Llama directory. */
export function defaultModelDir(): string {
  return bundled('models/stories260K', 'the default model (stories260K)');
}

/** TinyStories paragraphs for analysis and healing; documents separated by blank lines. */
export function defaultCalibrationFile(): string {
  return bundled('data/tinystories-calibration.txt', 'the TinyStories calibration text');
}

/** TinyStories paragraphs disjoint from the calibration file, for evaluation only. */
export function defaultHeldoutFile(): string {
  return bundled('data/tinystories-heldout.txt', 'the TinyStories held-out text');
}

/** MMLU CSVs: `<dir>/dev/<subject>_dev.csv` and `<dir>/test/<subject>_test.csv`. */
export function defaultMmluDir(): string {
  return bundled('data/mmlu', 'the MMLU data');
}

/**
 * A small converted model for tests of a second size and tokenizer. Present in
 * the repository only: the npm package leaves test-models/ out.
 */
export function testModelDir(name: TestModelName): string {
  if (!(TEST_MODEL_NAMES as readonly string[]).includes(name)) {
    throw new AssetsError('UNKNOWN_TEST_MODEL', `unknown test model "${name}"; available: ${TEST_MODEL_NAMES.join(', ')}`);
  }
  return bundled(`test-models/${name}`, `the test model ${name}`);
}
