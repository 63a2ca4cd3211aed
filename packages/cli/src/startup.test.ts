// `layerprune --version` and `--help` must not load TensorFlow.js, the model
// runtime, the pipeline or any command's implementation (issue 16): the built bin
// is run with a module-resolution hook that records every module it loads, and
// the list is checked. A command's implementation imported eagerly again (in
// main.ts, commands/index.ts or an options module) makes these tests fail.
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN_PATH, runCli } from './testing/run-cli.js';

// Two small files written to a temp directory: a preload (`node --import`) that
// registers a resolve hook, and the hook, which appends every resolved module URL
// to $LAYERPRUNE_TRACE_FILE. CommonJS packages such as @tensorflow/tfjs enter
// through an ESM import (resolved by the hook) or a require(): the preload also
// writes require.cache when the process exits.
const HOOK = `import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  appendFileSync(process.env.LAYERPRUNE_TRACE_FILE, result.url + '\\n');
  return result;
}
`;
const PRELOAD = (hookUrl: string): string => `import { appendFileSync } from 'node:fs';
import { createRequire, register } from 'node:module';
import { join } from 'node:path';
register(${JSON.stringify(hookUrl)});
process.on('exit', () => {
  const cached = Object.keys(createRequire(join(process.cwd(), 'noop.js')).cache);
  for (const path of cached) appendFileSync(process.env.LAYERPRUNE_TRACE_FILE, 'file://' + path + '\\n');
});
`;

/** Module URLs that must not be loaded to print help or the version. */
const HEAVY: { what: string; pattern: RegExp }[] = [
  { what: 'TensorFlow.js', pattern: /@tensorflow[/\\]/ },
  { what: 'the model runtime', pattern: /packages[/\\]model[/\\]|@layerprune[/\\]model[/\\]/ },
  { what: 'ONNX Runtime', pattern: /onnxruntime|packages[/\\]engine-onnx[/\\]|@layerprune[/\\]engine-onnx[/\\]/ },
  { what: 'the pipeline', pattern: /packages[/\\]pipeline[/\\]|@layerprune[/\\]pipeline[/\\]/ },
  { what: 'LoRA', pattern: /packages[/\\]lora[/\\]|@layerprune[/\\]lora[/\\]/ },
  { what: 'surgery', pattern: /packages[/\\]surgery[/\\]|@layerprune[/\\]surgery[/\\]/ },
  { what: 'evaluation', pattern: /packages[/\\]eval[/\\]|@layerprune[/\\]eval[/\\]/ },
  { what: 'figures', pattern: /packages[/\\]figures[/\\]|@layerprune[/\\]figures[/\\]/ },
  { what: 'quantization', pattern: /packages[/\\]quant[/\\]|@layerprune[/\\]quant[/\\]/ },
  { what: 'the progress bar', pattern: /cli-progress/ },
  // The commands' implementations (analyze.js, heal.js...), as opposed to their options modules.
  { what: 'a command implementation', pattern: /cli[/\\]dist[/\\]commands[/\\](?!index\.js$)(?![a-z]+-options\.js$)[^/\\]+\.js$/ },
];

let root: string;
let preload: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'layerprune-startup-'));
  const hook = join(root, 'trace-hook.mjs');
  await writeFile(hook, HOOK);
  preload = join(root, 'trace-preload.mjs');
  await writeFile(preload, PRELOAD(pathToFileURL(hook).href));
});
afterAll(() => rm(root, { recursive: true, force: true }));

let traces = 0;
/** Runs the built bin with `args` and returns its exit code, stdout and every module URL it loaded. */
async function traceBin(args: string[]): Promise<{ code: number; stdout: string; stderr: string; modules: string[] }> {
  const file = join(root, `trace-${traces++}.txt`);
  const run = spawnSync(process.execPath, ['--import', pathToFileURL(preload).href, BIN_PATH, ...args], {
    encoding: 'utf8',
    env: { ...process.env, LAYERPRUNE_TRACE_FILE: file },
    timeout: 60_000,
  });
  const text = await readFile(file, 'utf8').catch(() => '');
  const modules = [...new Set(text.split('\n').filter((line) => line !== ''))];
  return { code: run.status ?? -1, stdout: run.stdout, stderr: run.stderr, modules };
}

