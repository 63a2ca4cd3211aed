// SIGKILL mid-run, then --resume: the final adapter equals an uninterrupted run's.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defaultModelDir } from '@layerprune/assets';
import { describe, it } from 'vitest';
import { heal } from './heal.js';
import { expectKillAndResume } from './testing/kill-and-resume.js';

const CHILD = fileURLToPath(new URL('./testing/heal-child.mjs', import.meta.url));
const BUILT = fileURLToPath(new URL('../dist/index.js', import.meta.url));

describe('heal: kill -9 and resume', () => {
  it.skipIf(!existsSync(BUILT))('a SIGKILLed run resumed with --resume ends with the same adapter as an uninterrupted run (1e-6)', async () => {
    await expectKillAndResume({ model: defaultModelDir(), extra: { backend: 'wasm' }, heal, child: CHILD, prefix: 'lora' });
  });
});
