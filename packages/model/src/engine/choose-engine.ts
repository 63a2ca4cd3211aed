// Picks the engine a model runs on from an ordered list of factories: the first
// that supports the architecture and whose runtime loads. Each skipped engine is
// named with its reason in the log line, so `auto` never hides why it fell back.
import type { Architecture } from '../config/resolve-architecture.js';
import { ModelError } from '../errors.js';
import type { EngineFactory, PreparedEngine } from './engine-factory.js';
import { chooseFirstFactory, describeSkipped, type SkippedFactory } from './choose-first-factory.js';

export interface EngineChoice {
  prepared: PreparedEngine;
  skipped: SkippedFactory[];
}

export async function chooseEngine(factories: readonly EngineFactory[], arch: Architecture, log: (line: string) => void): Promise<EngineChoice> {
  if (factories.length === 0) throw new ModelError('INVALID_OPTION', `${arch.source}: no engine to run the model on`, { field: 'engine' });
  return chooseFirstFactory<EngineFactory, PreparedEngine>(factories, {
    unsupportedReason: (factory) => factory.unsupportedReason(arch),
    prepare: (factory) => factory.prepare(log),
    unsupported: (factory, reason) =>
      new ModelError('ENGINE_UNSUPPORTED', `${arch.source}: the ${factory.name} engine cannot run this model: ${reason}`, { file: arch.source, field: 'engine', limit: factory.name }),
    unavailable: (tried, cause) => new ModelError('ENGINE_UNAVAILABLE', `${arch.source}: no engine could run this model (${describeSkipped(tried)})`, { file: arch.source, field: 'engine', cause }),
    chosen: (prepared, skipped) => log(`layerprune: engine ${prepared.name} on ${prepared.backend}${skipped.length > 0 ? ` (${describeSkipped(skipped)})` : ''}`),
  });
}
