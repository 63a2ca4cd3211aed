// Process-wide backend selection for TensorFlow.js (the tfjs engine is a
// global). Idempotent: asking again for what is already active does nothing
// and logs nothing; the chosen backend is logged once per change.
import * as tf from '@tensorflow/tfjs';
import { chooseBackend } from './choose-backend.js';
import type { BackendDeps, BackendName, ConcreteBackend } from './choose-backend.js';

export const defaultBackendDeps: BackendDeps = {
  importModule: (specifier) => import(specifier),
  activate: async (tfjsName) => {
    const ok = await tf.setBackend(tfjsName);
    if (ok) await tf.ready();
    return ok && tf.getBackend() === tfjsName;
  },
};

interface ActiveBackend {
  requested: BackendName;
  chosen: ConcreteBackend;
  tfjsName: string;
}

let active: ActiveBackend | null = null;
let pending: Promise<ConcreteBackend> = Promise.resolve('cpu');

function defaultLog(line: string): void {
  process.stderr.write(`${line}\n`);
}

async function select(name: BackendName, log: (line: string) => void, deps: BackendDeps): Promise<ConcreteBackend> {
  if (active && (active.requested === name || active.chosen === name) && tf.getBackend() === active.tfjsName) return active.chosen;
  const { chosen, skipped } = await chooseBackend(name, deps);
  active = { requested: name, chosen: chosen.name, tfjsName: chosen.tfjsName };
  const why = skipped.length > 0 ? ` (${skipped.map((s) => `${s.name}: ${s.reason}`).join('; ')})` : '';
  log(`layerprune: TensorFlow.js backend ${chosen.name}${why}`);
  return chosen.name;
}

/**
 * Activates a TensorFlow.js backend: `auto` tries tensorflow-gpu (@tensorflow/tfjs-node-gpu),
 * tensorflow (@tensorflow/tfjs-node), wasm, then cpu. Returns the concrete backend name.
 * Concurrent calls are serialised.
 */
export function selectBackend(name: BackendName = 'auto', log: (line: string) => void = defaultLog, deps: BackendDeps = defaultBackendDeps): Promise<ConcreteBackend> {
  const next = pending.catch(() => 'cpu' as const).then(() => select(name, log, deps));
  pending = next;
  return next;
}

/** The backend chosen by the last successful selectBackend call, or null. */
export function activeBackend(): ConcreteBackend | null {
  return active && tf.getBackend() === active.tfjsName ? active.chosen : null;
}
