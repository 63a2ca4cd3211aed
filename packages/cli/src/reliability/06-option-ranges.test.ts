// Issue 12, point 6: options are range-checked. Every command is run through the
// built bin with a value out of range (a sequence longer than the model's 512
// positions, batch sizes 0 / -1 / 1.5, 0 steps, learning rates NaN / -1 / abc,
// seed 1.5, fractions 0 / 1 / 1.5, a misspelt key in a pipeline file at the top
// level and nested, an unknown LoRA module, values outside a fixed list). Each
// must exit non-zero with one line `error [CODE]: ...` naming the option, the
// value and the limit, create no --out, and leave every input's bytes unchanged.
import { access, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectOneLineError, expectUntouched, leftovers, makeWorkspace, startBin, type BinRun, type Workspace } from './harness.js';

let ws: Workspace;

interface Case {
  label: string;
  /** Arguments; OUT stands for a fresh --out path of this case. */
  args: string[];
  code: string;
  /** What the error line says after `error [CODE]: `: option, value and limit. */
  message: RegExp;
}

// Placeholders, replaced by the workspace's paths when the bins run.
const OUT = '<out>';
const MODEL = '<model>';
const DATA = '<data>';
const HELDOUT = '<heldout>';
const ROOT = '<root>';
const MAX = 512; // max_position_embeddings of the bundled stories260K

/** Cheap invocations: the error must come before any real work anyway. */
const BASE: Record<string, Record<string, string>> = {
  analyze: { '--model': MODEL, '--data': DATA, '--samples': '2', '--out': OUT },
  heal: { '--model': MODEL, '--data': DATA, '--out': OUT, '--steps': '1', '--batch': '1', '--seq-len': '16', '--save-every': '0' },
  eval: { '--model': MODEL, '--task': `loss:${HELDOUT}`, '--limit': '1' },
  generate: { '--model': MODEL, '--prompt': 'Once', '--max-tokens': '2' },
  prune: { '--model': MODEL, '--out': OUT },
  quantize: { '--model': MODEL, '--out': OUT },
  run: { '--model': MODEL, '--data': DATA, '--eval': `loss:${HELDOUT}`, '--out': OUT },
};

/** `command` with its cheap base options, `flag` set to `value` (each option given once). */
function cmd(command: keyof typeof BASE, flag: string, value: string): string[] {
  const options = { ...BASE[command], [flag]: value };
  // --batch is an alias of --batch-size (analyze, heal, eval): one of the two only.
  if (flag === '--batch-size') delete options['--batch'];
  return [command, ...Object.entries(options).flat()];
}

const pipelineFiles: Record<string, string> = {
  'top-level.yaml': 'fractions: [0.4]\ncolour: red\n',
  'nested.yaml': 'fractions: [0.4]\nheal:\n  steps: 2\n  stepz: 3\n',
  'nested.json': '{"analysis": {"samples": 4, "seq_len": 64}}',
  'analysis-seq-len.yaml': `analysis:\n  seqLen: ${MAX + 1}\n`,
  'heal-seq-len.yaml': 'heal:\n  seqLen: 4096\n',
  'targets.yaml': 'heal:\n  targets: mlp,lm_head\n',
  'lr.yaml': 'heal:\n  lr: .nan\n',
};

