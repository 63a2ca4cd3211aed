// Benchmark: start-up time of the built `layerprune` bin for the commands that
// only print (no model is loaded): --version, --help, analyze --help. Each runs
// in a fresh process, RUNS times after WARMUP runs; prints the median and the
// minimum wall time in ms, with `node -e ""` (Node alone) for reference and the
// load average (other work on the machine slows every figure).
// Run: npm run bench -w @layerprune/cli   (after the build; RUNS=30 for more runs)
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../bin/layerprune.js', import.meta.url));
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const RUNS = Number(process.env.RUNS ?? 10);
const WARMUP = 2;

const cases = [
  { label: 'node -e ""  (Node alone)', args: ['-e', ''] },
  { label: 'layerprune --version', args: [bin, '--version'] },
  { label: 'layerprune --help', args: [bin, '--help'] },
  { label: 'layerprune analyze --help', args: [bin, 'analyze', '--help'] },
  // What a user types in the repository: npm exec finds node_modules/.bin/layerprune.
  // (A `bin` in the root package.json would make npm treat it as running the root
  // package itself and load the whole dependency tree first: about 1 s.)
  { label: 'npx layerprune --version', command: 'npx', args: ['layerprune', '--version'] },
];

function time({ command = process.execPath, args }) {
  const start = performance.now();
  const run = spawnSync(command, args, { encoding: 'utf8', cwd: repoRoot });
  const ms = performance.now() - start;
  if (run.status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${run.status}: ${run.stderr}`);
  return ms;
}

console.log(`layerprune start-up: ${RUNS} runs each after ${WARMUP} warm-up runs, wall time; load average ${loadavg()[0].toFixed(2)}`);
console.log(`${'command'.padEnd(28)} ${'median'.padStart(9)} ${'min'.padStart(9)}`);
for (const c of cases) {
  for (let i = 0; i < WARMUP; i++) time(c);
  const times = Array.from({ length: RUNS }, () => time(c)).sort((a, b) => a - b);
  const median = times.length % 2 === 1 ? times[(times.length - 1) / 2] : (times[times.length / 2 - 1] + times[times.length / 2]) / 2;
  console.log(`${c.label.padEnd(28)} ${`${median.toFixed(0)} ms`.padStart(9)} ${`${times[0].toFixed(0)} ms`.padStart(9)}`);
}
