// heal() on the onnx trainer against the tfjs one on the bundled model with a
// block dropped: the same losses step by step (4-bit base, dropout, gradient
// accumulation), and a SIGKILLed onnx heal resumed with --resume ends with the
// adapter of an uninterrupted one.
import { existsSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultCalibrationFile, defaultHeldoutFile, defaultModelDir } from '@layerprune/assets';
import { heal, tfjsTrainerFactory } from '@layerprune/lora';
import { beforeAll, describe, expect, it } from 'vitest';
import { onnxTrainerFactory } from './onnx-trainer-factory.js';
import { dropBlockDir, expectKillAndResume } from '@layerprune/lora/testing';

const CHILD = fileURLToPath(new URL('../testing/onnx-heal-child.mjs', import.meta.url));
const BUILT = fileURLToPath(new URL('../../dist/index.js', import.meta.url));

let pruned: string;
beforeAll(async () => {
  pruned = await dropBlockDir(defaultModelDir(), 3, join(await mkdtemp(join(tmpdir(), 'onnx-heal-')), 'pruned'));
});

async function losses(logPath: string): Promise<number[]> {
  return (await readFile(logPath, 'utf8'))
    .trim()
    .split('\n')
    .map((line) => (JSON.parse(line) as { loss: number }).loss);
}

describe('heal on the onnx trainer (stories260K, one block dropped)', () => {
  it('gives the tfjs trainer\'s losses at every one of 40 steps (1e-3) and the same held-out losses', async () => {
    const common = {
      model: pruned,
      data: defaultCalibrationFile(),
      steps: 40,
      batchSize: 4,
      microBatchSize: 2,
      seqLen: 64,
      learningRate: 3e-3,
      warmupSteps: 4,
      dropout: 0.05,
      targets: 'all-linear',
      bits: 4 as const,
      saveEvery: 0,
      evalData: defaultHeldoutFile(),
      evalSequences: 8,
    };
    const root = await mkdtemp(join(tmpdir(), 'onnx-heal-cmp-'));
    const tfjs = await heal({ ...common, out: join(root, 'tfjs'), trainer: tfjsTrainerFactory('wasm') });
    const onnx = await heal({ ...common, out: join(root, 'onnx'), trainer: onnxTrainerFactory({ threads: 2 }) });
    expect(onnx.engine).toBe('onnx');
    expect(tfjs.engine).toBe('tfjs');
    const a = await losses(tfjs.logPath);
    const b = await losses(onnx.logPath);
    expect(b).toHaveLength(40);
    const worst = Math.max(...a.map((x, i) => Math.abs(x - b[i])));
    console.log(
      `40-step heal: tfjs ${tfjs.seconds.toFixed(1)} s, onnx ${onnx.seconds.toFixed(1)} s; largest step-loss difference ${worst.toExponential(2)}; ` +
        `held-out ${tfjs.evalLossBefore!.toFixed(4)} -> ${tfjs.evalLossAfter!.toFixed(4)} (tfjs), ${onnx.evalLossBefore!.toFixed(4)} -> ${onnx.evalLossAfter!.toFixed(4)} (onnx)`,
    );
    expect(worst).toBeLessThan(1e-3);
    expect(tfjs.evalLossAfter!).toBeLessThan(tfjs.evalLossBefore! - 0.1); // it trained
    expect(Math.abs(onnx.evalLossBefore! - tfjs.evalLossBefore!)).toBeLessThan(1e-4);
    expect(Math.abs(onnx.evalLossAfter! - tfjs.evalLossAfter!)).toBeLessThan(1e-3);
  });

  it.skipIf(!existsSync(BUILT))('a SIGKILLed onnx heal resumed with --resume ends with the same adapter as an uninterrupted run (1e-6)', async () => {
    await expectKillAndResume({ model: pruned, heal: (options) => heal({ ...options, trainer: onnxTrainerFactory({ threads: 2 }) }), child: CHILD, prefix: 'onnx' });
  });
});
