// Real llama2.c inputs for the tests, all inside the repository (the tests are
// hermetic; tools/check-hermetic.mjs enforces it). test-fixtures/SOURCE.md says
// where each file comes from, under which licence, and how it was cut.
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { rebuiltCheckpointPath } from './rebuild-llama2c-checkpoint.js';

/** The repository root, from tools/convert-llama2c/src/testing. */
export const REPO_ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..', '..', '..');
const TEST_FIXTURES = resolve(REPO_ROOT, 'tools', 'convert-llama2c', 'test-fixtures');

/** The committed default model (packages/assets), which must equal a fresh conversion. */
export const BUNDLED_STORIES260K = resolve(REPO_ROOT, 'packages', 'assets', 'models', 'stories260K');
export const BUNDLED_BABYLLAMA = resolve(REPO_ROOT, 'packages', 'assets', 'test-models', 'babyllama-tok105');

export const STORIES260K = {
  /**
   * stories260K.bin (1,056,540 bytes), rebuilt on first use from the bundled model and the
   * header + freq_cis excerpt, and checked against the original's sha256 (recorded in SOURCE.txt).
   */
  get checkpoint(): string {
    return rebuiltCheckpointPath({
      name: 'stories260K.bin',
      hfDir: BUNDLED_STORIES260K,
      headerAndFreqCis: resolve(TEST_FIXTURES, 'stories260K', 'stories260K.header-and-freq-cis.bin'),
      sha256: 'b0a507e7ad0f626624f17112325e66691f9076d622e1d3274d103d00299f2696',
    });
  },
  tokenizerBin: resolve(TEST_FIXTURES, 'stories260K', 'tok512.bin'),
  tokenizerModel: resolve(TEST_FIXTURES, 'stories260K', 'tok512.model'),
  tokenizerVocab: resolve(TEST_FIXTURES, 'stories260K', 'tok512.vocab'),
  /** The provenance note that travels with the checkpoint (the converter copies it into its output). */
  source: resolve(TEST_FIXTURES, 'stories260K', 'SOURCE.txt'),
};

export const BABYLLAMA = {
  /** model5000.bin (3,762,204 bytes), rebuilt and checked like STORIES260K.checkpoint (sha256 from the fixture manifest). */
  get checkpoint(): string {
    return rebuiltCheckpointPath({
      name: 'model5000.bin',
      hfDir: BUNDLED_BABYLLAMA,
      headerAndFreqCis: resolve(TEST_FIXTURES, 'babyllama_tok105', 'model5000.header-and-freq-cis.bin'),
      sha256: '98b63851593002f0ab706ff1db61fd9f5fd73d89df34970dd66eced9ee954464',
    });
  },
  tokenizerBin: resolve(TEST_FIXTURES, 'babyllama_tok105', 'tok105.bin'),
  tokenizerModel: resolve(TEST_FIXTURES, 'babyllama_tok105', 'tok105.model'),
};

/**
 * TinyStories validation paragraphs (CDLA-Sharing-1.0) as bundled by @layerprune/assets: the
 * 4,300 paragraphs of the original sample, in order, each trimmed, split over two files.
 */
export const TINYSTORIES_PARTS = [
  resolve(REPO_ROOT, 'packages', 'assets', 'data', 'tinystories-calibration.txt'),
  resolve(REPO_ROOT, 'packages', 'assets', 'data', 'tinystories-heldout.txt'),
];
