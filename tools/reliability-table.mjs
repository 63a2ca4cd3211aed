#!/usr/bin/env node
// Runs the reliability suite (packages/cli/src/reliability, issue 12) and prints
// the README's table: per point, the tests, how many passed, and how many times
// the bin was run. Build first (`npx tsc -b packages/cli/tsconfig.json`).
// Usage: node tools/reliability-table.mjs
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(fileURLToPath(new URL('.', import.meta.url)), '..');
const cli = join(root, 'packages', 'cli');
const work = mkdtempSync(join(tmpdir(), 'reliability-table-'));
const log = join(work, 'runs.jsonl');
const report = join(work, 'report.json');
const run = spawnSync('npx', ['vitest', 'run', 'src/reliability', '--reporter=json', `--outputFile=${report}`], {
  cwd: cli,
  env: { ...process.env, LAYERPRUNE_RELIABILITY_LOG: log },
  stdio: ['ignore', 'ignore', 'inherit'],
});
const results = JSON.parse(readFileSync(report, 'utf8'));
const runs = readFileSync(log, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
rmSync(work, { recursive: true, force: true });

const POINTS = {
  '01': 'never write inside an input; --force only on our outputs',
  '02': 'run --resume after any interruption, by content',
  '03': 'one writer per output (lock)',
  '04': 'bounded reads',
  '05': 'models validated before work; symlinks (point 9)',
  '06': 'options range-checked',
  '07': 'no partial outputs',
  '08': 'terminal safety',
};
const rows = [];
let totals = { tests: 0, passed: 0, runs: 0 };
for (const file of results.testResults.sort((a, b) => a.name.localeCompare(b.name))) {
  const name = file.name.split('/').pop();
  const point = name.slice(0, 2);
  const tests = file.assertionResults.length;
  const passed = file.assertionResults.filter((t) => t.status === 'passed').length;
  const binRuns = runs.filter((r) => r.file === name).length;
  totals = { tests: totals.tests + tests, passed: totals.passed + passed, runs: totals.runs + binRuns };
  rows.push(`| ${Number(point)} | ${POINTS[point] ?? name} | \`${name}\` | ${tests} | ${passed} | ${binRuns} |`);
}
console.log('| point | what | test file | tests | passed | bin runs |');
console.log('|---|---|---|---|---|---|');
for (const row of rows) console.log(row);
console.log(`| | total | | ${totals.tests} | ${totals.passed} | ${totals.runs} |`);
process.exitCode = run.status ?? 1;
