// The one naming scheme for work in progress: `.<name>.layerprune-tmp-<pid>-<hex>`
// beside the destination (same filesystem, so the final rename is atomic), and
// `.<name>.layerprune-old-<pid>-<hex>` for a replaced output on its way out. The
// pid lets a later run tell a dead writer's leftovers from a live writer's work.
import { randomBytes } from 'node:crypto';

export type TempKind = 'tmp' | 'old';

/** A fresh temporary sibling name for `name` (a file or directory basename). */
export function tempSiblingName(name: string, kind: TempKind = 'tmp', pid: number = process.pid): string {
  return `.${name}.layerprune-${kind}-${pid}-${randomBytes(4).toString('hex')}`;
}

export interface ParsedTempName {
  /** The destination's basename. */
  name: string;
  kind: TempKind;
  pid: number;
}

const TEMP_NAME = /^\.(.+)\.layerprune-(tmp|old)-(\d+)-[0-9a-f]{8}$/;

/** The parts of a name made by tempSiblingName, or null for any other name. */
export function parseTempName(entry: string): ParsedTempName | null {
  const match = TEMP_NAME.exec(entry);
  if (match === null) return null;
  return { name: match[1], kind: match[2] as TempKind, pid: Number(match[3]) };
}