/** "what: url" for every loaded module that is heavy. */
function heavyModules(modules: string[]): string[] {
  return modules.flatMap((url) => HEAVY.filter((h) => h.pattern.test(url)).map((h) => `${h.what}: ${url}`));
}

describe('start-up loads no heavy module (built bin)', () => {
  it('the trace sees what a command loads: `analyze` loads its implementation and TensorFlow.js', async () => {
    // The check's own check: a command that runs (here it stops at once, on a bad
    // option) must show up with its modules, so an empty or broken trace, or a
    // pattern that matches nothing, cannot pass the tests below.
    const run = await traceBin(['analyze', '--samples', '0', '--out', join(root, 'never-written')]);
    expect(run.stderr).toMatch(/^error \[INVALID_OPTION\]: --samples/);
    expect(run.modules.some((url) => url.endsWith('/cli/dist/main.js'))).toBe(true);
    const heavy = heavyModules(run.modules);
    for (const what of ['TensorFlow.js', 'the model runtime', 'the pipeline', 'a command implementation']) {
      expect(heavy.some((line) => line.startsWith(`${what}: `)), what).toBe(true);
    }
  });

  it('layerprune --version: answered by the bin before yargs loads, with the same output as the CLI shell', async () => {
    const run = await traceBin(['--version']);
    expect(run.code, run.stderr).toBe(0);
    const shell = await runCli(['--version']);
    expect(shell.code).toBe(0);
    expect(run.stdout).toBe(shell.stdout);
    expect(run.stdout).toMatch(/^\d+\.\d+\.\d+/);
    expect(run.modules.some((url) => url.endsWith('/cli/dist/main.js') || /[/\\]yargs[/\\]/.test(url))).toBe(false);
  });

  for (const args of [['--help'], ['analyze', '--help'], ['heal', '--help'], ['run', '--help']]) {
    it(`layerprune ${args.join(' ')}`, async () => {
      const run = await traceBin(args);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout.length).toBeGreaterThan(0);
      expect(run.modules.some((url) => url.endsWith('/cli/dist/main.js'))).toBe(true);
      expect(heavyModules(run.modules)).toEqual([]);
    });
  }

  it('`generate --engine tfjs` runs without loading ONNX Runtime or the onnx engine; `--engine onnx` loads them', async () => {
    const generate = (engine: string) => traceBin(['generate', '--prompt', 'Once', '--max-tokens', '1', '--temperature', '0', '--engine', engine, '--quiet']);
    const onnxLines = (modules: string[]): string[] => heavyModules(modules).filter((line) => line.startsWith('ONNX Runtime: '));
    const tfjs = await generate('tfjs');
    expect(tfjs.code, tfjs.stderr).toBe(0);
    expect(heavyModules(tfjs.modules).some((line) => line.startsWith('TensorFlow.js: '))).toBe(true);
    expect(onnxLines(tfjs.modules)).toEqual([]);
    // The pattern's own check: the same command on onnx shows up in the trace.
    const onnx = await generate('onnx');
    expect(onnx.code, onnx.stderr).toBe(0);
    expect(onnxLines(onnx.modules).length).toBeGreaterThan(0);
  });

  it('`analyze --help` loads the analyze options module, not the other commands\' implementations', async () => {
    const run = await traceBin(['analyze', '--help']);
    expect(run.stdout).toContain('--batch-size');
    expect(run.modules.some((url) => url.endsWith('/commands/analyze-options.js'))).toBe(true);
    expect(run.modules.filter((url) => /commands[/\\](analyze|heal|eval|run|prune|quantize|generate|inspect)\.js$/.test(url))).toEqual([]);
  });
});
