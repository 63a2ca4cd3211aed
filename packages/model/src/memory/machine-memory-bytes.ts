// How much memory this process may use: the machine's total, or the cgroup limit
// of a container when lower. Total rather than "available" on purpose: free
// memory moves with the page cache and other processes, and a refusal to load
// must not depend on what else happened to be running.
import { totalmem } from 'node:os';
import { parseByteSize } from '@layerprune/tensor-io';
import { ModelError } from '../errors.js';

/** Overrides the detected memory (e.g. `8GiB`): for machines that misreport it, and for tests. */
export const MEMORY_ENV = 'LAYERPRUNE_MEMORY_BYTES';

/** Bytes of memory the model loader budgets against. */
export function machineMemoryBytes(env: NodeJS.ProcessEnv = process.env): number {
  const override = env[MEMORY_ENV];
  if (override !== undefined && override !== '') {
    try {
      return parseByteSize(override);
    } catch (cause) {
      throw new ModelError('INVALID_OPTION', `${MEMORY_ENV}=${JSON.stringify(override)} is not a byte size such as 8GiB or 16000000000`, {
        field: MEMORY_ENV,
        cause,
      });
    }
  }
  // 0 or a huge value (cgroup "max") when unconstrained.
  const constrained = typeof process.constrainedMemory === 'function' ? process.constrainedMemory() : 0;
  const total = totalmem();
  return constrained > 0 && constrained < total ? constrained : total;
}
