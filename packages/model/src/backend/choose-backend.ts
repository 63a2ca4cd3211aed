// Pure backend-choice logic, with the module loader and the activation step
// injected so tests can simulate native packages that are present, absent or
// broken. `auto` walks the candidates fastest first and takes the first that
// both imports and initialises.
import { ModelError } from '../errors.js';

export type BackendName = 'auto' | 'tensorflow-gpu' | 'tensorflow' | 'wasm' | 'cpu';
export type ConcreteBackend = Exclude<BackendName, 'auto'>;

export const BACKEND_NAMES: readonly BackendName[] = ['auto', 'tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'];

export interface BackendCandidate {
  name: ConcreteBackend;
  /** Package that registers the backend on import, or null when built into @tensorflow/tfjs. */
  module: string | null;
  /** Name tfjs knows the backend by. */
  tfjsName: string;
  installHint: string;
}

export const BACKEND_CANDIDATES: readonly BackendCandidate[] = [
  { name: 'tensorflow-gpu', module: '@tensorflow/tfjs-node-gpu', tfjsName: 'tensorflow', installHint: 'npm install @tensorflow/tfjs-node-gpu (Linux x64 with CUDA)' },
  { name: 'tensorflow', module: '@tensorflow/tfjs-node', tfjsName: 'tensorflow', installHint: 'npm install @tensorflow/tfjs-node' },
  { name: 'wasm', module: '@tensorflow/tfjs-backend-wasm', tfjsName: 'wasm', installHint: 'npm install @tensorflow/tfjs-backend-wasm' },
  { name: 'cpu', module: null, tfjsName: 'cpu', installHint: 'part of @tensorflow/tfjs' },
];

export interface BackendDeps {
  /** Imports a package; may reject (MODULE_NOT_FOUND) or throw synchronously (a native binding that is missing). */
  importModule(specifier: string): Promise<unknown>;
  /** Makes `tfjsName` the active tfjs backend; resolves false (or throws) when it cannot initialise. */
  activate(tfjsName: string): Promise<boolean>;
}

export interface BackendChoice {
  chosen: BackendCandidate;
  /** Candidates tried before the chosen one, with why each was skipped. */
  skipped: { name: ConcreteBackend; reason: string }[];
}

function describe(error: unknown): string {
  const err = error as { code?: unknown; message?: unknown };
  if (err?.code === 'ERR_MODULE_NOT_FOUND' || err?.code === 'MODULE_NOT_FOUND') return 'not installed';
  const message = typeof err?.message === 'string' ? err.message : String(error);
  // A bundler's stand-in for a missing optional peer dependency (Vite, vitest:
  // 'Could not resolve "@tensorflow/tfjs-node" imported by "@layerprune/model". Is it installed?').
  if (/^Could not resolve "[^"]+" imported by "[^"]+"/.test(message)) return 'not installed';
  return message.split('\n')[0].slice(0, 200);
}

async function tryCandidate(candidate: BackendCandidate, deps: BackendDeps): Promise<string | null> {
  try {
    // Called inside try: a loader may throw synchronously as well as reject.
    if (candidate.module !== null) await deps.importModule(candidate.module);
    const ok = await deps.activate(candidate.tfjsName);
    return ok ? null : 'failed to initialise';
  } catch (error) {
    return describe(error);
  }
}

export function isBackendName(value: unknown): value is BackendName {
  return typeof value === 'string' && (BACKEND_NAMES as readonly string[]).includes(value);
}

/** Chooses and activates a backend; ModelError BACKEND_UNAVAILABLE when an explicit choice (or every candidate) fails. */
export async function chooseBackend(name: BackendName, deps: BackendDeps): Promise<BackendChoice> {
  if (!isBackendName(name)) {
    throw new ModelError('INVALID_OPTION', `backend ${JSON.stringify(name)} is not one of ${BACKEND_NAMES.join(', ')}`, {
      field: 'backend',
      limit: BACKEND_NAMES.join(', '),
    });
  }
  const candidates = name === 'auto' ? BACKEND_CANDIDATES : BACKEND_CANDIDATES.filter((c) => c.name === name);
  const skipped: BackendChoice['skipped'] = [];
  for (const candidate of candidates) {
    const failure = await tryCandidate(candidate, deps);
    if (failure === null) return { chosen: candidate, skipped };
    skipped.push({ name: candidate.name, reason: failure });
  }
  const reasons = skipped.map((s) => `${s.name}: ${s.reason}`).join('; ');
  const hint = name === 'auto' ? '' : ` (install with: ${candidates[0].installHint})`;
  throw new ModelError('BACKEND_UNAVAILABLE', `backend ${name} is unavailable: ${reasons}${hint}`, { field: 'backend', limit: name });
}
