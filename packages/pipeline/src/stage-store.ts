// Cached stages in the output directory: `stages/<id>.json` records a finished
// stage's result with a key derived from its inputs. With `resume`, a stage
// whose record exists and whose key matches is not run again; an interrupted
// stage left no record (records are written atomically at the end), so it reruns.
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface StageRecord<R> {
  id: string;
  key: string;
  completedAt: string;
  seconds: number;
  result: R;
}

export function stageKey(inputs: unknown): string {
  return createHash('sha256').update(JSON.stringify(inputs)).digest('hex').slice(0, 16);
}

export class StageStore {
  readonly dir: string;
  readonly resume: boolean;
  /** Stage ids reused from an earlier run, in order. */
  readonly reused: string[] = [];

  constructor(outDir: string, resume: boolean) {
    this.dir = join(outDir, 'stages');
    this.resume = resume;
  }

  private path(id: string): string {
    return join(this.dir, `${id}.json`);
  }

  async read<R>(id: string, key: string): Promise<StageRecord<R> | null> {
    if (!this.resume) return null;
    try {
      const record = JSON.parse(await readFile(this.path(id), 'utf8')) as StageRecord<R>;
      return record.key === key ? record : null;
    } catch {
      return null;
    }
  }

  /** Runs `work` unless a matching record exists; records its result. */
  async run<R>(id: string, inputs: unknown, work: () => Promise<R>): Promise<{ result: R; seconds: number; reused: boolean }> {
    const key = stageKey(inputs);
    const cached = await this.read<R>(id, key);
    if (cached) {
      this.reused.push(id);
      return { result: cached.result, seconds: cached.seconds, reused: true };
    }
    const started = performance.now();
    const result = await work();
    const seconds = (performance.now() - started) / 1000;
    const record: StageRecord<R> = { id, key, completedAt: new Date().toISOString(), seconds, result };
    await mkdir(this.dir, { recursive: true });
    const tmp = `${this.path(id)}.tmp-${process.pid}`;
    await writeFile(tmp, `${JSON.stringify(record, null, 2)}\n`);
    await rename(tmp, this.path(id));
    return { result, seconds, reused: false };
  }
}
