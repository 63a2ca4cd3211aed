// Test helpers: run the CLI in-process with captured streams, or the built bin
// as a child process (what a user runs).
import { spawnSync } from 'node:child_process';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { main } from '../main.js';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

function capture(): { stream: NodeJS.WriteStream; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      chunks.push(String(chunk));
      done();
    },
  }) as unknown as NodeJS.WriteStream;
  return { stream, text: () => chunks.join('') };
}

/** Runs `layerprune <args>` in this process. */
export async function runCli(args: string[]): Promise<CliRun> {
  const out = capture();
  const err = capture();
  const code = await main(args, { stdout: out.stream, stderr: err.stream });
  return { code, stdout: out.text(), stderr: err.text() };
}

export const BIN_PATH = fileURLToPath(new URL('../../bin/layerprune.js', import.meta.url));

/** Runs the built bin as a child process (requires `nx build @layerprune/cli`). */
export function runBin(args: string[], options: { cwd?: string; timeoutMs?: number } = {}): CliRun {
  const result = spawnSync(process.execPath, [BIN_PATH, ...args], {
    cwd: options.cwd,
    encoding: 'utf8',
    timeout: options.timeoutMs ?? 120_000,
  });
  return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}
