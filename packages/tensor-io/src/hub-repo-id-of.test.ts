import { describe, expect, it } from 'vitest';
import { hubRepoIdOf, modelDisplayName } from './hub-repo-id-of.js';

const COMMIT = '0123456789abcdef0123456789abcdef01234567';

describe('hubRepoIdOf / modelDisplayName', () => {
  it('names a cache snapshot by its repo id', () => {
    const dir = `/root/.cache/huggingface/hub/models--meta-llama--Llama-3.2-1B/snapshots/${COMMIT}`;
    expect(hubRepoIdOf(dir)).toBe('meta-llama/Llama-3.2-1B');
    expect(hubRepoIdOf(`${dir}/`)).toBe('meta-llama/Llama-3.2-1B');
    expect(modelDisplayName(dir)).toBe('meta-llama/Llama-3.2-1B');
  });

  it('leaves other directories to their folder name', () => {
    expect(hubRepoIdOf('/models/llama-7b')).toBeNull();
    expect(hubRepoIdOf(`/x/models--a--b/refs/${COMMIT}`)).toBeNull();
    expect(hubRepoIdOf('/x/models--a--b/snapshots/main')).toBeNull();
    expect(hubRepoIdOf(`/x/datasets--a--b/snapshots/${COMMIT}`)).toBeNull();
    expect(modelDisplayName('/models/llama-7b/')).toBe('llama-7b');
  });
});
