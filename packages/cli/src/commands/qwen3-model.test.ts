// A random tiny Qwen3 model (per-head q/k norms, explicit head_dim 16 with
// hidden 32 and 4 heads, tied embeddings, the bundled model's tokenizer) through
// the commands a user runs on it: analyze, prune, quantize, heal (a few steps,
// on the onnx trainer under `auto` and on tfjs: the same held-out losses) and
// eval loss, on both engines where they apply.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultCalibrationFile, defaultHeldoutFile } from '@layerprune/assets';
import { openModelDir } from '@layerprune/architectures';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeRandomModelDir } from '../testing/random-model-dir.js';
import { runCli } from '../testing/run-cli.js';
import type { AnalyzeResult } from './analyze.js';
import type { EvalCommandResult } from './eval.js';
import type { HealCommandResult } from './heal.js';
import type { PruneCommandResult } from './prune.js';

const LAYERS = 5;
const HIDDEN = 32;
const HEADS = 4;
const KV_HEADS = 2;
const HEAD_DIM = 16;
const INTERMEDIATE = 64;
const VOCAB = 512; // the bundled stories260K tokenizer's

let root: string;
let model: string;
let train: string;
let heldout: string;

/** config.json shaped like Qwen3-0.6B's, scaled down. */
function qwen3Config(): Record<string, unknown> {
  return {
    architectures: ['Qwen3ForCausalLM'],
    model_type: 'qwen3',
    hidden_size: HIDDEN,
    intermediate_size: INTERMEDIATE,
    num_hidden_layers: LAYERS,
    num_attention_heads: HEADS,
    num_key_value_heads: KV_HEADS,
    head_dim: HEAD_DIM,
    hidden_act: 'silu',
    max_position_embeddings: 128,
    rms_norm_eps: 1e-6,
    rope_theta: 1000000,
    rope_scaling: null,
    attention_bias: false,
    attention_dropout: 0.0,
    use_sliding_window: false,
    sliding_window: null,
    max_window_layers: LAYERS,
    tie_word_embeddings: true,
    vocab_size: VOCAB,
    bos_token_id: 1,
    eos_token_id: 2,
    torch_dtype: 'float32',
  };
}


async function json<T>(args: string[]): Promise<T> {
  const run = await runCli([...args, '--json', '--quiet']);
  expect(run.code, run.stderr).toBe(0);
  return JSON.parse(run.stdout) as T;
}

async function tensorNames(dir: string): Promise<string[]> {
  const opened = await openModelDir(dir);
  try {
    return opened.weights.names();
  } finally {
    await opened.close();
  }
}

async function lossOf(dir: string, engine: 'onnx' | 'tfjs'): Promise<{ meanNll: number; engine: string }> {
  const result = await json<EvalCommandResult>(['eval', '--model', dir, '--task', `loss:${heldout}`, '--engine', engine]);
  const loss = result.results[0];
  if (loss.task !== 'loss') throw new Error('expected a loss result');
  return { meanNll: loss.loss.meanNll, engine: result.engine };
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'layerprune-cli-qwen3-'));
  model = join(root, 'qwen3');
  await writeRandomModelDir(model, qwen3Config(), 31);
  train = join(root, 'train.txt');
  await writeFile(train, (await readFile(defaultCalibrationFile(), 'utf8')).slice(0, 20000));
  heldout = join(root, 'heldout.txt');
  await writeFile(heldout, (await readFile(defaultHeldoutFile(), 'utf8')).slice(0, 2000));
});
afterAll(() => rm(root, { recursive: true, force: true }));

