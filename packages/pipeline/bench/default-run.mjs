// Times `layerprune run` with its defaults (bundled model and data) end to end and
// per stage: the figure behind "the default run finishes in at most 5 minutes on
// 2 cores". Run: npm run bench -w @layerprune/pipeline (after a build).
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultPipelineConfig, mergeConfigInputs, runPipeline, validatePipelineConfig } from '../dist/index.js';

const out = await mkdtemp(join(tmpdir(), 'layerprune-bench-run-'));
const config = validatePipelineConfig(mergeConfigInputs(defaultPipelineConfig(), { out }));
const stages = new Map();
const started = performance.now();
const result = await runPipeline(config, {
  toolVersion: 'bench',
  onEvent: (e) => {
    if (e.kind === 'done') stages.set(e.stage, e.seconds ?? 0);
  },
});
const total = (performance.now() - started) / 1000;
const group = (prefix) => [...stages].filter(([s]) => s.startsWith(prefix)).reduce((a, [, v]) => a + v, 0);
console.log(`default run: ${result.results.runs.length} pruned runs (${new Set(result.results.runs.map((r) => JSON.stringify(r.removed))).size} distinct plans), ${cpus().length} cores, backend ${result.results.environment.backend}`);
console.log(`total ${total.toFixed(1)} s (limit 300 s: ${(total / 300).toFixed(2)} of it)`);
for (const [name, prefix] of [['analyze', 'analyze'], ['evaluate', 'eval'], ['prune', 'prune'], ['heal', 'heal']]) {
  const s = group(prefix);
  console.log(`  ${name.padEnd(9)} ${s.toFixed(1).padStart(6)} s  ${((s / total) * 100).toFixed(0).padStart(3)}%`);
}
await rm(out, { recursive: true, force: true });
