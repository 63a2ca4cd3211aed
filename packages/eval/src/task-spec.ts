// A task on the command line or in a pipeline config: "<kind>:<path>", e.g.
// "mmlu:data/mmlu" or "loss:heldout.txt".
import { EvalError } from './eval-error.js';

export const TASK_KINDS = ['loss', 'mmlu', 'arc', 'hellaswag', 'boolq', 'mc'] as const;
export type TaskKind = (typeof TASK_KINDS)[number];

export interface TaskSpec {
  kind: TaskKind;
  /** File (or, for mmlu, directory) holding the task's data. */
  path: string;
  /** Name in results; default "<kind>:<file name>". */
  name?: string;
}

export function parseTaskSpec(text: string): TaskSpec {
  const colon = text.indexOf(':');
  const kind = colon > 0 ? text.slice(0, colon) : '';
  const path = colon > 0 ? text.slice(colon + 1) : '';
  if (!(TASK_KINDS as readonly string[]).includes(kind) || path === '') {
    throw new EvalError('INVALID_TASK_SPEC', `task "${text}" is not <kind>:<path> with kind one of ${TASK_KINDS.join(', ')}`, {
      field: 'task',
    });
  }
  return { kind: kind as TaskKind, path };
}
