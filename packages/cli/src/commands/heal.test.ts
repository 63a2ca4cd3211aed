import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runCli } from '../testing/run-cli.js';
import type { HealCommandResult } from './heal.js';

// Until main.ts lists it, register `heal` for these tests so they run through the real shell.
vi.mock('./index.js', async () => ({ commands: [(await import('./heal-options.js')).healCommand] }));

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'layerprune-cli-heal-'));
});
afterAll(() => rm(root, { recursive: true, force: true }));

const SMALL = ['--batch', '2', '--micro-batch', '2', '--seq-len', '32', '--warmup', '1', '--lr', '1e-3', '--rank', '4', '--save-every', '2', '--backend', 'wasm'];
const STEPS4 = ['--steps', '4', ...SMALL];

describe('layerprune heal', () => {
  it('--merge-dtype F16 writes the merged weights as float16 (default: the source dtype, F32 here)', async () => {
    const out = join(root, 'healed-f16');
    const run = await runCli(['heal', '--out', out, '--merge', '--merge-dtype', 'F16', '--quiet', '--steps', '1', ...SMALL]);
    expect(run.code, run.stderr).toBe(0);
    const merged = JSON.parse(await readFile(join(out, 'merged', 'config.json'), 'utf8'));
    expect(merged.torch_dtype).toBe('float16');
    const bytes = await readFile(join(out, 'merged', 'model.safetensors'));
    const header = JSON.parse(bytes.subarray(8, 8 + Number(bytes.readBigUInt64LE(0))).toString('utf8')) as Record<string, { dtype?: string }>;
    const dtypes = new Set(Object.entries(header).filter(([k]) => k !== '__metadata__').map(([, v]) => v.dtype));
    expect([...dtypes]).toEqual(['F16']);
  });

  it('heals the bundled model, writes the PEFT adapter, log, curve and merged model, and resumes', async () => {
    const out = join(root, 'healed');
    const run = await runCli(['heal', '--out', out, '--merge', '--json', '--quiet', ...STEPS4]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout) as HealCommandResult;
    expect(result.steps).toBe(4);
    expect(result.bits).toBe(4);
    expect(result.targets).toEqual(['gate_proj', 'up_proj', 'down_proj']);
    expect(result.evalLossBefore).not.toBeNull();
    expect(Number.isFinite(result.evalLossAfter)).toBe(true);
    for (const f of ['adapter_config.json', 'adapter_model.safetensors', 'train_log.jsonl', 'loss_curve.svg', 'checkpoint/trainer_state.json', 'merged/model.safetensors', 'merged/config.json', 'merged/tokenizer.json']) {
      expect(existsSync(join(out, f)), f).toBe(true);
    }
    const config = JSON.parse(await readFile(join(out, 'adapter_config.json'), 'utf8'));
    expect(config).toMatchObject({ peft_type: 'LORA', r: 4, lora_alpha: 8, task_type: 'CAUSAL_LM' });

    // A second run into the same directory must not clobber the checkpoint silently.
    const again = await runCli(['heal', '--out', out, '--quiet', ...STEPS4]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^error \[OUTPUT_EXISTS\]: .*--resume/);

    // Resuming a finished run with more steps is refused: the schedule depends on --steps.
    const more = await runCli(['heal', '--out', out, '--quiet', '--resume', '--steps', '6', ...SMALL]);
    expect(more.code).toBe(1);
    expect(more.stderr).toMatch(/^error \[CHECKPOINT_MISMATCH\]: .*steps/);
  });

  it('prints a human summary with the held-out losses', async () => {
    const run = await runCli(['heal', '--out', join(root, 'human'), '--quiet', ...SMALL, '--steps', '2', '--targets', 'down_proj', '--bits', '32']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/held-out loss before\s+\d+\.\d{4}/);
    expect(run.stdout).toMatch(/targets\s+down_proj/);
    expect(run.stdout).toContain('32-bit block linears');
  });

  it('--engine tfjs: trains on TensorFlow.js, named in --json and in the table', async () => {
    const json = await runCli(['heal', '--out', join(root, 'engine-json'), '--json', '--quiet', '--steps', '1', ...SMALL, '--engine', 'tfjs']);
    expect(json.code, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout) as HealCommandResult).toMatchObject({ engine: 'tfjs', backend: 'wasm' });
    const human = await runCli(['heal', '--out', join(root, 'engine-human'), '--quiet', '--steps', '1', ...SMALL, '--engine', 'tfjs']);
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toMatch(/^engine\s+tfjs on wasm$/m);
    expect(human.stdout).toMatch(/^time\s+[\d.]+ s$/m);
  });

  it('rejects bad option values with one line and exit code 2', async () => {
    const run = await runCli(['heal', '--out', join(root, 'bad'), '--bits', '8']);
    expect(run.code).toBe(2);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    // yargs refuses the value (choices) before the command runs.
    expect(run.stderr).toMatch(/^error \[USAGE\]: Invalid values: Argument: bits, Given: 8, Choices: 4, 16, 32$/m);
    const targets = await runCli(['heal', '--out', join(root, 'bad2'), '--targets', 'lm_head', ...STEPS4]);
    expect(targets.code).toBe(1);
    expect(targets.stderr).toMatch(/^error \[TARGETS_INVALID\]: .*lm_head/);
  });
});
