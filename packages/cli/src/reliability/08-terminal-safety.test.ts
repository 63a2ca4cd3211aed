// Issue 12, point 8: terminal safety. Names read from files (tensor names,
// metadata, paths) reach the terminal escaped, in tables and in error lines: no
// ESC, C0/C1 control or bidi override is ever printed raw. Raw Node errors
// become typed one-line messages naming the path. And the tool's own NF4 / FP4 /
// int8 output is shown by `inspect` as quantized, not as a mismatch.
import { cp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { openSafetensors, writeSafetensors, type TensorSource } from '@layerprune/tensor-io';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bin, expectOneLineError, expectUntouched, makeWorkspace, startBin, type BinRun, type Workspace } from './harness.js';

/** Any character a terminal could act on (line feed and tab excepted: the tool's own layout). */
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

// Clear screen, set the window title (OSC ... BEL), C1 CSI, right-to-left override, isolate, CR LF.
const EVIL_NAME = 'model.layers.0.evil\u001b[2J\u001b]0;pwned\u0007\u202eexe.txt';
const EVIL_KEY = 'comment\u001b[31m';
const EVIL_VALUE = 'value\u009b2J\u2066x\r\nwarning: fake line';
// The same strings as the user must see them (String.raw: backslashes are literal).
const SHOWN_NAME = String.raw`model.layers.0.evil\x1b[2J\x1b]0;pwned\x07\u202eexe.txt`;
const SHOWN_METADATA = String.raw`  comment\x1b[31m: value\x9b2J\u2066x\x0d\x0awarning: fake line`;
const EVIL_DIR_PART = 'evil\u001b[2J\u202e';
const SHOWN_DIR_PART = String.raw`evil\x1b[2J\u202e`;

let ws: Workspace;
let evilFile = '';
let evilModel = '';
const quantized: Record<string, string> = {};

function expectNoRawControl(run: BinRun): void {
  expect(run.stdout, 'stdout').not.toMatch(RAW_CONTROL);
  expect(run.stderr, 'stderr').not.toMatch(RAW_CONTROL);
}

beforeAll(async () => {
  ws = await makeWorkspace('layerprune-rel08-');
  evilFile = join(ws.root, 'evil.safetensors');
  await writeSafetensors(
    evilFile,
    [
      { name: EVIL_NAME, dtype: 'F32', shape: [2], read: () => new Uint8Array(8) },
      { name: 'plain.weight', dtype: 'F32', shape: [1], read: () => new Uint8Array(4) },
    ],
    { metadata: { [EVIL_KEY]: EVIL_VALUE, format: 'pt' } },
  );
  // A valid model whose weights file carries hostile metadata.
  evilModel = join(ws.root, 'evil-model');
  await cp(ws.model, evilModel, { recursive: true });
  const weights = join(evilModel, 'model.safetensors');
  const reader = await openSafetensors(weights);
  const sources: TensorSource[] = [];
  for (const [name, info] of reader.tensors) {
    const bytes = await reader.readRaw(name);
    sources.push({ name, dtype: info.dtype, shape: info.shape, read: () => bytes });
  }
  await reader.close();
  await rm(weights);
  await writeSafetensors(weights, sources, { metadata: { format: 'pt', [EVIL_KEY]: EVIL_VALUE } });
  // The tool's own quantized outputs, built through the bin, three at a time.
  const runs = await Promise.all(
    ['nf4', 'fp4', 'int8'].map((type) => {
      quantized[type] = join(ws.root, `q-${type}`);
      return startBin(['quantize', '--model', ws.model, '--out', quantized[type], '--type', type, '--quiet']).done;
    }),
  );
  for (const run of runs) expect(run.code, run.stderr).toBe(0);
}, 120_000);

afterAll(async () => {
  await ws.dispose();
});

