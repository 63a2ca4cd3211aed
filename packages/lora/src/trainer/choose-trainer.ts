// Picks the engine that trains the adapters from an ordered list of factories, as
// @layerprune/model's chooseEngine picks the inference engine: the first that
// supports the model at these bits and whose runtime loads. Each skipped engine
// is named with its reason in the log line, so `auto` never hides why it fell back.
import type { BaseBits } from '../frozen-base.js';
import { LoraError } from '../lora-error.js';
import type { TrainModelConfig } from '../train-model-config.js';
import type { PreparedTrainer, TrainerFactory } from './lora-trainer.js';

export interface TrainerChoice {
  prepared: PreparedTrainer;
  skipped: { name: string; reason: string }[];
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
  where: string,
  log: (line: string) => void,
): Promise<TrainerChoice> {
  if (factories.length === 0) throw new LoraError('CONFIG_INVALID', `${where}: no engine to train the adapters on`, { field: 'engine' });
  const skipped: { name: string; reason: string }[] = [];
  for (const [i, factory] of factories.entries()) {
    const last = i === factories.length - 1;
    const reason = factory.unsupportedReason(config, bits);
    if (reason !== null) {
      if (last && skipped.length === 0) {
        throw new LoraError('ENGINE_UNSUPPORTED', `${where}: the ${factory.name} engine cannot train this model: ${reason}`, { file: where, field: 'engine', limit: factory.name });
      }
      skipped.push({ name: factory.name, reason });
      continue;
    }
    try {
      const prepared = await factory.prepare(log);
      if (factories.length > 1 || skipped.length > 0) {
        const why = skipped.length > 0 ? ` (${skipped.map((s) => `${s.name}: ${s.reason}`).join('; ')})` : '';
        log(`layerprune: training engine ${prepared.name} on ${prepared.backend}${why}`);
      }
      return { prepared, skipped };
    } catch (error) {
      if (last) {
        if (skipped.length === 0) throw error;
        const tried = [...skipped, { name: factory.name, reason: (error as Error).message }];
        throw new LoraError('ENGINE_UNAVAILABLE', `${where}: no engine could train this model (${tried.map((s) => `${s.name}: ${s.reason}`).join('; ')})`, {
          file: where,
          field: 'engine',
          cause: error,
        });
      }
      skipped.push({ name: factory.name, reason: (error as Error).message });
    }
  }
  throw new Error('unreachable');
}
