// Every option that names a model (`--model` of each command, eval's
// `--compare`, inspect's path, run's pipeline-file `model`) accepts a local
// directory or a Hugging Face repo id, `org/name` or `org/name@revision`,
// resolved offline in the local Hugging Face cache by @layerprune/tensor-io's
// resolveModelSource: nothing is downloaded. This is the one place the CLI does
// it. A repo id is replaced by its snapshot directory before the command runs;
// the resolution is logged on stderr (before any long work) and listed with the
// result as `modelSources` in --json, so both the id and the path appear.
import { resolveModelSource, type ResolveModelSourceOptions } from '@layerprune/tensor-io';
import type { CommandContext } from './command-context.js';

/** A model option that named a repo id, and where it was found. */
export interface HubModelSource {
  /** The option or field that gave it: "--model", "--compare", "path", "pipeline.yaml: model". */
  option: string;
  repoId: string;
  revision: string;
  commit: string;
  /** The snapshot directory the command opened. */
  dir: string;
  cache: string;
}

/** Options that name a model, unless a command says otherwise (inspect: its positional path). */
export const DEFAULT_MODEL_OPTIONS: readonly string[] = ['model', 'compare'];

/** "org/name@main = /cache/models--org--name/snapshots/<commit> (Hugging Face cache, commit 0123abcd; nothing downloaded)" */
export function describeHubModel(source: HubModelSource): string {
  return `${source.repoId}@${source.revision} = ${source.dir} (Hugging Face cache, commit ${source.commit.slice(0, 8)}; nothing downloaded)`;
}

/**
 * The directory `value` names: `value` itself for a path (whoever opens it
 * reports it missing), or the snapshot directory of a repo id, logged on stderr.
 * Throws TensorIoError MODEL_NOT_IN_CACHE naming the expected path.
 */
export async function resolveModelArg(
  value: string,
  option: string,
  ctx: Pick<CommandContext, 'log'>,
  options: ResolveModelSourceOptions = {},
): Promise<{ dir: string; hub: HubModelSource | null }> {
  const source = await resolveModelSource(value, options);
  if (source.kind === 'path') return { dir: source.dir, hub: null };
  const hub: HubModelSource = { option, repoId: source.repoId, revision: source.revision, commit: source.commit, dir: source.dir, cache: source.cache };
  ctx.log(`${option} ${describeHubModel(hub)}`);
  return { dir: source.dir, hub };
}

const flag = (key: string): string => (key === 'path' ? 'path' : `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`);

/** Resolves the model options of parsed `args` in place (a repo id becomes its snapshot directory). */
export async function resolveModelArgs(args: Record<string, unknown>, keys: readonly string[], ctx: Pick<CommandContext, 'log'>): Promise<HubModelSource[]> {
  const found: HubModelSource[] = [];
  for (const key of keys) {
    const value = args[key];
    if (typeof value !== 'string') continue;
    const { dir, hub } = await resolveModelArg(value, flag(key), ctx);
    if (hub === null) continue;
    args[key] = dir;
    found.push(hub);
  }
  return found;
}

/** A JSON result with the repo ids it was run on (`modelSources`), when there were any. */
export function jsonWithModelSources<R>(result: R, sources: HubModelSource[]): R | (R & { modelSources: HubModelSource[] }) {
  if (sources.length === 0 || result === null || typeof result !== 'object' || Array.isArray(result)) return result;
  return { ...result, modelSources: sources };
}
