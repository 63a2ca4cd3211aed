// Random tiny Gemma 2, Gemma 3 (text) and Phi-3 models (the bundled model's
// tokenizer; tensors from @layerprune/architectures' expectedModelTensors, so the
// checkpoint holds exactly what the family's spec names) through the commands a
// user runs: analyze and eval loss on both engines (the same numbers), prune
// (Gemma's sliding/full pattern kept per block through an explicit layer_types),
// quantize nf4, and heal under `auto` (onnx for every family, at a seq_len longer than
// its window: Phi-3's fused adapters included) with the merged model evaluated.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultCalibrationFile, defaultHeldoutFile } from '@layerprune/assets';
import { openModelDir, parseArchitectureConfig } from '@layerprune/architectures';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeRandomModelDir } from '../testing/random-model-dir.js';
import { runCli } from '../testing/run-cli.js';
import type { AnalyzeResult } from './analyze.js';
import type { EvalCommandResult } from './eval.js';
import type { HealCommandResult } from './heal.js';
import type { PruneCommandResult } from './prune.js';

const LAYERS = 5;
const VOCAB = 512; // the bundled stories260K tokenizer's

const BASE = {
  hidden_size: 32,
  intermediate_size: 64,
  num_hidden_layers: LAYERS,
  num_attention_heads: 4,
  num_key_value_heads: 2,
  head_dim: 16,
  max_position_embeddings: 128,
  vocab_size: VOCAB,
  bos_token_id: 1,
  eos_token_id: 2,
  torch_dtype: 'float32',
};

/** Shaped like each family's published config.json, scaled down; windows and softcaps small enough to act on 32 tokens. */
const CONFIGS: Record<string, Record<string, unknown>> = {
  gemma2: {
    ...BASE,
    architectures: ['Gemma2ForCausalLM'],
    model_type: 'gemma2',
    hidden_activation: 'gelu_pytorch_tanh',
    query_pre_attn_scalar: 16,
    sliding_window: 8,
    attn_logit_softcapping: 5.0,
    final_logit_softcapping: 8.0,
    tie_word_embeddings: true,
  },
  gemma3_text: {
    ...BASE,
    architectures: ['Gemma3ForCausalLM'],
    model_type: 'gemma3_text',
    hidden_activation: 'gelu_pytorch_tanh',
    query_pre_attn_scalar: 16,
    sliding_window: 8,
    sliding_window_pattern: 3,
    rope_theta: 1000000,
    rope_local_base_freq: 10000,
    rope_scaling: { rope_type: 'linear', factor: 2.0 },
    tie_word_embeddings: true,
  },
  phi3: {
    ...BASE,
    architectures: ['Phi3ForCausalLM'],
    model_type: 'phi3',
    hidden_act: 'silu',
    rms_norm_eps: 1e-5,
    sliding_window: 24,
    original_max_position_embeddings: 128,
    tie_word_embeddings: false,
  },
};

let root: string;
let train: string;
let heldout: string;


async function json<T>(args: string[]): Promise<T> {
  const run = await runCli([...args, '--json', '--quiet']);
  expect(run.code, run.stderr).toBe(0);
  return JSON.parse(run.stdout) as T;
}

async function lossOf(dir: string, engine: 'onnx' | 'tfjs'): Promise<number> {
  const result = await json<EvalCommandResult>(['eval', '--model', dir, '--task', `loss:${heldout}`, '--engine', engine]);
  expect(result.engine).toBe(engine);
  const loss = result.results[0];
  if (loss.task !== 'loss') throw new Error('expected a loss result');
  return loss.loss.meanNll;
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'layerprune-cli-families-'));
  train = join(root, 'train.txt');
  await writeFile(train, (await readFile(defaultCalibrationFile(), 'utf8')).slice(0, 20000));
  heldout = join(root, 'heldout.txt');
  await writeFile(heldout, (await readFile(defaultHeldoutFile(), 'utf8')).slice(0, 2000));
});
afterAll(() => rm(root, { recursive: true, force: true }));

