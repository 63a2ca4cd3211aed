// Picks the engine that trains the adapters from an ordered list of factories by
// @layerprune/model's chooseFirstFactory, the rule of inference's chooseEngine: the first that
// supports the model at these bits and whose runtime loads. Each skipped engine
// is named with its reason in the log line, so `auto` never hides why it fell back.
import { chooseFirstFactory, describeSkipped, type SkippedFactory } from '@layerprune/model';
import type { BaseBits } from '../frozen-base.js';
import { LoraError } from '../lora-error.js';
import type { TrainModelConfig } from '../train-model-config.js';
import type { PreparedTrainer, TrainerFactory } from './lora-trainer.js';

export interface TrainerChoice {
  prepared: PreparedTrainer;
  skipped: SkippedFactory[];
}

/**
 * `where` starts every message (the model directory). One factory that cannot
 * train the model: LoraError ENGINE_UNSUPPORTED with its reason; one whose runtime
 * does not load: its own error; several that all fail: ENGINE_UNAVAILABLE naming
 * each with its reason. The choice is logged when there was one.
 */
export async function chooseTrainer(
  factories: readonly TrainerFactory[],
  config: TrainModelConfig,
  bits: BaseBits,
  seqLen: number,
  where: string,
  log: (line: string) => void,
): Promise<TrainerChoice> {
  if (factories.length === 0) throw new LoraError('CONFIG_INVALID', `${where}: no engine to train the adapters on`, { field: 'engine' });
  return chooseFirstFactory<TrainerFactory, PreparedTrainer>(factories, {
    unsupportedReason: (factory) => factory.unsupportedReason(config, bits, seqLen),
    prepare: (factory) => factory.prepare(log),
    unsupported: (factory, reason) =>
      new LoraError('ENGINE_UNSUPPORTED', `${where}: the ${factory.name} engine cannot train this model: ${reason}`, { file: where, field: 'engine', limit: factory.name }),
    unavailable: (tried, cause) => new LoraError('ENGINE_UNAVAILABLE', `${where}: no engine could train this model (${describeSkipped(tried)})`, { file: where, field: 'engine', cause }),
    chosen: (prepared, skipped) => log(`layerprune: training engine ${prepared.name} on ${prepared.backend}${skipped.length > 0 ? ` (${describeSkipped(skipped)})` : ''}`),
  });
}
