// Cached stages in the output directory: `stages/<id>.json` records a finished
// stage's result with a key derived from its inputs (settings and the contents
// of the files it read). With `resume`, a stage whose record exists and whose
// key matches is not run again; one whose key differs is recomputed (and says
// so); an interrupted stage left no record (records are written atomically, with
// fsync, at the end), so it reruns.
import { createHash } from 'node:crypto';
import { mkdir, readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '@layerprune/tensor-io';

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

  private readonly log: (line: string) => void;

  constructor(outDir: string, resume: boolean, log: (line: string) => void = () => {}) {
    this.dir = join(outDir, 'stages');
    this.resume = resume;
    this.log = log;
  }

  /** Whether the run in `outDir` has recorded any finished stage. */
  static async hasRecords(outDir: string): Promise<boolean> {
    const names = await readdir(join(outDir, 'stages')).catch(() => [] as string[]);
    return names.some((n) => n.endsWith('.json'));
  }

  private path(id: string): string {
    return join(this.dir, `${id}.json`);
  }

  async read<R>(id: string, key: string): Promise<StageRecord<R> | null> {
    if (!this.resume) return null;
    let record: StageRecord<R>;
    try {
      record = JSON.parse(await readFile(this.path(id), 'utf8')) as StageRecord<R>;
    } catch {
      return null;
    }
    if (record.key === key) return record;
    this.log(`resume: stage ${id} was recorded with other inputs or settings (model, data or options changed); recomputing it`);
    return null;
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
    await writeFileAtomic(this.path(id), `${JSON.stringify(record, null, 2)}\n`);
    return { result, seconds, reused: false };
  }
}
