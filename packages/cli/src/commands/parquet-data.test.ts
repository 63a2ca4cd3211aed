// Parquet data end to end through the built `layerprune` bin: the calibration
// corpus of `analyze` and a `loss:` task of `eval`, in the layout of a Hugging
// Face dataset (a "text" column beside others), checked against the same
// documents as JSON Lines: Parquet must change nothing but the file format.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultCalibrationFile, defaultHeldoutFile } from '@layerprune/assets';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bin, expectOneLineError } from '../reliability/harness.js';
import type { AnalyzeResult } from './analyze.js';
import type { EvalCommandResult } from './eval.js';

let root: string;
const paragraphs = async (file: string, count: number): Promise<string[]> =>
  (await readFile(file, 'utf8'))
    .split(/\n\s*\n/)
    .map((p) => p.trim())
    .filter((p) => p !== '')
    .slice(0, count);

async function writeCorpus(name: string, texts: string[], textColumn = 'text'): Promise<{ parquet: string; jsonl: string }> {
  const parquet = join(root, `${name}.parquet`);
  const columnData = [
    { name: 'id', data: texts.map((_, i) => `${name}-${i}`), type: 'STRING' as const },
    { name: textColumn, data: texts, type: 'STRING' as const },
  ];
  await writeFile(parquet, new Uint8Array(parquetWriteBuffer({ columnData, rowGroupSize: 50 })));
  const jsonl = join(root, `${name}.jsonl`);
  await writeFile(jsonl, texts.map((text) => JSON.stringify({ [textColumn]: text })).join('\n') + '\n');
  return { parquet, jsonl };
}

function json<T>(args: string[]): T {
  const run = bin([...args, '--json', '--quiet']);
  expect(run.code, run.stderr).toBe(0);
  return JSON.parse(run.stdout) as T;
}

let calibration: { parquet: string; jsonl: string };
let heldout: { parquet: string; jsonl: string };
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'layerprune-cli-parquet-'));
  calibration = await writeCorpus('calibration', await paragraphs(defaultCalibrationFile(), 200));
  heldout = await writeCorpus('heldout', await paragraphs(defaultHeldoutFile(), 40), 'content');
});
afterAll(() => rm(root, { recursive: true, force: true }));

describe('Parquet data through the CLI', () => {
  it('analyze --data file.parquet measures the same distances as the same documents in JSON Lines', () => {
    const options = ['--samples', '24', '--seq-len', '32'];
    const fromParquet = json<AnalyzeResult>(['analyze', '--data', calibration.parquet, ...options, '--out', join(root, 'a-parquet')]);
    const fromJsonl = json<AnalyzeResult>(['analyze', '--data', calibration.jsonl, ...options, '--out', join(root, 'a-jsonl')]);
    expect(fromParquet.data).toBe(calibration.parquet);
    expect(fromParquet.samples).toBe(24);
    expect(fromParquet.tokens).toBe(fromJsonl.tokens);
    expect(fromParquet.recommendations).toEqual(fromJsonl.recommendations);
  });

  it('eval --task loss:file.parquet --text-field content equals the JSON Lines loss; a missing column is one error line', () => {
    const fromParquet = json<EvalCommandResult>(['eval', '--task', `loss:${heldout.parquet}`, '--text-field', 'content']);
    const fromJsonl = json<EvalCommandResult>(['eval', '--task', `loss:${heldout.jsonl}`, '--field', 'content']);
    const [lossParquet, lossJsonl] = [fromParquet.results[0], fromJsonl.results[0]];
    expect(lossParquet.task).toBe('loss');
    expect(lossJsonl.task).toBe('loss');
    if (lossParquet.task !== 'loss' || lossJsonl.task !== 'loss') return;
    expect(lossParquet.loss.documents).toBe(40);
    expect(lossParquet.loss.tokens).toBe(lossJsonl.loss.tokens);
    expect(lossParquet.loss.meanNll).toBe(lossJsonl.loss.meanNll);
    // stories260K on its own held-out text: about 1.4 nats per token (README).
    expect(lossParquet.loss.meanNll).toBeGreaterThan(0.8);
    expect(lossParquet.loss.meanNll).toBeLessThan(2.5);
    expect(fromParquet.config.textField).toBe('content');

    const line = expectOneLineError(bin(['eval', '--task', `loss:${heldout.parquet}`]), 'MISSING_FIELD');
    expect(line).toBe(
      `error [MISSING_FIELD]: ${heldout.parquet}: no column "text" in this Parquet file (columns: id, content); choose the text column with the field option (--field)`,
    );
    const analyze = bin(['analyze', '--data', heldout.parquet, '--field', 'nope', '--out', join(root, 'a-missing')]);
    expect(expectOneLineError(analyze, 'MISSING_FIELD')).toContain('no column "nope" in this Parquet file (columns: id, content)');
  });
});
