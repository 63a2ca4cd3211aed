import { mkdir, readdir, realpath, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TensorIoError } from './errors.js';
import { openModelFiles } from './open-model-files.js';
import { openSafetensors } from './open-safetensors.js';
import { hubCacheDir, parseRepoId, resolveModelSource, type ResolveModelSourceOptions } from './resolve-model-source.js';
import { BUNDLED_MODEL_DIR, fakeCommit, writeFakeHubRepo, type FakeHubRepo } from './testing/fake-hub-cache.js';
import { makeTempDir, removeTempDir } from './testing/temp-dir.js';

let root: string;
let cache: string;
let repo: FakeHubRepo;
/** Only HF_HUB_CACHE set: the fake cache, whatever the machine's own environment says. */
let env: Record<string, string>;
beforeAll(async () => {
  root = await realpath(await makeTempDir());
  cache = join(root, 'hub');
  repo = await writeFakeHubRepo(cache, 'layerprune/stories260K', BUNDLED_MODEL_DIR, { refs: ['main', 'v1.0', 'refs/pr/1'] });
  env = { HF_HUB_CACHE: cache };
});
afterAll(async () => {
  await removeTempDir(root);
});

async function failure(spec: string, options: ResolveModelSourceOptions = { env, cwd: root }): Promise<TensorIoError> {
  const error = await resolveModelSource(spec, options).then(
    () => new Error('resolved'),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TensorIoError);
  return error as TensorIoError;
}

describe('resolveModelSource: repo ids in the Hugging Face cache', () => {
  it('resolves org/name through refs/main to its snapshot, which opens as a model (symlinks into blobs/)', async () => {
    const source = await resolveModelSource('layerprune/stories260K', { env, cwd: root });
    expect(source).toEqual({
      kind: 'hub',
      spec: 'layerprune/stories260K',
      dir: repo.snapshot,
      repoId: 'layerprune/stories260K',
      revision: 'main',
      commit: repo.commit,
      cache,
      cacheFrom: 'HF_HUB_CACHE',
    });
    expect(repo.snapshot).toBe(join(cache, 'models--layerprune--stories260K', 'snapshots', fakeCommit(`layerprune/stories260K:${BUNDLED_MODEL_DIR}`)));
    // Every file of the snapshot is a link into ../../blobs, and the model opens through them.
    const model = await openModelFiles(source.dir);
    try {
      expect(model.rawConfig.num_hidden_layers).toBe(5);
      const name = 'model.layers.4.mlp.down_proj.weight';
      const bundled = await openSafetensors(join(BUNDLED_MODEL_DIR, 'model.safetensors'));
      expect(await model.weights.readRaw(name)).toEqual(await bundled.readRaw(name));
      await bundled.close();
    } finally {
      await model.close();
    }
    expect((await readdir(source.dir)).sort()).toEqual((await readdir(BUNDLED_MODEL_DIR)).sort());
  });

  it('resolves @branch, @tag, a branch with slashes, and a 40-hex commit hash straight to snapshots/', async () => {
    for (const revision of ['v1.0', 'refs/pr/1', repo.commit]) {
      const source = await resolveModelSource(`layerprune/stories260K@${revision}`, { env, cwd: root });
      expect(source).toMatchObject({ kind: 'hub', revision, commit: repo.commit, dir: repo.snapshot });
    }
    // A hash needs no refs file: a second snapshot that no ref names is still found.
    const other = fakeCommit('an older snapshot');
    await mkdir(join(repo.repoDir, 'snapshots', other));
    expect(await resolveModelSource(`layerprune/stories260K@${other}`, { env, cwd: root })).toMatchObject({ commit: other, dir: join(repo.repoDir, 'snapshots', other) });
  });

  it('finds the cache from HF_HUB_CACHE, else HF_HOME/hub, else XDG_CACHE_HOME/huggingface/hub, else ~/.cache/huggingface/hub', () => {
    const home = '/home/u';
    expect(hubCacheDir({ env: { HF_HUB_CACHE: '/c', HF_HOME: '/h' }, home })).toEqual({ cache: '/c', from: 'HF_HUB_CACHE' });
    expect(hubCacheDir({ env: { HF_HOME: '/h', XDG_CACHE_HOME: '/x' }, home })).toEqual({ cache: '/h/hub', from: 'HF_HOME' });
    expect(hubCacheDir({ env: { XDG_CACHE_HOME: '/x' }, home })).toEqual({ cache: '/x/huggingface/hub', from: 'XDG_CACHE_HOME' });
    expect(hubCacheDir({ env: {}, home })).toEqual({ cache: '/home/u/.cache/huggingface/hub', from: 'default' });
    expect(hubCacheDir({ env: { HF_HOME: '~/hf' }, home })).toEqual({ cache: '/home/u/hf/hub', from: 'HF_HOME' });
  });

  it('an existing path wins over a repo id; values not shaped like org/name[@rev] are paths', async () => {
    const local = join(root, 'layerprune', 'stories260K');
    await mkdir(local, { recursive: true });
    try {
      expect(await resolveModelSource('layerprune/stories260K', { env, cwd: root })).toEqual({ kind: 'path', spec: 'layerprune/stories260K', dir: 'layerprune/stories260K' });
    } finally {
      await rm(join(root, 'layerprune'), { recursive: true });
    }
    for (const spec of ['./a/b', 'a', '/models/a/b', 'a/b/c', '../b', 'a/..', 'a b/c']) {
      expect(await resolveModelSource(spec, { env, cwd: root })).toEqual({ kind: 'path', spec, dir: spec });
    }
    expect(parseRepoId('meta-llama/Llama-3.2-1B@main')).toEqual({ repoId: 'meta-llama/Llama-3.2-1B', org: 'meta-llama', name: 'Llama-3.2-1B', revision: 'main' });
    expect(parseRepoId('Qwen/Qwen2.5-0.5B')?.revision).toBe('main');
  });
});

