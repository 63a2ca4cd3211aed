// Which models the onnx engine factory accepts: every family whose features
// @layerprune/architectures lists for onnx inference (Gemma 2, Gemma 3 text and
// Phi-3 among them), and, for a feature that list lacks, a reason naming the config
// field, so an engine list [onnx, tfjs] falls back to tfjs before any weight is read.
import type * as Architectures from '@layerprune/architectures';
import { createModelFromProvider, resolveArchitecture, tfjsEngineFactory } from '@layerprune/model';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { tfjsTrainerFactory } from '@layerprune/lora';
import { onnxEngineFactory } from './onnx-engine-factory.js';
import { onnxTrainerFactory } from './training/onnx-trainer-factory.js';
import { unsupportedReason } from './supported-architecture.js';
import { randomModel, randomProvider } from './testing/random-models.js';

// Only missingFeatures is replaced, and only where a test says so: the rest is the real package.
const missing = vi.hoisted(() => ({ features: null as string[] | null }));
vi.mock('@layerprune/architectures', async (importOriginal) => {
  const actual = await importOriginal<typeof Architectures>();
  return { ...actual, missingFeatures: (...args: Parameters<typeof actual.missingFeatures>) => missing.features ?? actual.missingFeatures(...args) };
});

afterEach(() => {
  missing.features = null;
});

const FAMILIES = ['llama', 'mistral', 'qwen2', 'qwen3', 'gemma2', 'gemma3_text', 'phi3'] as const;

describe('onnx engine factory: unsupportedReason', () => {
  it.each(FAMILIES)('%s runs on onnx', (modelType) => {
    const random = randomModel({ modelType, slidingWindow: 4 });
    expect(unsupportedReason(resolveArchitecture(random.config, random.rawConfig, 'random'))).toBeNull();
  });

  it('a feature onnx does not implement is refused with its config field, and [onnx, tfjs] falls back to tfjs', async () => {
    missing.features = ['attention-softcap'];
    const random = randomModel({ modelType: 'gemma2', attnLogitSoftcap: 2 });
    const reason = unsupportedReason(resolveArchitecture(random.config, random.rawConfig, 'random'));
    expect(reason).toBe('the onnx engine does not implement attention-softcap (attn_logit_softcapping)');
    const lines: string[] = [];
    const model = await createModelFromProvider(randomProvider(random), {
      rawConfig: random.rawConfig,
      mode: 'resident',
      log: (line) => lines.push(line),
      engine: [onnxEngineFactory({ threads: 1 }), tfjsEngineFactory('wasm')],
    });
    try {
      expect(model.engine.name).toBe('tfjs');
      expect(lines.join('\n')).toContain('attn_logit_softcapping');
    } finally {
      model.dispose();
    }
  });
});

describe('onnx trainer factory: unsupportedReason', () => {
  // phi3 included: its fused adapters (shared A) train on onnx too.
  it.each(['llama', 'mistral', 'qwen2', 'qwen3', 'gemma2', 'gemma3_text', 'phi3'] as const)('%s trains on onnx at a seq_len within its window', (modelType) => {
    const random = randomModel({ modelType, slidingWindow: 4 });
    expect(onnxTrainerFactory().unsupportedReason(random.config, 4, 4)).toBeNull();
  });

  it('a window shorter than seq_len trains on both trainers (each masks the window; gradients in onnx-lora-trainer.test.ts)', () => {
    const random = randomModel({ modelType: 'mistral', slidingWindow: 4 });
    expect(onnxTrainerFactory().unsupportedReason(random.config, 4, 512)).toBeNull();
    expect(tfjsTrainerFactory().unsupportedReason(random.config, 4, 512)).toBeNull();
  });
});
