// Healing the bundled default model (stories260K) after dropping one block must
// lower the loss on held-out TinyStories text (documents never read in training).
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openModelDir } from '@layerprune/tensor-io';
import { describe, expect, it } from 'vitest';
import { FrozenBase } from './frozen-base.js';
import { heal } from './heal.js';
import { loadPackedData } from './load-packed-data.js';
import { evaluateLoss } from './evaluate-loss.js';
import { LoraRunner } from './lora-runner.js';
import { dropBlockDir } from './testing/drop-block-dir.js';
import { loadTestTokenizer } from './testing/test-tokenizer.js';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const MODEL = resolve(repoRoot, 'packages', 'assets', 'models', 'stories260K');
const TINYSTORIES = resolve(repoRoot, '..', 'shared', 'fixtures', 'data', 'tinystories_valid', 'tinystories_val.txt');
const EVAL_SKIP = 2500; // paragraphs; training reads a few hundred

describe('heal (stories260K, one block dropped)', () => {
  it('lowers held-out TinyStories loss towards the unpruned model', async () => {
    const root = await mkdtemp(join(tmpdir(), 'lora-heal-'));
    const pruned = await dropBlockDir(MODEL, 3, join(root, 'pruned'));
    const tokenizer = await loadTestTokenizer(MODEL);
    const seqLen = 64;
    const result = await heal({
      model: pruned,
      data: TINYSTORIES,
      out: join(root, 'healed'),
      steps: 24,
      batchSize: 4,
      microBatchSize: 4,
      seqLen,
      learningRate: 3e-3,
      warmupSteps: 3,
      rank: 8,
      alpha: 8,
      bits: 4,
      saveEvery: 0,
      evalData: TINYSTORIES,
      evalSequences: 16,
      evalSkipDocuments: EVAL_SKIP,
      backend: 'wasm',
      tokenizer,
    });
    expect(result.trainDocuments).toBeLessThan(EVAL_SKIP);

    const full = await openModelDir(MODEL);
    const evalSet = (await loadPackedData(TINYSTORIES, tokenizer, { seqLen, maxSequences: 16, skipDocuments: EVAL_SKIP })).data;
    const unpruned = evaluateLoss(new LoraRunner(await FrozenBase.load(full.config, full.weights, 32), null), evalSet, 4);
    await full.close();
    console.log(
      `held-out TinyStories loss (${evalSet.count} x ${seqLen} tokens): unpruned ${unpruned.toFixed(4)}, ` +
        `pruned ${result.evalLossBefore!.toFixed(4)}, healed ${result.evalLossAfter!.toFixed(4)} ` +
        `(${result.steps} steps, 4-bit base, ${result.seconds.toFixed(1)} s)`,
    );
    expect(result.evalLossBefore!).toBeGreaterThan(unpruned);
    expect(result.evalLossAfter!).toBeLessThan(result.evalLossBefore! - 0.02);

    const log = (await readFile(result.logPath, 'utf8')).trim().split('\n');
    expect(log).toHaveLength(24);
    expect(await readFile(result.lossCurvePath, 'utf8')).toMatch(/<svg[^>]*>/);
  });
});
