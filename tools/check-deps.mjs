#!/usr/bin/env node
// Enforces the one-way dependency graph of the monorepo. Run from a package
// directory (the `lint` target does) or with package names as arguments.
// Rules: every `@layerprune/*` import in src/ is declared in package.json; a
// package only depends on packages in a lower layer; nothing imports the CLI.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, resolve, basename } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(fileURLToPath(new URL('.', import.meta.url)), '..');

// Lower number = closer to the bottom. A package may import only strictly lower layers.
export const LAYERS = {
  'safe-output': 0,
  'tensor-io': 1,
  assets: 1,
  similarity: 1,
  data: 1,
  figures: 1,
  quant: 2,
  model: 3,
  surgery: 4,
  lora: 4,
  eval: 4,
  report: 5,
  pipeline: 6,
  cli: 7,
};

function sourceFiles(dir) {
  const out = [];
  for (const entry of readdirSync(dir)) {
    const full = join(dir, entry);
    if (statSync(full).isDirectory()) out.push(...sourceFiles(full));
    else if (/\.(ts|mts|js|mjs)$/.test(entry)) out.push(full);
  }
  return out;
}

function check(name, kind = 'packages') {
  const dir = join(root, kind, name);
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const problems = [];
  if (kind === 'tools') LAYERS[name] = 100; // tools sit above every package but still may not import the CLI
  if (!(name in LAYERS)) problems.push(`package "${name}" has no layer in tools/check-deps.mjs`);
  const declared = new Set(Object.keys(pkg.dependencies ?? {}));
  const declaredDev = new Set(Object.keys(pkg.devDependencies ?? {}));
  for (const dep of [...declared, ...declaredDev]) {
    if (!dep.startsWith('@layerprune/')) continue;
    const target = dep.slice('@layerprune/'.length);
    if (target === 'cli') problems.push(`${pkg.name} depends on the CLI`);
    // Tests may use a higher-level package only as a devDependency, never the CLI.
    if (declared.has(dep) && !(LAYERS[target] < LAYERS[name])) {
      problems.push(`${pkg.name} (layer ${LAYERS[name]}) may not depend on ${dep} (layer ${LAYERS[target]})`);
    }
  }
  for (const file of sourceFiles(join(dir, 'src'))) {
    const text = readFileSync(file, 'utf8');
    const isTest = /\.test\.ts$/.test(file) || file.includes(`${join('src', 'testing')}`);
    for (const m of text.matchAll(/(?:from\s+|import\s*\(\s*)['"](@layerprune\/[^'"/]+)/g)) {
      const dep = m[1];
      if (dep === pkg.name) continue;
      if (declared.has(dep) || (isTest && declaredDev.has(dep))) continue;
      problems.push(`${file.slice(root.length + 1)} imports ${dep}, which ${pkg.name} does not declare`);
    }
  }
  return problems;
}

const args = process.argv.slice(2);
const kind = args[0] === '--tool' ? 'tools' : 'packages';
const names = (kind === 'tools' ? args.slice(1) : args).length > 0 ? (kind === 'tools' ? args.slice(1) : args) : [basename(process.cwd())];
const problems = names.flatMap((n) => check(n, kind));
if (problems.length > 0) {
  for (const p of problems) console.error(`check-deps: ${p}`);
  process.exit(1);
}
console.log(`check-deps: ${names.join(', ')} ok`);
