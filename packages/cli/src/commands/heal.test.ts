import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultCalibrationFile, defaultHeldoutFile } from '@layerprune/assets';
import { parquetWriteBuffer } from 'hyparquet-writer';
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

  it('--field content (alias --text-field) trains on the same tokens from a Parquet column as from the JSON Lines field', async () => {
    const paragraphs = async (file: string, count: number): Promise<string[]> =>
      (await readFile(file, 'utf8'))
        .split(/\n\s*\n/)
        .map((p) => p.trim())
        .filter((p) => p !== '')
        .slice(0, count);
    // A Hugging Face style file: the text in "content" beside an "id" column, in row groups of 16; the same rows as JSON Lines.
    const corpus = async (name: string, texts: string[]): Promise<{ parquet: string; jsonl: string }> => {
      const parquet = join(root, `${name}.parquet`);
      const columnData = [
        { name: 'id', data: texts.map((_, i) => `${name}-${i}`), type: 'STRING' as const },
        { name: 'content', data: texts, type: 'STRING' as const },
      ];
      await writeFile(parquet, new Uint8Array(parquetWriteBuffer({ columnData, rowGroupSize: 16 })));
      const jsonl = join(root, `${name}.jsonl`);
      await writeFile(jsonl, texts.map((content, i) => JSON.stringify({ id: `${name}-${i}`, content })).join('\n') + '\n');
      return { parquet, jsonl };
    };
    const train = await corpus('train', await paragraphs(defaultCalibrationFile(), 60));
    const heldout = await corpus('heldout', await paragraphs(defaultHeldoutFile(), 20));
    const heal = async (out: string, args: string[]): Promise<{ result: HealCommandResult; losses: number[] }> => {
      const run = await runCli(['heal', '--out', join(root, out), '--json', '--quiet', '--steps', '2', ...SMALL, ...args]);
      expect(run.code, run.stderr).toBe(0);
      const result = JSON.parse(run.stdout) as HealCommandResult;
      const log = (await readFile(result.logPath, 'utf8')).trim().split('\n');
      return { result, losses: log.map((l) => (JSON.parse(l) as { loss: number }).loss) };
    };
    const fromParquet = await heal('field-parquet', ['--data', train.parquet, '--eval-data', heldout.parquet, '--field', 'content']);
    const fromJsonl = await heal('field-jsonl', ['--data', train.jsonl, '--eval-data', heldout.jsonl, '--text-field', 'content']);
    expect(fromParquet.result.field).toBe('content');
    // Packing reads only as far as 2 steps x 2 sequences of 32 tokens reach.
    expect(fromParquet.result.trainSequences).toBe(4);
    expect(fromParquet.result.trainSequences).toBe(fromJsonl.result.trainSequences);
    expect(fromParquet.result.trainDocuments).toBe(fromJsonl.result.trainDocuments);
    expect(fromParquet.result.evalSequences).toBe(fromJsonl.result.evalSequences);
    expect(fromParquet.result.evalLossBefore).not.toBeNull();
    expect(fromParquet.result.evalLossBefore).toBe(fromJsonl.result.evalLossBefore);
    expect(fromParquet.losses).toHaveLength(2);
    expect(fromParquet.losses).toEqual(fromJsonl.losses);
    // The field is part of what a checkpoint was made from: another one is not resumed.
    const other = await runCli(['heal', '--out', join(root, 'field-jsonl'), '--quiet', '--resume', '--steps', '2', ...SMALL, '--data', train.jsonl, '--field', 'id']);
    expect(other.code).toBe(1);
    expect(other.stderr).toMatch(/^error \[CHECKPOINT_MISMATCH\]: cannot resume: data_field is "id" but the checkpoint in .* was made with "content"\n$/);

    // Without --field the column "text" is missing: one error line naming the columns, before any output exists.
    const missing = await runCli(['heal', '--out', join(root, 'field-missing'), '--quiet', '--steps', '1', ...SMALL, '--data', train.parquet]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe(
      `error [MISSING_FIELD]: ${train.parquet}: no column "text" in this Parquet file (columns: id, content); choose the text column with the field option (--field)\n`,
    );
    expect(existsSync(join(root, 'field-missing'))).toBe(false);
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
