// Shared Vitest settings for every package: workspace packages resolve to their
// TypeScript sources so tests never depend on a stale `dist/`.
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';
import { defineConfig, type ViteUserConfig } from 'vitest/config';

const root = fileURLToPath(new URL('.', import.meta.url));

interface Alias {
  readonly find: RegExp;
  readonly replacement: string;
}

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

// Exact matches only, so `@layerprune/x/sub` never turns into `.../src/index.ts/sub`.
// Subpath entries (SUBPATHS) come before the package entries.
// `*/testing` are test kits shared between packages' tests: resolved here and by
// tsconfig.base.json's `paths` only, never in a package's exports (not published).
const SUBPATHS: Readonly<Record<string, string>> = {
  '@layerprune/model/tfjs': 'packages/model/src/tfjs/index.ts',
  '@layerprune/model/testing': 'packages/model/src/testing/index.ts',
  '@layerprune/lora/testing': 'packages/lora/src/testing/index.ts',
  '@layerprune/tensor-io/testing': 'packages/tensor-io/src/testing/index.ts',
};

function workspaceAliases(): Alias[] {
  const aliases: Alias[] = Object.entries(SUBPATHS).map(([specifier, file]) => ({
    find: new RegExp(`^${escape(specifier)}$`),
    replacement: resolve(root, file),
  }));
  for (const name of readdirSync(resolve(root, 'packages'))) {
    aliases.push({
      find: new RegExp(`^${escape(`@layerprune/${name}`)}$`),
      replacement: resolve(root, 'packages', name, 'src', 'index.ts'),
    });
  }
  return aliases;
}

export function packageTestConfig(overrides: NonNullable<ViteUserConfig['test']> = {}): ViteUserConfig {
  return defineConfig({
    resolve: { alias: workspaceAliases() },
    test: {
      include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
      testTimeout: 60_000,
      hookTimeout: 60_000,
      pool: 'forks',
      ...overrides,
    },
  });
}
