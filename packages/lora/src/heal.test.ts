// Healing the bundled default model (stories260K) after dropping one block must
// lower the loss on held-out TinyStories text (documents never read in training).
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultCalibrationFile, defaultHeldoutFile, defaultModelDir } from '@layerprune/assets';
import { openModelDir } from '@layerprune/architectures';
import { describe, expect, it } from 'vitest';
import { FrozenBase } from './frozen-base.js';
import { heal } from './heal.js';
import { loadPackedData } from './load-packed-data.js';
import { evaluateLoss } from './evaluate-loss.js';
import { LoraRunner } from './lora-runner.js';
import { dropBlockDir } from './testing/drop-block-dir.js';
import { loadTokenizer } from '@layerprune/model';

// The bundled TinyStories calibration and held-out files are disjoint paragraphs.
const MODEL = defaultModelDir();
const TRAIN = defaultCalibrationFile();
const HELDOUT = defaultHeldoutFile();

describe('heal (stories260K, one block dropped)', () => {
  it('lowers held-out TinyStories loss towards the unpruned model', async () => {
    const root = await mkdtemp(join(tmpdir(), 'lora-heal-'));
    const pruned = await dropBlockDir(MODEL, 3, join(root, 'pruned'));
    const tokenizer = await loadTokenizer(MODEL);
    const seqLen = 64;
    const result = await heal({
      model: pruned,
      data: TRAIN,
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
      evalData: HELDOUT,
      evalSequences: 16,
      backend: 'wasm',
    });

    const full = await openModelDir(MODEL);
    const evalSet = (await loadPackedData(HELDOUT, tokenizer, { seqLen, maxSequences: 16 })).data;
    const unpruned = await evaluateLoss(new LoraRunner(await FrozenBase.load(full.config, full.weights, 32), null), evalSet, 4);
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
    expect(result.tokens).toBe(24 * 4 * seqLen);
    expect(await readFile(result.lossCurvePath, 'utf8')).toMatch(/<svg[^>]*>/);
  });
});
