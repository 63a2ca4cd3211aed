// Time to render the figures headless, for a Llama-2-7B-sized (32 layers) and a
// Llama-2-70B-sized (80 layers) distance table. Run: npm run bench -w @layerprune/figures.
import { renderDistanceHeatmap, renderLineChart, renderMinDistanceCurve } from '../dist/index.js';

function rows(L) {
  return Array.from({ length: L - 1 }, (_, i) => ({ n: i + 1, values: Array.from({ length: L - i }, (_, l) => Math.min(1, 0.02 * (i + 1) + 0.3 * Math.abs(Math.sin(l)))) }));
}

async function time(fn, repeats = 3) {
  await fn();
  const t0 = performance.now();
  let bytes = 0;
  for (let i = 0; i < repeats; i++) bytes = (await fn()).length;
  return { ms: (performance.now() - t0) / repeats, bytes };
}

const results = {};
for (const L of [32, 80]) {
  const r = rows(L);
  results[`heatmap L=${L}`] = await time(() => renderDistanceHeatmap({ rows: r }));
  results[`curve L=${L}`] = await time(() => renderMinDistanceCurve({ points: r.map((x) => ({ n: x.n, distance: Math.min(...x.values) })) }));
}
results['loss curve 5000 steps'] = await time(() => renderLineChart({ series: [{ name: 'loss', points: Array.from({ length: 5000 }, (_, x) => ({ x, y: 3 / (1 + x / 300) })) }], xTitle: 'step', yTitle: 'loss' }));
const base = results['heatmap L=32'].ms;
for (const [name, { ms, bytes }] of Object.entries(results)) {
  console.log(`${name.padEnd(22)} ${ms.toFixed(0).padStart(5)} ms  ${(bytes / 1024).toFixed(0).padStart(5)} KiB SVG  (${(ms / base).toFixed(2)}x heatmap L=32)`);
}