describe('resolveModelSource: what is missing is named, and nothing is downloaded', () => {
  it('a repo that is not in the cache', async () => {
    const error = await failure('org/absent');
    const expected = join(cache, 'models--org--absent');
    expect(error).toMatchObject({ code: 'MODEL_NOT_IN_CACHE', file: expected, expected, field: 'model' });
    expect(error.message).toBe(
      `org/absent: no such local directory, and the Hugging Face repo org/absent is not in the cache of HF_HUB_CACHE: expected ${expected} ` +
        `(the cache of HF_HUB_CACHE, ${cache}); layerprune never downloads: run \`huggingface-cli download org/absent\` on a machine with network access ` +
        'and copy its cache here (or give the model directory)',
    );
    const home = await failure('org/absent', { env: {}, cwd: root, home: root });
    expect(home.message).toContain(`expected ${join(root, '.cache', 'huggingface', 'hub', 'models--org--absent')} (the default cache, `);
  });

  it('a revision without a refs file, a ref to a missing snapshot, a missing hash, a bad refs file, a revision with ..', async () => {
    const noRef = await failure('layerprune/stories260K@dev');
    expect(noRef).toMatchObject({ code: 'MODEL_NOT_IN_CACHE', file: join(repo.repoDir, 'refs', 'dev'), found: 'main, refs, v1.0' });
    expect(noRef.message).toContain('revision "dev" of layerprune/stories260K is not in the cache (refs present: main, refs, v1.0)');
    expect(noRef.message).toContain('`huggingface-cli download layerprune/stories260K --revision dev`');

    const gone = fakeCommit('deleted snapshot');
    await writeFile(join(repo.repoDir, 'refs', 'stale'), `${gone}\n`);
    const stale = await failure('layerprune/stories260K@stale');
    expect(stale).toMatchObject({ code: 'MODEL_NOT_IN_CACHE', file: join(repo.repoDir, 'snapshots', gone) });
    expect(stale.message).toContain(`snapshot ${gone} of layerprune/stories260K is not in the cache (snapshots present: `);
    expect(await failure(`layerprune/stories260K@${gone}`)).toMatchObject({ code: 'MODEL_NOT_IN_CACHE', file: join(repo.repoDir, 'snapshots', gone) });

    await writeFile(join(repo.repoDir, 'refs', 'broken'), 'not a hash');
    const broken = await failure('layerprune/stories260K@broken');
    expect(broken).toMatchObject({ code: 'HF_CACHE_INVALID', file: join(repo.repoDir, 'refs', 'broken') });
    expect(broken.message).toBe(`${join(repo.repoDir, 'refs', 'broken')}: expected a 40-character commit hash for layerprune/stories260K@broken, found "not a hash"`);

    expect(await failure('layerprune/stories260K@../../../etc')).toMatchObject({ code: 'INVALID_ARGUMENT', field: 'revision' });
  });
});
