import { describe, expect, it } from 'vitest';
import { chooseBackend } from './choose-backend.js';
import type { BackendDeps } from './choose-backend.js';
import { activeBackend, selectBackend } from './select-backend.js';

type Behaviour = 'present' | 'absent' | 'sync-throw' | 'init-fails';

/** A fake loader: each native package is present, absent (MODULE_NOT_FOUND), or present with a missing binding. */
function fakeDeps(packages: Record<string, Behaviour>): BackendDeps & { imported: string[]; activated: string[] } {
  const imported: string[] = [];
  const activated: string[] = [];
  let lastImported = '';
  return {
    imported,
    activated,
    importModule(specifier) {
      imported.push(specifier);
      lastImported = specifier;
      const behaviour = packages[specifier] ?? 'present';
      if (behaviour === 'absent') {
        return Promise.reject(Object.assign(new Error(`Cannot find package '${specifier}'`), { code: 'ERR_MODULE_NOT_FOUND' }));
      }
      // tfjs-node without its native binary throws synchronously from require.
      if (behaviour === 'sync-throw') throw new Error('The specified module could not be found.\n.../tfjs_binding.node');
      return Promise.resolve({});
    },
    async activate(name) {
      activated.push(name);
      const ok = packages[lastImported] !== 'init-fails';
      lastImported = ''; // cpu imports nothing before activation
      return ok;
    },
  };
}

describe('chooseBackend', () => {
  it('auto falls back past absent and broken native packages to wasm', async () => {
    const deps = fakeDeps({ '@tensorflow/tfjs-node-gpu': 'absent', '@tensorflow/tfjs-node': 'sync-throw' });
    const choice = await chooseBackend('auto', deps);
    expect(choice.chosen.name).toBe('wasm');
    expect(choice.skipped).toEqual([
      { name: 'tensorflow-gpu', reason: 'not installed' },
      { name: 'tensorflow', reason: 'The specified module could not be found.' },
    ]);
    expect(deps.imported).toEqual(['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node', '@tensorflow/tfjs-backend-wasm']);
    expect(deps.activated).toEqual(['wasm']);
  });

  it('auto takes tfjs-node-gpu when it loads', async () => {
    const deps = fakeDeps({});
    const choice = await chooseBackend('auto', deps);
    expect(choice.chosen.name).toBe('tensorflow-gpu');
    expect(deps.activated).toEqual(['tensorflow']);
  });

  it('auto falls back to cpu when wasm cannot initialise', async () => {
    const deps = fakeDeps({
      '@tensorflow/tfjs-node-gpu': 'absent',
      '@tensorflow/tfjs-node': 'absent',
      '@tensorflow/tfjs-backend-wasm': 'init-fails',
    });
    const choice = await chooseBackend('auto', deps);
    expect(choice.chosen.name).toBe('cpu');
    expect(choice.skipped.map((s) => s.reason)).toEqual(['not installed', 'not installed', 'failed to initialise']);
  });

  it('an explicit backend that is missing is a BACKEND_UNAVAILABLE error with an install hint', async () => {
    const deps = fakeDeps({ '@tensorflow/tfjs-node': 'absent' });
    const error = await chooseBackend('tensorflow', deps).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'BACKEND_UNAVAILABLE' });
    expect((error as Error).message).toContain('npm install @tensorflow/tfjs-node');
    await expect(chooseBackend('gpu' as never, deps)).rejects.toMatchObject({ code: 'INVALID_OPTION' });
  });
});

describe('selectBackend', () => {
  it('on this machine (no tfjs-node installed) auto picks wasm and logs the choice once', async () => {
    const lines: string[] = [];
    const log = (line: string) => lines.push(line);
    expect(await selectBackend('auto', log)).toBe('wasm');
    expect(await selectBackend('auto', log)).toBe('wasm');
    expect(await selectBackend('wasm', log)).toBe('wasm');
    expect(activeBackend()).toBe('wasm');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/backend wasm \(tensorflow-gpu: not installed; tensorflow: not installed\)/);
    expect(await selectBackend('cpu', log)).toBe('cpu');
    expect(lines).toHaveLength(2);
  });
});
