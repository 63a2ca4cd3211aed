#!/usr/bin/env node
// Rewrites the `references` of every package's tsconfig.json from its package.json
// `dependencies` on other @layerprune packages, so `tsc -b` builds in the right
// order. Run after changing a package's dependencies: `node tools/sync-references.mjs`.
import { readFileSync, readdirSync, writeFileSync, existsSync } from 'node:fs';
import { join, resolve, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(fileURLToPath(new URL('.', import.meta.url)), '..');
const dirs = [
  ...readdirSync(join(root, 'packages')).map((d) => join(root, 'packages', d)),
  ...readdirSync(join(root, 'tools'))
    .map((d) => join(root, 'tools', d))
    .filter((d) => existsSync(join(d, 'package.json'))),
];
const byName = new Map();
for (const dir of dirs) {
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  byName.set(pkg.name, dir);
}
let changed = 0;
for (const dir of dirs) {
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const tsconfigPath = join(dir, 'tsconfig.json');
  const tsconfig = JSON.parse(readFileSync(tsconfigPath, 'utf8'));
  const references = Object.keys(pkg.dependencies ?? {})
    .filter((dep) => byName.has(dep))
    .map((dep) => ({ path: `${relative(dir, byName.get(dep))}/tsconfig.json` }));
  const next = `${JSON.stringify({ ...tsconfig, references }, null, 2)}\n`;
  if (next !== readFileSync(tsconfigPath, 'utf8')) {
    writeFileSync(tsconfigPath, next);
    changed += 1;
  }
}
console.log(`sync-references: ${changed} tsconfig.json updated`);
