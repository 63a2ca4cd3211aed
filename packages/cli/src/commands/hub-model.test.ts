// Models given by Hugging Face repo id, resolved offline in a fake Hugging Face
// cache (HF_HUB_CACHE pointed at a temp directory holding the bundled model as
// blobs, linked from a snapshot), through the built `layerprune` bin.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultHeldoutFile, defaultModelDir } from '@layerprune/assets';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bin, expectOneLineError, expectUntouched, type BinRun } from '../reliability/harness.js';
// tensor-io's test helper, by path: test code shared between packages is not part of any package's API.
import { writeFakeHubRepo, type FakeHubRepo } from '@layerprune/tensor-io/testing';
import type { EvalCommandResult } from './eval.js';
import type { InspectResult } from './inspect.js';

let root: string;
let cache: string;
let repo: FakeHubRepo;
let heldout: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'layerprune-cli-hub-'));
  cache = join(root, 'hub');
  repo = await writeFakeHubRepo(cache, 'karpathy/tinyllamas', defaultModelDir(), { refs: ['main', 'v1'] });
  heldout = join(root, 'heldout.txt');
  await writeFile(heldout, (await readFile(defaultHeldoutFile(), 'utf8')).slice(0, 3000));
});
afterAll(() => rm(root, { recursive: true, force: true }));

/** The bin with only the fake cache visible (HF_HOME / XDG_CACHE_HOME of the machine would not be used anyway). */
const hub = (args: string[]): BinRun => bin(args, { env: { HF_HUB_CACHE: cache, HF_HOME: join(root, 'no-hf-home') }, cwd: root });

function json<T>(args: string[]): T & { modelSources?: unknown[] } {
  const run = hub([...args, '--json']);
  expect(run.code, run.stderr).toBe(0);
  return JSON.parse(run.stdout) as T & { modelSources?: unknown[] };
}