function cases(): Case[] {
  const file = (name: string): string => `${ROOT}/${name}`;
  const tooLong = (flag: string, value: number) => new RegExp(`^${flag} ${value} exceeds the model's max_position_embeddings ${MAX} \\(.*model\\); use at most ${MAX}$`);
  return [
    // Sequence lengths above the model's positions: refused, not clamped.
    { label: 'analyze --seq-len 513', args: cmd('analyze', '--seq-len', String(MAX + 1)), code: 'SEQ_LEN_TOO_LONG', message: tooLong('--seq-len', MAX + 1) },
    { label: 'heal --seq-len 4096', args: cmd('heal', '--seq-len', '4096'), code: 'SEQ_LEN_TOO_LONG', message: tooLong('--seq-len', 4096) },
    { label: 'eval --max-length 513', args: cmd('eval', '--max-length', String(MAX + 1)), code: 'SEQ_LEN_TOO_LONG', message: tooLong('--max-length', MAX + 1) },
    { label: 'generate --max-tokens 4096', args: cmd('generate', '--max-tokens', '4096'), code: 'SEQ_LEN_TOO_LONG', message: tooLong('--max-tokens', 4096) },
    {
      label: 'run with analysis.seqLen 513 in the pipeline file',
      args: cmd('run', '--config', file('analysis-seq-len.yaml')),
      code: 'SEQ_LEN_TOO_LONG',
      message: new RegExp(`^analysis\\.seqLen ${MAX + 1} exceeds the model's max_position_embeddings ${MAX} .*use at most ${MAX}, or leave it out`),
    },
    {
      label: 'run with heal.seqLen 4096 in the pipeline file',
      args: cmd('run', '--config', file('heal-seq-len.yaml')),
      code: 'SEQ_LEN_TOO_LONG',
      message: /^heal\.seqLen 4096 exceeds the model's max_position_embeddings 512 /,
    },
    { label: 'analyze --seq-len 0', args: cmd('analyze', '--seq-len', '0'), code: 'INVALID_OPTION', message: /^--seq-len must be an integer >= 1, got 0$/ },
    { label: 'heal --seq-len 1', args: cmd('heal', '--seq-len', '1'), code: 'INVALID_OPTION', message: /^--seq-len must be an integer >= 2, got 1$/ },

    // Batch sizes 0, -1, 1.5 (--batch-size everywhere; --batch is its alias).
    ...['0', '-1', '1.5'].flatMap((v): Case[] => [
      { label: `analyze --batch-size ${v}`, args: cmd('analyze', '--batch-size', v), code: 'INVALID_OPTION', message: new RegExp(`^--batch-size must be an integer >= 1, got ${v}$`) },
      { label: `eval --batch-size ${v}`, args: cmd('eval', '--batch-size', v), code: 'INVALID_OPTION', message: new RegExp(`^--batch-size must be an integer >= 1, got ${v}$`) },
      {
        label: `heal --batch-size ${v}`,
        args: cmd('heal', '--batch-size', v),
        code: 'CONFIG_INVALID',
        message: new RegExp(`^batch: global batch ${v} must be a positive multiple of the micro-batch 1$`),
      },
    ]),
    { label: 'heal --micro-batch 0', args: cmd('heal', '--micro-batch', '0'), code: 'CONFIG_INVALID', message: /^micro_batch: must be an integer >= 1, got 0$/ },

    // Steps, samples, limits.
    { label: 'heal --steps 0', args: cmd('heal', '--steps', '0'), code: 'CONFIG_INVALID', message: /^steps: must be an integer >= 1, got 0$/ },
    { label: 'heal --steps 2.5', args: cmd('heal', '--steps', '2.5'), code: 'CONFIG_INVALID', message: /^steps: must be an integer >= 1, got 2\.5$/ },
    { label: 'run --heal-steps -1', args: cmd('run', '--heal-steps', '-1'), code: 'CONFIG_INVALID', message: /^--heal-steps: must be an integer in \[0, 10000000\], got -1$/ },
    { label: 'analyze --samples 0', args: cmd('analyze', '--samples', '0'), code: 'INVALID_OPTION', message: /^--samples must be an integer >= 1, got 0$/ },
    { label: 'run --samples 1.5', args: cmd('run', '--samples', '1.5'), code: 'CONFIG_INVALID', message: /^--samples: must be an integer in \[1, 1000000\], got 1\.5$/ },
    { label: 'eval --limit 0', args: cmd('eval', '--limit', '0'), code: 'INVALID_OPTION', message: /^--limit must be an integer >= 1, got 0$/ },
    { label: 'run --limit -1', args: cmd('run', '--limit', '-1'), code: 'CONFIG_INVALID', message: /^--limit: must be an integer in \[1, 10000000\] \(or null for the default\), got -1$/ },
    { label: 'eval --shots -1', args: cmd('eval', '--shots', '-1'), code: 'INVALID_OPTION', message: /^--shots must be an integer >= 0, got -1$/ },
    { label: 'generate --max-tokens 0', args: cmd('generate', '--max-tokens', '0'), code: 'INVALID_OPTION', message: /^--max-tokens must be an integer >= 1, got 0$/ },
    { label: 'prune --drop-deepest 1.5', args: cmd('prune', '--drop-deepest', '1.5'), code: 'PLAN_INVALID', message: /drop-deepest\.n must be a non-negative integer, got 1\.5/ },
    { label: 'prune --drop-deepest 0', args: cmd('prune', '--drop-deepest', '0'), code: 'PLAN_EMPTY_RANGE', message: /drop-deepest n=0 must be between 1 and 4/ },
    { label: 'quantize --block-size 0', args: cmd('quantize', '--block-size', '0'), code: 'BLOCK_SIZE_OUT_OF_RANGE', message: /^block size 0 is not a power of two between 32 and 4096/ },
    { label: 'quantize --block-size 1.5', args: cmd('quantize', '--block-size', '1.5'), code: 'BLOCK_SIZE_OUT_OF_RANGE', message: /^block size 1\.5 is not a power of two/ },

    // Learning rates that are not finite positive numbers (yargs reads "abc" as NaN).
    ...['NaN', '-1', 'abc', '0'].map((v): Case => ({
      label: `heal --lr ${v}`,
      args: cmd('heal', '--lr', v),
      code: 'CONFIG_INVALID',
      message: new RegExp(`^lr: must be a finite number > 0, got ${v === 'abc' ? 'NaN' : v}$`),
    })),
    { label: 'run with heal.lr .nan in the pipeline file', args: cmd('run', '--config', file('lr.yaml')), code: 'CONFIG_INVALID', message: /lr\.yaml: heal\.lr: must be a finite number in \(0, 1\], got NaN$/ },

    // Seeds must be integers.
    { label: 'analyze --seed 1.5', args: cmd('analyze', '--seed', '1.5'), code: 'INVALID_OPTION', message: /^--seed must be an integer in \[0, 4294967295\], got 1\.5$/ },
    { label: 'heal --seed 1.5', args: cmd('heal', '--seed', '1.5'), code: 'INVALID_OPTION', message: /^--seed must be an integer in \[0, 4294967295\], got 1\.5$/ },
    { label: 'eval --seed 1.5', args: cmd('eval', '--seed', '1.5'), code: 'INVALID_OPTION', message: /^--seed must be an integer in \[0, 4294967295\], got 1\.5$/ },
    { label: 'generate --seed 1.5', args: cmd('generate', '--seed', '1.5'), code: 'INVALID_OPTION', message: /^--seed must be an integer in \[0, 4294967295\], got 1\.5$/ },
    { label: 'run --seed 1.5', args: cmd('run', '--seed', '1.5'), code: 'CONFIG_INVALID', message: /^--seed: must be an integer in \[0, 2147483647\], got 1\.5$/ },

    // Fractions outside (0, 1): reported, never clamped or dropped.
    ...['0', '1', '1.5'].map((v): Case => ({
      label: `run --fractions ${v}`,
      args: cmd('run', '--fractions', `0.4,${v}`),
      code: 'CONFIG_INVALID',
      message: new RegExp(`^--fractions: must be in the open interval \\(0, 1\\), got ${v}$`),
    })),

    // Unknown keys in pipeline files, at the top level and nested; unknown module names.
    {
      label: 'run with an unknown top-level key',
      args: cmd('run', '--config', file('top-level.yaml')),
      code: 'CONFIG_INVALID',
      message: /top-level\.yaml: colour: unknown field \(known: model, data, out, eval, fractions, methods, seed, backend, engine, threads, device, maxDocumentBytes, encodingErrors, textField, analysis, evaluation, heal\)$/,
    },
    { label: 'run with heal: { stepz: 3 }', args: cmd('run', '--config', file('nested.yaml')), code: 'CONFIG_INVALID', message: /nested\.yaml: heal\.stepz: unknown field of heal \(known: steps, batch, / },
    { label: 'run with analysis.seq_len in JSON', args: cmd('run', '--config', file('nested.json')), code: 'CONFIG_INVALID', message: /nested\.json: analysis\.seq_len: unknown field of analysis/ },
    { label: 'run with heal.targets naming lm_head', args: cmd('run', '--config', file('targets.yaml')), code: 'CONFIG_INVALID', message: /targets\.yaml: heal\.targets: target module "lm_head" is not a linear layer/ },
    { label: 'heal --targets q_proj,qproj', args: cmd('heal', '--targets', 'q_proj,qproj'), code: 'TARGETS_INVALID', message: /^target module "qproj" is not a linear layer of a Llama-family block; use mlp, all-linear, attention or a list of q_proj, / },
    { label: 'run --methods similarity,random', args: cmd('run', '--methods', 'similarity,random'), code: 'CONFIG_INVALID', message: /^--methods: unknown value "random" \(known: similarity, deepest\)$/ },

    // Fixed lists are yargs choices, refused before the command starts.
    { label: 'heal --bits 8', args: cmd('heal', '--bits', '8'), code: 'USAGE', message: /^Invalid values: Argument: bits, Given: 8, Choices: 4, 16, 32$/ },
    { label: 'heal --backend gpu', args: cmd('heal', '--backend', 'gpu'), code: 'USAGE', message: /^Invalid values: Argument: backend, Given: "gpu", Choices: "auto", / },
    { label: 'analyze --metric euclid', args: cmd('analyze', '--metric', 'euclid'), code: 'USAGE', message: /^Invalid values: Argument: metric, Given: "euclid", Choices: / },
    { label: 'quantize --type nf3', args: cmd('quantize', '--type', 'nf3'), code: 'USAGE', message: /^Invalid values: Argument: type, Given: "nf3", Choices: "nf4", "fp4", "int8"$/ },
    { label: 'run --backend gpu', args: cmd('run', '--backend', 'gpu'), code: 'USAGE', message: /^Invalid values: Argument: backend, Given: "gpu"/ },
    // A single-valued option given twice is refused, not turned into a list or half used.
    { label: 'heal --steps 1 --steps 0', args: [...cmd('heal', '--steps', '1'), '--steps', '0'], code: 'USAGE', message: /^--steps was given 2 times \(1, 0\); give it once$/ },
    // An unknown option stops the command before it writes anything.
    { label: 'analyze --sample 3 (unknown option)', args: cmd('analyze', '--sample', '3'), code: 'USAGE', message: /^Unknown argument: sample$/ },
  ];
}

interface Done {
  c: Case;
  out: string;
  run: BinRun;
}

/** Runs the bins three at a time: most of each run is process start-up. */
async function runPool(list: Case[], width = 3): Promise<Done[]> {
  const done: Done[] = new Array(list.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < list.length) {
      const i = next++;
      const out = join(ws.root, 'outs', `case-${i}`);
      const args = list[i].args.map((a) =>
        a
          .replace(OUT, out)
          .replace(MODEL, ws.model)
          .replace(DATA, ws.data)
          .replace(HELDOUT, ws.heldout)
          .replace(ROOT, ws.root),
      );
      done[i] = { c: list[i], out, run: await startBin([...args, '--quiet']).done };
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, list.length) }, worker));
  return done;
}

const CASES = cases();
let results: Done[] = [];
beforeAll(async () => {
  ws = await makeWorkspace('layerprune-rel06-');
  for (const [name, text] of Object.entries(pipelineFiles)) await writeFile(join(ws.root, name), text);
  const inputs = [ws.model, ws.data, ws.heldout, ...Object.keys(pipelineFiles).map((n) => join(ws.root, n))];
  // Digests of every input before and after all the runs.
  results = await expectUntouched(inputs, () => runPool(CASES));
}, 240_000);

afterAll(async () => {
  await ws.dispose();
});

describe('issue 12 point 6: options are range-checked', () => {
  it.each(CASES.map((c, i) => [c.label, i] as const))('%s: one typed line naming option, value and limit; no output', async (_label, i) => {
    const { c, out, run } = results[i];
    const line = expectOneLineError(run, c.code);
    expect(line.replace(/^error \[[A-Z_]+\]: /, ''), c.label).toMatch(c.message);
    await expect(access(out), `${c.label}: --out was created`).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await leftovers(join(ws.root, 'outs')), c.label).toEqual([]);
  });
});
