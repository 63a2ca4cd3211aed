// A small but complete RunResults for tests: distances follow a known formula so
// tests can check the argmin and the table against values computed here.
import type { RunResults } from '../run-results.js';

export function sampleResults(layers = 6): RunResults {
  // d(l, n) grows with n and is smallest near the deep end but not at the last block.
  const d = (l: number, n: number): number => Math.min(1, 0.05 * n + 0.02 * Math.abs(l - (layers - n - 1)) + (l + n === layers ? 0.3 : 0));
  const distances: number[][] = [];
  const optimal: RunResults['analysis']['optimal'] = [];
  for (let n = 1; n < layers; n++) {
    const row = Array.from({ length: layers - n + 1 }, (_, l) => d(l, n));
    distances.push(row);
    const start = row.indexOf(Math.min(...row));
    optimal.push({ n, start, distance: row[start] });
  }
  const runs: RunResults['runs'] = [];
  for (const method of ['similarity', 'deepest'] as const) {
    for (const n of [1, 2, 3]) {
      const start = method === 'similarity' ? optimal[n - 1].start : layers - n - 1;
      runs.push({
        id: `${method}-n${n}`,
        method,
        fraction: n / layers,
        n,
        removed: [[start, start + n]],
        layersKept: layers - n,
        parameters: 1000 * (layers - n) + 500,
        bytes: 4000 * (layers - n) + 2000,
        before: { loss: 2 + 0.4 * n, 'mmlu.acc': 0.26 - 0.001 * n },
        after: { loss: 2 + 0.1 * n, 'mmlu.acc': 0.255 },
        healing: { steps: 4, seconds: 1.5 * n, tokens: 4096, finalLoss: 2.1, curve: [0, 1, 2, 3].map((s) => ({ step: s + 1, loss: 3 - 0.2 * s })) },
      });
    }
  }
  return {
    schemaVersion: 1,
    tool: { name: 'layerprune', version: '0.1.0' },
    createdAt: '2026-11-29T00:00:00.000Z',
    commands: ['npx layerprune run'],
    environment: { node: 'v20.20.2', platform: 'linux x64', backend: 'wasm', packages: { '@layerprune/cli': '0.1.0' } },
    model: { dir: '/models/tiny', name: 'tiny', modelType: 'llama', layers, parameters: 1000 * layers + 500, bytes: 4000 * layers + 2000 },
    data: { calibration: 'calibration.txt', evaluation: { loss: 'heldout.txt' } },
    analysis: { metric: 'angular', samples: 32, tokens: 4096, distances, optimal },
    metrics: [
      { key: 'loss', label: 'held-out loss', better: 'lower', format: 'number' },
      { key: 'mmlu.acc', label: 'MMLU accuracy', better: 'higher', chance: 0.25, format: 'percent', count: 100, countUnit: 'questions' },
    ],
    baseline: { loss: 2, 'mmlu.acc': 0.26 },
    runs,
    seconds: 42,
  };
}
