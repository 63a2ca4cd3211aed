import { defaultCalibrationFile, defaultModelDir } from '@layerprune/assets';
import { DistanceTable } from '@layerprune/similarity';
import { describe, expect, it } from 'vitest';
import { analyzeStage, analyzeStageSummary } from './analyze-stage.js';
import { engineFactories } from './engine/engine-factories.js';

describe('analyzeStage on the bundled model and data', () => {
  it('samples, loads, measures; reports data and model before the first pass; summary round-trips the table', async () => {
    const events: string[] = [];
    const result = await analyzeStage({
      modelDir: defaultModelDir(),
      dataFile: defaultCalibrationFile(),
      samples: 16,
      seqLen: 32,
      seed: 3,
      batchSize: 4,
      metric: 'angular',
      backend: 'wasm',
      log: () => undefined,
      onData: (d) => events.push(`data ${d.sequences}`),
      onModel: (m) => events.push(`model ${m.engine} ${m.backend} ${m.mode}`),
      onProgress: (done, total) => events.push(`progress ${done}/${total}`),
    });
    expect(events[0]).toBe(`data ${result.sequences}`);
    expect(events[1]).toBe('model tfjs wasm resident');
    expect(events.at(-1)).toBe(`progress ${result.sequences}/${result.sequences}`);
    expect(result).toMatchObject({ sampled: 16, engine: 'tfjs', backend: 'wasm', mode: 'resident' });
    expect(result.table.samples).toBe(result.sequences);
    expect(result.table.tokens).toBe(result.tokens);
    expect(result.tokens).toBeLessThanOrEqual(16 * 32);

    const summary = analyzeStageSummary(result, 'angular');
    // What a run records is JSON, and gives back the same table.
    const restored = DistanceTable.fromJSON(JSON.parse(JSON.stringify(summary)).table);
    expect(restored.rows().map((r) => Array.from(r.values))).toEqual(summary.distances);
    expect(summary.optimal).toEqual(result.table.recommendations().map((b) => ({ n: b.n, start: b.start, distance: b.distance })));
    expect(summary).toMatchObject({ metric: 'angular', samples: result.sequences, tokens: result.tokens, engine: 'tfjs', backend: 'wasm', mode: 'resident', sampled: 16 });
  });

  it('the same inputs give the same table (seeded sample, deterministic forward)', async () => {
    const input = { modelDir: defaultModelDir(), dataFile: defaultCalibrationFile(), samples: 8, seqLen: 24, seed: 9, batchSize: 3, metric: 'bi' as const, backend: 'wasm' as const, log: () => undefined };
    const [a, b] = [await analyzeStage(input), await analyzeStage(input)];
    expect(b.table.toJSON()).toEqual(a.table.toJSON());
  });

  it('on the onnx engine: the same table to 1e-5, recorded as onnx on cpu', async () => {
    const input = { modelDir: defaultModelDir(), dataFile: defaultCalibrationFile(), samples: 8, seqLen: 24, seed: 9, batchSize: 3, metric: 'angular' as const, log: () => undefined };
    const tfjs = await analyzeStage({ ...input, engine: await engineFactories('tfjs', { backend: 'wasm' }) });
    const onnx = await analyzeStage({ ...input, engine: await engineFactories('onnx', { threads: 2 }) });
    expect(onnx).toMatchObject({ engine: 'onnx', backend: 'cpu', sequences: tfjs.sequences, tokens: tfjs.tokens });
    const [a, b] = [tfjs.table.rows(), onnx.table.rows()];
    expect(b.map((r) => r.n)).toEqual(a.map((r) => r.n));
    for (const [i, row] of a.entries()) row.values.forEach((v, l) => expect(Math.abs(b[i].values[l] - v), `n=${row.n} l=${l}`).toBeLessThan(1e-5));
    expect(analyzeStageSummary(onnx, 'angular')).toMatchObject({ engine: 'onnx', backend: 'cpu' });
  });
});