describe('issue 12 point 8: terminal safety', () => {
  it('inspect shows hostile tensor names and metadata escaped, in the table and the metadata list', async () => {
    const run = await expectUntouched([evilFile], () => bin(['inspect', evilFile]));
    expect(run.code, run.stderr).toBe(0);
    expectNoRawControl(run);
    const lines = run.stdout.split('\n');
    expect(lines.some((l) => l.startsWith(`${SHOWN_NAME}  F32`))).toBe(true);
    expect(lines).toContain(SHOWN_METADATA);
    // The CR LF inside the value did not start a line of its own.
    expect(lines.some((l) => l.startsWith('warning: fake line'))).toBe(false);
  });

  it('inspect --json keeps the exact names (escaped as JSON) and prints no raw control character', async () => {
    const run = bin(['inspect', evilFile, '--json']);
    expect(run.code, run.stderr).toBe(0);
    expectNoRawControl(run);
    const result = JSON.parse(run.stdout) as { tensors: { name: string }[]; metadata: Record<string, string> };
    expect(result.tensors.map((t) => t.name)).toEqual([EVIL_NAME, 'plain.weight']);
    expect(result.metadata[EVIL_KEY]).toBe(EVIL_VALUE);
  });

  it('inspect of a model directory escapes its weights metadata', async () => {
    const run = await expectUntouched([evilModel], () => bin(['inspect', evilModel]));
    expect(run.code, run.stderr).toBe(0);
    expectNoRawControl(run);
    expect(run.stdout.split('\n')).toContain(SHOWN_METADATA);
  });

  it('error lines escape paths with control characters, raw Node errors included', async () => {
    const dir = join(ws.root, EVIL_DIR_PART);
    await writeFile(dir, 'a file where a directory is expected\n');
    const shownDir = join(ws.root, SHOWN_DIR_PART);
    // [arguments, code, what the line shows, whether it must be free of the syscall's own words]
    const cases: [string[], string, string, boolean][] = [
      // Typed errors of @layerprune/tensor-io naming the path.
      [['inspect', join(dir, 'm.safetensors')], 'NOT_A_DIRECTORY|FILE_NOT_FOUND|READ_FAILED', shownDir, false],
      [['inspect', `${dir}.safetensors`], 'FILE_NOT_FOUND', `${shownDir}.safetensors`, true],
      // A raw EEXIST from mkdir reaching main(): typed, with the path, not the syscall's text.
      [['analyze', '--model', ws.model, '--data', ws.data, '--samples', '2', '--out', join(dir, 'sub')], 'NOT_A_DIRECTORY|OUTPUT_[A-Z_]+', shownDir, true],
      [['run', '--config', `${dir}.yaml`, '--out', join(ws.root, 'run-out')], 'CONFIG_NOT_FOUND', `${shownDir}.yaml`, true],
      // yargs quotes the unknown option it refuses.
      [['inspect', evilFile, `--x${EVIL_DIR_PART}`], 'USAGE', `x${SHOWN_DIR_PART}`, true],
    ];
    const runs = await expectUntouched([ws.model, ws.data, dir], () => Promise.all(cases.map(([args]) => startBin([...args, '--quiet']).done)));
    cases.forEach(([args, code, shown, plain], i) => {
      const line = expectOneLineError(runs[i], new RegExp(`^error \\[(${code})\\]: `));
      expectNoRawControl(runs[i]);
      expect(line, args.join(' ')).toContain(shown);
      if (plain) expect(line).not.toMatch(/\b(ENOENT|ENOTDIR|EEXIST|ENOTEMPTY|EISDIR)\b/);
    });
  });

  it.each(['nf4', 'fp4', 'int8'])('inspect recognises the %s output of `layerprune quantize` as quantized', async (type) => {
    const human = bin(['inspect', quantized[type]]);
    expect(human.code, human.stderr).toBe(0);
    expect(human.stderr).toBe('');
    expect(human.stdout).toContain(`quantized bitsandbytes ${type}: 35 weights`);
    expect(human.stdout).toMatch(new RegExp(`^model\\.layers\\.0\\.self_attn\\.q_proj\\.weight +[UI]8 .* ${type} of \\[64, 64\\]$`, 'm'));
    const json = bin(['inspect', quantized[type], '--json']);
    expect(json.code, json.stderr).toBe(0);
    const result = JSON.parse(json.stdout) as {
      quantization: { type: string; quantizedTensors: number } | null;
      architecture: { parameterCount: number; parameterCountFromConfig: number };
      problems: unknown[];
      tensors: { name: string; quant?: string; logicalShape?: number[] }[];
    };
    expect(result.quantization).toMatchObject({ type, quantizedTensors: 35 });
    expect(result.problems).toEqual([]);
    // Parameters of the model, from the original shapes: what config.json implies.
    expect(result.architecture.parameterCount).toBe(result.architecture.parameterCountFromConfig);
    const down = result.tensors.find((t) => t.name === 'model.layers.4.mlp.down_proj.weight');
    expect(down).toMatchObject({ quant: type, logicalShape: [64, 172] });
    // The input model was read, not modified: its config has no quantization_config.
    expect(JSON.parse(await readFile(join(ws.model, 'config.json'), 'utf8')).quantization_config).toBeUndefined();
  });
});