describe('--model org/name[@revision] from the Hugging Face cache', () => {
  it('inspect by repo id, by @revision and by commit hash opens the snapshot and names both id and path', async () => {
    await expectUntouched([cache], () => {
      for (const [spec, revision] of [['karpathy/tinyllamas', 'main'], ['karpathy/tinyllamas@v1', 'v1'], [`karpathy/tinyllamas@${repo.commit}`, repo.commit]]) {
        const result = json<InspectResult>(['inspect', spec]);
        expect(result.kind).toBe('model-dir');
        expect(result.path).toBe(repo.snapshot);
        expect(result.architecture?.numLayers).toBe(5);
        expect(result.problems).toEqual([]);
        expect(result.modelSources).toEqual([{ option: 'path', repoId: 'karpathy/tinyllamas', revision, commit: repo.commit, dir: repo.snapshot, cache }]);
      }
      // The resolution is logged on stderr before the work; the result names the snapshot directory.
      const human = hub(['inspect', 'karpathy/tinyllamas']);
      expect(human.code, human.stderr).toBe(0);
      expect(human.stderr.split('\n')[0]).toBe(
        `path karpathy/tinyllamas@main = ${repo.snapshot} (Hugging Face cache, commit ${repo.commit.slice(0, 8)}; nothing downloaded)`,
      );
      expect(human.stdout.split('\n')[0]).toBe(`model directory ${repo.snapshot}`);
    });
  });

  it('eval --model org/name gives exactly the loss of the bundled model directory; --compare takes a repo id too', () => {
    const task = ['--task', `loss:${heldout}`, '--quiet'];
    const byId = json<EvalCommandResult>(['eval', '--model', 'karpathy/tinyllamas', '--compare', 'karpathy/tinyllamas@v1', ...task]);
    const byDir = json<EvalCommandResult>(['eval', '--model', defaultModelDir(), ...task]);
    expect(byId.model).toBe(repo.snapshot);
    expect(byId.compareModel).toBe(repo.snapshot);
    expect(byId.modelSources).toHaveLength(2);
    expect(byDir.modelSources).toBeUndefined();
    const [a, b] = [byId.results[0], byDir.results[0]];
    if (a.task !== 'loss' || b.task !== 'loss') throw new Error('expected loss results');
    expect(a.loss.tokens).toBe(b.loss.tokens);
    expect(a.loss.meanNll).toBe(b.loss.meanNll);
    // The same weights on both sides: every greedy token agrees.
    expect(a.agreement?.top1Agreement).toBe(1);
  });

  it('a repo, revision or snapshot missing from the cache is one error line naming the expected path; nothing is downloaded', async () => {
    const absent = expectOneLineError(hub(['inspect', 'org/absent']), 'MODEL_NOT_IN_CACHE');
    expect(absent).toBe(
      `error [MODEL_NOT_IN_CACHE]: org/absent: no such local directory, and the Hugging Face repo org/absent is not in the cache of HF_HUB_CACHE: ` +
        `expected ${join(cache, 'models--org--absent')} (the cache of HF_HUB_CACHE, ${cache}); layerprune never downloads: ` +
        'run `huggingface-cli download org/absent` on a machine with network access and copy its cache here (or give the model directory)',
    );
    const noRef = expectOneLineError(hub(['eval', '--model', 'karpathy/tinyllamas@v2', '--task', `loss:${heldout}`]), 'MODEL_NOT_IN_CACHE');
    expect(noRef).toContain(`expected ${join(repo.repoDir, 'refs', 'v2')}`);
    expect(noRef).toContain('(refs present: main, v1)');
    const hash = 'f'.repeat(40);
    const noSnapshot = expectOneLineError(hub(['generate', '--model', `karpathy/tinyllamas@${hash}`, '--prompt', 'Once']), 'MODEL_NOT_IN_CACHE');
    expect(noSnapshot).toContain(`expected ${join(repo.repoDir, 'snapshots', hash)}`);
    // run: the pipeline file's model field is resolved the same way.
    const pipeline = join(root, 'pipeline.yaml');
    await writeFile(pipeline, `model: org/gone@main\ndata: ${heldout}\n`);
    const run = expectOneLineError(hub(['run', '--config', pipeline, '--out', join(root, 'run-out')]), 'MODEL_NOT_IN_CACHE');
    expect(run).toContain(`expected ${join(cache, 'models--org--gone')}`);
  });

  it('run: a pipeline file whose model is a repo id runs on the snapshot', async () => {
    const data = join(root, 'calibration.txt');
    await writeFile(data, (await readFile(defaultHeldoutFile(), 'utf8')).slice(3000, 23000));
    const pipeline = join(root, 'hub-pipeline.yaml');
    await writeFile(
      pipeline,
      [
        'model: karpathy/tinyllamas@v1',
        `data: ${data}`,
        `eval: ["loss:${heldout}"]`,
        'fractions: [0.2]',
        'methods: [deepest]',
        'analysis: { samples: 8, seqLen: 32 }',
        'heal: { steps: 0 }',
        '',
      ].join('\n'),
    );
    const out = join(root, 'hub-run');
    const result = await expectUntouched([cache], () => json<{ runs: { id: string }[]; modelSources: unknown[] }>(['run', '--config', pipeline, '--out', out, '--quiet']));
    expect(result.modelSources).toEqual([{ option: `${pipeline}: model`, repoId: 'karpathy/tinyllamas', revision: 'v1', commit: repo.commit, dir: repo.snapshot, cache }]);
    expect(result.runs.map((r) => r.id)).toEqual(['deepest-n1']);
    const recorded = JSON.parse(await readFile(join(out, 'results.json'), 'utf8')) as { model: { dir: string; layers: number } };
    expect(recorded.model).toMatchObject({ dir: repo.snapshot, layers: 5 });
  });

  it('prune --model org/name writes a pruned copy of the snapshot; the cache is left as it was', async () => {
    const out = join(root, 'pruned');
    await expectUntouched([cache], () => {
      const result = json<{ model: string; numLayers: { before: number; after: number } }>([
        'prune', '--model', 'karpathy/tinyllamas', '--drop', '3:4', '--out', out, '--quiet',
      ]);
      expect(result.model).toBe(repo.snapshot);
      expect(result.numLayers).toEqual({ before: 5, after: 4 });
    });
    // The pruned model's files are regular files, not links into the cache.
    const config = JSON.parse(await readFile(join(out, 'config.json'), 'utf8')) as { num_hidden_layers: number };
    expect(config.num_hidden_layers).toBe(4);
    // Its model card names the base by repo id, not by the snapshot's commit hash.
    const card = await readFile(join(out, 'README.md'), 'utf8');
    expect(card).toContain('base_model: "karpathy/tinyllamas"');
    expect(card).toContain('# karpathy/tinyllamas (pruned)');
  });
});
