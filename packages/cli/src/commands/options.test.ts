// One option vocabulary across commands (issue 16): `--batch-size` wherever a
// batch size is given, with the old names as aliases; one backend list, given to
// yargs as choices on every command that has --backend; examples in every help.
// Options are parsed by the commands' real builders with the handler replaced, so
// nothing here loads a model.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BACKEND_NAMES as MODEL_BACKEND_NAMES } from '@layerprune/model';
import { HEAL_DEFAULTS } from '@layerprune/lora';
import yargs from 'yargs';
import type { CommandModule } from 'yargs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKEND_NAMES } from '../cli/backend-option.js';
import type { GlobalOptions } from '../cli/command-context.js';
import { runCli } from '../testing/run-cli.js';
import type { AnalyzeResult } from './analyze.js';
import { HEAL_CLI_DEFAULTS } from './heal-options.js';
import { commands } from './index.js';

const byName = (name: string): CommandModule<GlobalOptions, object> => {
  const command = commands.find((c) => String(c.command).split(' ')[0] === name);
  if (!command) throw new Error(`no command ${name}`);
  return command as CommandModule<GlobalOptions, object>;
};

/** The options `layerprune <argv>` hands to the command, parsed by its real builder (the handler only records them). */
async function parsed(argv: string[]): Promise<Record<string, unknown>> {
  const command = byName(argv[0]);
  let args: Record<string, unknown> | null = null;
  await yargs()
    .option('json', { type: 'boolean', global: true })
    .option('quiet', { type: 'boolean', global: true })
    .command({ ...command, handler: (a) => void (args = a as Record<string, unknown>) })
    .strict()
    .exitProcess(false)
    .fail((message, error) => {
      throw error ?? new Error(message);
    })
    .parseAsync(argv);
  if (args === null) throw new Error(`${argv.join(' ')} did not reach the handler`);
  return args;
}

/** The options a command requires, so that only the option under test can fail. */
const REQUIRED: Record<string, string[]> = { heal: ['--out', 'never-written'], generate: ['--prompt', 'x'] };

describe('--batch-size everywhere, old names as aliases', () => {
  it.each([
    ['analyze', '--batch', 'batchSize'],
    ['heal', '--batch', 'batchSize'],
    ['heal', '--micro-batch', 'microBatchSize'],
    ['eval', '--batch', 'batchSize'],
  ])('%s %s 2 is %s 2', async (command, oldFlag, key) => {
    const base = REQUIRED[command] ?? [];
    const newFlag = `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
    const viaOld = await parsed([command, ...base, oldFlag, '2']);
    const viaNew = await parsed([command, ...base, newFlag, '2']);
    expect(viaNew[key]).toBe(2);
    expect(viaOld[key]).toBe(2);
    expect(viaOld).toEqual({ ...viaNew, $0: viaOld.$0 });
  });

  it('the old and the new name together are one option given twice: refused', async () => {
    const run = await runCli(['analyze', '--batch', '2', '--batch-size', '3', '--out', 'never-written']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^error \[USAGE\]: --batch(-size)? was given 2 times \(2, 3\); give it once\n$/);
  });

  it('range errors name the new flag', async () => {
    const run = await runCli(['analyze', '--batch', '0', '--out', 'never-written']);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe('error [INVALID_OPTION]: --batch-size must be an integer >= 1, got 0\n');
  });
});

describe('--backend: one list, yargs choices on every command that runs a model', () => {
  it('is the model runtime\'s list', () => {
    expect([...BACKEND_NAMES]).toEqual([...MODEL_BACKEND_NAMES]);
  });

  it.each(['analyze', 'heal', 'eval', 'generate', 'run'])('%s --backend gpu is a usage error listing the choices', async (command) => {
    const run = await runCli([command, '--backend', 'gpu', ...(REQUIRED[command] ?? [])]);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(`error [USAGE]: Invalid values: Argument: backend, Given: "gpu", Choices: ${BACKEND_NAMES.map((b) => `"${b}"`).join(', ')}\n`);
  });

  it.each(['analyze', 'heal', 'eval', 'generate', 'run'])('%s --backend wasm is accepted as given', async (command) => {
    const args = await parsed([command, '--backend', 'wasm', ...(REQUIRED[command] ?? [])]);
    expect(args.backend).toBe('wasm');
  });
});

describe('help', () => {
  it.each(commands.map((c) => String(c.command).split(' ')[0]))('layerprune %s --help has examples', async (command) => {
    const run = await runCli([command, '--help']);
    expect(run.code).toBe(0);
    const examples = run.stdout.slice(run.stdout.indexOf('\nExamples:\n'));
    expect(examples).toMatch(new RegExp(`^\\nExamples:\\n {2}layerprune ${command}\\b`));
  });

  it('heal\'s defaults are the library\'s except where the CLI says otherwise', () => {
    const { steps, warmup, saveEvery, seqLen, evalSequences, lr, ...shared } = HEAL_CLI_DEFAULTS;
    expect({ steps, warmup, saveEvery, seqLen, evalSequences }).toEqual({ steps: 200, warmup: 10, saveEvery: 50, seqLen: 256, evalSequences: 32 });
    expect(lr).toBe(HEAL_DEFAULTS.learningRate);
    for (const [key, value] of Object.entries(shared)) expect(value, key).toBe(HEAL_DEFAULTS[key as keyof typeof HEAL_DEFAULTS]);
  });
});

describe('analyze: --batch and --batch-size give the same output (bundled model)', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'layerprune-cli-options-'));
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  it('byte-identical analysis.json', async () => {
    const results: string[] = [];
    for (const flag of ['--batch', '--batch-size']) {
      const run = await runCli(['analyze', '--json', '--quiet', '--samples', '12', '--seq-len', '32', flag, '2', '--backend', 'wasm', '--out', join(root, flag)]);
      expect(run.code, run.stderr).toBe(0);
      const result = JSON.parse(run.stdout) as AnalyzeResult;
      results.push(await readFile(result.files.json, 'utf8'));
    }
    expect(results[0]).toBe(results[1]);
  });
});