describe.each(Object.keys(CONFIGS))('a random %s model through the CLI', (family) => {
  it('analyze, prune, quantize, eval on both engines, heal under auto', async () => {
    const model = join(root, family);
    await writeRandomModelDir(model, CONFIGS[family], 7 + family.length);

    const args = ['analyze', '--model', model, '--data', train, '--samples', '8', '--seq-len', '32'];
    const onnx = await json<AnalyzeResult>([...args, '--out', join(root, `${family}-analysis-onnx`), '--engine', 'onnx']);
    const tfjs = await json<AnalyzeResult>([...args, '--out', join(root, `${family}-analysis-tfjs`), '--engine', 'tfjs']);
    expect(onnx.recommendations).toHaveLength(LAYERS - 1);
    onnx.recommendations.forEach((r, i) => {
      expect(r.distance).toBeGreaterThan(0);
      expect(Math.abs(r.distance - tfjs.recommendations[i].distance)).toBeLessThan(1e-4);
    });

    const pruned = join(root, `${family}-pruned`);
    const prune = await json<PruneCommandResult>(['prune', '--model', model, '--out', pruned, '--drop', '1:2']);
    expect(prune.numLayers).toEqual({ before: LAYERS, after: LAYERS - 1 });
    const before = parseArchitectureConfig(CONFIGS[family], 'c').layerTypes;
    const prunedRaw = JSON.parse(await readFile(join(pruned, 'config.json'), 'utf8')) as Record<string, unknown>;
    // Every kept block keeps the attention kind it had (blocks 0, 2, 3, 4).
    expect(parseArchitectureConfig(prunedRaw, 'pruned').layerTypes).toEqual([0, 2, 3, 4].map((i) => before[i]));

    const lossOnnx = await lossOf(pruned, 'onnx');
    const lossTfjs = await lossOf(pruned, 'tfjs');
    expect(Number.isFinite(lossOnnx)).toBe(true);
    expect(Math.abs(lossOnnx - lossTfjs)).toBeLessThan(1e-4);

    const quantized = join(root, `${family}-nf4`);
    const quantize = await runCli(['quantize', '--model', pruned, '--out', quantized, '--type', 'nf4', '--quiet']);
    expect(quantize.code, quantize.stderr).toBe(0);
    const q4onnx = await lossOf(quantized, 'onnx');
    const q4tfjs = await lossOf(quantized, 'tfjs');
    expect(Math.abs(q4onnx - q4tfjs)).toBeLessThan(1e-4);

    const healed = join(root, `${family}-healed`);
    // auto trains every family on onnx, at a seq_len longer than its sliding window (Gemma 8, Phi-3 24: the
    // trainer masks each sliding layer's window), Phi-3's fused adapters included.
    const heal = await runCli([
      'heal', '--model', pruned, '--data', train, '--eval-data', heldout, '--out', healed,
      '--steps', '3', '--batch', '2', '--micro-batch', '1', '--seq-len', '32', '--warmup', '1', '--lr', '1e-3',
      '--save-every', '0', '--targets', 'all-linear', '--merge', '--json',
    ]);
    expect(heal.code, heal.stderr).toBe(0);
    expect(heal.stderr).not.toMatch(/onnx trainer does not implement/);
    const result = JSON.parse(heal.stdout) as HealCommandResult;
    expect(result).toMatchObject({ steps: 3, engine: 'onnx' });
    expect(Number.isFinite(result.evalLossAfter)).toBe(true);
    expect(result.evalLossAfter).not.toBe(result.evalLossBefore);
    const merged = await openModelDir(join(healed, 'merged'));
    await merged.close();
    const mergedLoss = await lossOf(join(healed, 'merged'), 'onnx');
    expect(Number.isFinite(mergedLoss)).toBe(true);
    console.log(
      `${family} CLI: pruned loss onnx ${lossOnnx.toFixed(6)} / tfjs ${lossTfjs.toFixed(6)}, nf4 onnx ${q4onnx.toFixed(6)} / tfjs ${q4tfjs.toFixed(6)}, ` +
        `heal (${result.engine}) held-out ${result.evalLossBefore?.toFixed(4)} -> ${result.evalLossAfter?.toFixed(4)}, merged ${mergedLoss.toFixed(6)}`,
    );
  });
});