describe('a qwen3 model through the CLI', () => {
  it('analyze: both engines give the same block distances', async () => {
    const args = ['analyze', '--model', model, '--data', train, '--samples', '8', '--seq-len', '32'];
    const onnx = await json<AnalyzeResult>([...args, '--out', join(root, 'analysis-onnx'), '--engine', 'onnx']);
    const tfjs = await json<AnalyzeResult>([...args, '--out', join(root, 'analysis-tfjs'), '--engine', 'tfjs']);
    expect([onnx.engine, tfjs.engine]).toEqual(['onnx', 'tfjs']);
    expect(onnx.numLayers).toBe(LAYERS);
    expect(onnx.recommendations).toHaveLength(LAYERS - 1);
    onnx.recommendations.forEach((r, i) => {
      expect(r.distance).toBeGreaterThan(0);
      expect(Math.abs(r.distance - tfjs.recommendations[i].distance)).toBeLessThan(1e-4);
    });
  });

  it('prune, quantize (nf4), heal (tfjs under auto) and eval loss on both engines', async () => {
    const pruned = join(root, 'pruned');
    const prune = await json<PruneCommandResult>(['prune', '--model', model, '--out', pruned, '--drop', '1:3']);
    expect(prune.numLayers).toEqual({ before: LAYERS, after: LAYERS - 2 });
    const names = await tensorNames(pruned);
    // Old block 3's q/k norms are block 1's now; nothing of blocks >= 3 is left.
    expect(names).toContain('model.layers.1.self_attn.q_norm.weight');
    expect(names).toContain('model.layers.2.self_attn.k_norm.weight');
    expect(names.some((n) => n.startsWith('model.layers.3.'))).toBe(false);
    const prunedConfig = JSON.parse(await readFile(join(pruned, 'config.json'), 'utf8')) as Record<string, unknown>;
    expect(prunedConfig).toMatchObject({ model_type: 'qwen3', num_hidden_layers: LAYERS - 2, head_dim: HEAD_DIM });

    // The pruned model's loss: the same on both engines.
    const onnx = await lossOf(pruned, 'onnx');
    const tfjs = await lossOf(pruned, 'tfjs');
    expect([onnx.engine, tfjs.engine]).toEqual(['onnx', 'tfjs']);
    expect(Number.isFinite(onnx.meanNll)).toBe(true);
    expect(Math.abs(onnx.meanNll - tfjs.meanNll)).toBeLessThan(1e-4);

    // 4-bit: the q/k norms stay float32 next to the packed linears, and both engines read it back.
    const quantized = join(root, 'nf4');
    const quantize = await runCli(['quantize', '--model', pruned, '--out', quantized, '--type', 'nf4', '--quiet']);
    expect(quantize.code, quantize.stderr).toBe(0);
    const header = await openModelDir(quantized);
    try {
      expect(header.weights.info('model.layers.0.self_attn.q_norm.weight')).toMatchObject({ dtype: 'F32', shape: [HEAD_DIM] });
      expect(header.weights.info('model.layers.0.self_attn.q_proj.weight').dtype).toBe('U8');
    } finally {
      await header.close();
    }
    const q4onnx = await lossOf(quantized, 'onnx');
    const q4tfjs = await lossOf(quantized, 'tfjs');
    expect(Math.abs(q4onnx.meanNll - q4tfjs.meanNll)).toBeLessThan(1e-4);

    // Healing: auto trains on the onnx trainer (q/k norm backward included); tfjs gives the same held-out losses.
    const healed = join(root, 'healed');
    const healArgs = (out: string, engine: string) => [
      'heal', '--model', pruned, '--data', train, '--eval-data', heldout, '--out', out,
      '--steps', '3', '--batch', '2', '--micro-batch', '1', '--seq-len', '32', '--warmup', '1', '--lr', '1e-3',
      '--save-every', '0', '--targets', 'all-linear', '--engine', engine,
    ];
    const heal = await json<HealCommandResult>([...healArgs(healed, 'auto'), '--merge']);
    expect(heal).toMatchObject({ steps: 3, engine: 'onnx', bits: 4 });
    const healTfjs = await json<HealCommandResult>(healArgs(join(root, 'healed-tfjs'), 'tfjs'));
    expect(healTfjs.engine).toBe('tfjs');
    expect(Math.abs(heal.evalLossBefore! - healTfjs.evalLossBefore!)).toBeLessThan(1e-4);
    expect(Math.abs(heal.evalLossAfter! - healTfjs.evalLossAfter!)).toBeLessThan(1e-3);
    expect(Number.isFinite(heal.finalLoss)).toBe(true);
    expect(Number.isFinite(heal.evalLossAfter)).toBe(true);
    expect(heal.evalLossAfter).not.toBe(heal.evalLossBefore);
    expect(await tensorNames(join(healed, 'merged'))).toContain('model.layers.2.self_attn.q_norm.weight');
    const merged = await lossOf(join(healed, 'merged'), 'onnx');
    expect(Number.isFinite(merged.meanNll)).toBe(true);
    console.log(
      `qwen3 CLI: pruned loss onnx ${onnx.meanNll.toFixed(6)} / tfjs ${tfjs.meanNll.toFixed(6)}, nf4 onnx ${q4onnx.meanNll.toFixed(6)} / tfjs ${q4tfjs.meanNll.toFixed(6)}, ` +
        `heal (${heal.engine} on ${heal.backend}) held-out ${heal.evalLossBefore?.toFixed(4)} -> ${heal.evalLossAfter?.toFixed(4)}, merged ${merged.meanNll.toFixed(6)}`,
    );

    // The 4-bit directory as the frozen base: its NF4 states kept, the q/k norms read as float32.
    const fromNf4 = await json<HealCommandResult>([
      'heal', '--model', quantized, '--data', train, '--out', join(root, 'healed-nf4'),
      '--steps', '1', '--batch', '2', '--micro-batch', '2', '--seq-len', '32', '--warmup', '1', '--save-every', '0', '--targets', 'attention',
    ]);
    expect(fromNf4).toMatchObject({ steps: 1, engine: 'onnx', bits: 4 });
    expect(Number.isFinite(fromNf4.finalLoss)).toBe(true);
  });
});
