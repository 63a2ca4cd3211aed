// Picks the engine a model runs on from an ordered list of factories: the first
// that supports the architecture and whose runtime loads. Each skipped engine is
// named with its reason in the log line, so `auto` never hides why it fell back.
import type { Architecture } from '../config/resolve-architecture.js';
import { ModelError } from '../errors.js';
import type { EngineFactory, PreparedEngine } from './engine-factory.js';

export interface EngineChoice {
  prepared: PreparedEngine;
  skipped: { name: string; reason: string }[];
}

export async function chooseEngine(factories: readonly EngineFactory[], arch: Architecture, log: (line: string) => void): Promise<EngineChoice> {
  if (factories.length === 0) throw new ModelError('INVALID_OPTION', `${arch.source}: no engine to run the model on`, { field: 'engine' });
  const skipped: { name: string; reason: string }[] = [];
  for (const [i, factory] of factories.entries()) {
    const last = i === factories.length - 1;
    const reason = factory.unsupportedReason(arch);
    if (reason !== null) {
      if (last && skipped.length === 0) {
        throw new ModelError('ENGINE_UNSUPPORTED', `${arch.source}: the ${factory.name} engine cannot run this model: ${reason}`, { file: arch.source, field: 'engine', limit: factory.name });
      }
      skipped.push({ name: factory.name, reason });
      continue;
    }
    try {
      const prepared = await factory.prepare(log);
      if (factories.length > 1 || skipped.length > 0) {
        const why = skipped.length > 0 ? ` (${skipped.map((s) => `${s.name}: ${s.reason}`).join('; ')})` : '';
        log(`layerprune: engine ${prepared.name} on ${prepared.backend}${why}`);
      }
      return { prepared, skipped };
    } catch (error) {
      if (last) {
        if (skipped.length === 0) throw error;
        const tried = [...skipped, { name: factory.name, reason: (error as Error).message }];
        throw new ModelError('ENGINE_UNAVAILABLE', `${arch.source}: no engine could run this model (${tried.map((s) => `${s.name}: ${s.reason}`).join('; ')})`, { file: arch.source, field: 'engine', cause: error });
      }
      skipped.push({ name: factory.name, reason: (error as Error).message });
    }
  }
  throw new Error('unreachable');
}
