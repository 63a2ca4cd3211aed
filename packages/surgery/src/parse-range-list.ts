// Parses the command-line forms of block ranges: "4:8" and "0:21,29:32" (each
// START:END half-open, like Python slices without negative indices).
import { SurgeryError } from './errors.js';
import type { BlockRange } from './removal-plan.js';

const INTEGER = /^\d+$/;

/** "0:21,29:32" -> [[0, 21], [29, 32]]. `option` names the flag in messages. */
export function parseRangeList(text: string, option = '--drop'): BlockRange[] {
  const parts = text.split(',').map((p) => p.trim());
  return parts.map((part) => {
    const pieces = part.split(':').map((p) => p.trim());
    if (pieces.length !== 2 || !INTEGER.test(pieces[0]) || !INTEGER.test(pieces[1])) {
      throw new SurgeryError(
        'PLAN_SYNTAX',
        `${option}: "${part}" is not START:END with non-negative integers (half-open, e.g. 4:8 drops layers 4..7)`,
        { field: option },
      );
    }
    return [Number(pieces[0]), Number(pieces[1])];
  });
}
