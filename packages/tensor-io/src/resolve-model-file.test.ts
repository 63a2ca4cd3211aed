import { mkdir, realpath, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveModelFile } from './resolve-model-file.js';
import { makeTempDir, removeTempDir } from './testing/temp-dir.js';

let root: string;
beforeAll(async () => {
  root = await realpath(await makeTempDir());
});
afterAll(async () => {
  await removeTempDir(root);
});

async function file(path: string, content = 'x'): Promise<string> {
  await mkdir(join(path, '..'), { recursive: true });
  await writeFile(path, content);
  return path;
}

describe('resolveModelFile', () => {
  it('returns the path of a regular file and the target of a link inside the directory', async () => {
    const dir = join(root, 'plain');
    await file(join(dir, 'tokenizer.json'));
    await file(join(dir, 'sub', 'real.json'));
    await symlink('sub/real.json', join(dir, 'linked.json'));
    expect(await resolveModelFile(dir, join(dir, 'tokenizer.json'))).toBe(join(dir, 'tokenizer.json'));
    expect(await resolveModelFile(dir, 'linked.json')).toBe(join(dir, 'sub', 'real.json'));
  });

  it('follows a Hugging Face cache snapshot into its blobs', async () => {
    const snapshot = join(root, 'models--a--b', 'snapshots', 'main');
    await file(join(root, 'models--a--b', 'blobs', 'sha'));
    await mkdir(snapshot, { recursive: true });
    await symlink('../../blobs/sha', join(snapshot, 'tokenizer.json'));
    expect(await resolveModelFile(snapshot, 'tokenizer.json')).toBe(join(root, 'models--a--b', 'blobs', 'sha'));
  });

  it('refuses a link (or a chain of links) that leaves the directory, naming link and target', async () => {
    const dir = join(root, 'hostile');
    const secret = await file(join(root, 'home', '.ssh', 'id_rsa'));
    await mkdir(dir, { recursive: true });
    await symlink(secret, join(dir, 'tokenizer.json'));
    await symlink('tokenizer.json', join(dir, 'chained.json'));
    for (const name of ['tokenizer.json', 'chained.json']) {
      const error = (await resolveModelFile(dir, name).then(
        () => new Error('resolved'),
        (e: unknown) => e,
      )) as Error;
      expect(error).toMatchObject({ code: 'SYMLINK_OUTSIDE_MODEL_DIR', file: join(dir, name), expected: dir, found: secret });
      expect(error.message).toBe(`${join(dir, name)}: a symbolic link to ${secret}, which is outside the model directory ${dir}; replace the link by a copy of the file`);
    }
    // A blobs directory is only trusted under a snapshots/<rev> directory.
    await file(join(root, 'blobs', 'x'));
    await symlink('../blobs/x', join(dir, 'fake-blob.json'));
    await expect(resolveModelFile(dir, 'fake-blob.json')).rejects.toMatchObject({ code: 'SYMLINK_OUTSIDE_MODEL_DIR' });
  });

  it('follows links from a folder inside a snapshot, and from a snapshot reached through a linked cache', async () => {
    const repo = join(root, 'models--c--d');
    await file(join(repo, 'blobs', 'w'), 'weights');
    await mkdir(join(repo, 'snapshots', 'rev', 'text_encoder'), { recursive: true });
    await symlink('../../../blobs/w', join(repo, 'snapshots', 'rev', 'text_encoder', 'model.safetensors'));
    expect(await resolveModelFile(join(repo, 'snapshots', 'rev', 'text_encoder'), 'model.safetensors')).toBe(join(repo, 'blobs', 'w'));
    // ~/.cache/huggingface -> /data/hf: the real paths are compared, so the link to the cache does not matter.
    await symlink(root, join(root, 'linked-cache'));
    const viaLink = join(root, 'linked-cache', 'models--c--d', 'snapshots', 'rev', 'text_encoder');
    expect(await resolveModelFile(viaLink, 'model.safetensors')).toBe(join(repo, 'blobs', 'w'));
  });

  it('refuses every other escape from a snapshot: another repo, the refs, a blob linking out, a repo not named models--*', async () => {
    const repo = join(root, 'models--e--f');
    const snapshot = join(repo, 'snapshots', 'rev');
    const secret = await file(join(root, 'secret', 'id_rsa'));
    await file(join(root, 'models--other--repo', 'blobs', 'theirs'));
    await file(join(repo, 'refs', 'main'), 'rev');
    await mkdir(join(repo, 'blobs'), { recursive: true });
    await symlink(secret, join(repo, 'blobs', 'evil'));
    await mkdir(snapshot, { recursive: true });
    await symlink('../../../models--other--repo/blobs/theirs', join(snapshot, 'other-repo.json'));
    await symlink('../../refs/main', join(snapshot, 'refs.json'));
    await symlink('../../blobs/evil', join(snapshot, 'blob-to-secret.json'));
    const refused = async (dir: string, name: string, found: string): Promise<void> => {
      await expect(resolveModelFile(dir, name)).rejects.toMatchObject({ code: 'SYMLINK_OUTSIDE_MODEL_DIR', file: join(dir, name), found });
    };
    await refused(snapshot, 'other-repo.json', join(root, 'models--other--repo', 'blobs', 'theirs'));
    await refused(snapshot, 'refs.json', join(repo, 'refs', 'main'));
    await refused(snapshot, 'blob-to-secret.json', secret);
    // The same layout under a folder that is not a hub repo (models--<org>--<name>) is not trusted.
    const plain = join(root, 'not-a-repo', 'snapshots', 'rev');
    await file(join(root, 'not-a-repo', 'blobs', 'b'));
    await mkdir(plain, { recursive: true });
    await symlink('../../blobs/b', join(plain, 'config.json'));
    await refused(plain, 'config.json', join(root, 'not-a-repo', 'blobs', 'b'));
  });

  it('refuses names that leave the directory and reports missing files', async () => {
    const dir = join(root, 'names');
    await mkdir(dir, { recursive: true });
    await expect(resolveModelFile(dir, '../plain/tokenizer.json')).rejects.toMatchObject({ code: 'PATH_TRAVERSAL' });
    await expect(resolveModelFile(dir, 'gone.json')).rejects.toMatchObject({ code: 'FILE_NOT_FOUND', file: join(dir, 'gone.json') });
  });
});
