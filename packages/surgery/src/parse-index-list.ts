// Parses the command-line form of a layer list: "3,7,9".
import { SurgeryError } from './errors.js';

/** "3,7,9" -> [3, 7, 9]. Order and duplicates are kept so the plan can refuse them by name. */
export function parseIndexList(text: string, option = '--drop-layers'): number[] {
  return text.split(',').map((raw) => {
    const part = raw.trim();
    if (!/^\d+$/.test(part)) {
      throw new SurgeryError('PLAN_SYNTAX', `${option}: "${part}" is not a non-negative integer layer index (e.g. 3,7,9)`, {
        field: option,
      });
    }
    return Number(part);
  });
}
