// A pipeline config small enough for tests (seconds, not minutes) on the bundled
// model: a 3 KB held-out text, one MMLU subject, a few healing steps.
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { defaultHeldoutFile, defaultMmluDir } from '@layerprune/assets';
import { defaultPipelineConfig } from '../default-config.js';
import { mergeConfigInputs, validatePipelineConfig, type PipelineConfig, type PipelineConfigInput } from '../pipeline-config.js';

export async function tinyEvalData(dir: string): Promise<string[]> {
  const heldout = join(dir, 'heldout-small.txt');
  await writeFile(heldout, (await readFile(defaultHeldoutFile(), 'utf8')).slice(0, 3000));
  const mmlu = join(dir, 'mmlu-astronomy');
  for (const split of ['dev', 'test']) {
    await mkdir(join(mmlu, split), { recursive: true });
    await copyFile(join(defaultMmluDir(), split, `astronomy_${split}.csv`), join(mmlu, split, `astronomy_${split}.csv`));
  }
  return [`loss:${heldout}`, `mmlu:${mmlu}`];
}

export function tinyPipelineInput(evalTasks: string[], out: string): PipelineConfigInput {
  return {
    out,
    eval: evalTasks,
    fractions: [0.2, 0.4],
    analysis: { samples: 24, seqLen: 64 },
    evaluation: { limit: 4, shots: 5 },
    heal: { steps: 4, batch: 2, microBatch: 2, seqLen: 32, saveEvery: 2, warmup: 1 },
  };
}

export function tinyPipelineConfig(evalTasks: string[], out: string): PipelineConfig {
  return validatePipelineConfig(mergeConfigInputs(defaultPipelineConfig(), tinyPipelineInput(evalTasks, out)));
}
