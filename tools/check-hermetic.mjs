#!/usr/bin/env node
// Keeps the tests hermetic: everything a package's code and tests read must be in
// the repository, so `git clone && npm ci && npm test` works with nothing beside
// the checkout. Fails, naming file and line, when a file under the package's src/
// or scripts/ refers to the read-only fixture folder outside the repository
// (`../shared`, `shared/fixtures`, or the same path spelled as arguments of
// path.join/resolve: `'..', 'shared'`, `'shared', 'fixtures'`). Also fails when
// the package's npm `files` would publish its test-fixtures/ folder.
//
// A maintenance script under scripts/ (never src/) that has to read that folder
// may be allowed explicitly with this comment in the file, saying why:
//     // check-hermetic: allow (maintenance script: ...)
//
// Run from a package directory (the `lint` script does), or with package
// directories as arguments: `node tools/check-hermetic.mjs packages/data`.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(fileURLToPath(new URL('.', import.meta.url)), '..');

const PATTERNS = [
  [/\.\.[\\/]+shared(?![\w-])/, '../shared'],
  [/\bshared[\\/]+fixtures\b/, 'shared/fixtures'],
  [/['"`]\.\.['"`]\s*,\s*['"`]shared['"`]/, "'..', 'shared'"],
  [/['"`]shared['"`]\s*,\s*['"`]fixtures['"`]/, "'shared', 'fixtures'"],
];
const ALLOW = /check-hermetic:\s*allow\b/;
const SKIP_DIRS = new Set(['node_modules', 'dist', '.nx']);

function filesUnder(dir) {
  if (!existsSync(dir)) return [];
  const out = [];
  for (const entry of readdirSync(dir).sort()) {
    const full = join(dir, entry);
    const stat = statSync(full);
    if (stat.isDirectory()) {
      if (!SKIP_DIRS.has(entry)) out.push(...filesUnder(full));
    } else if (stat.isFile()) out.push(full);
  }
  return out;
}

/** Problems of one package directory, as "file:line: message" strings. */
export function checkHermetic(packageDir) {
  const dir = resolve(packageDir);
  const problems = [];
  for (const [sub, mayAllow] of [
    ['src', false],
    ['scripts', true],
  ]) {
    for (const file of filesUnder(join(dir, sub))) {
      const bytes = readFileSync(file);
      if (bytes.includes(0)) continue; // binary
      const text = bytes.toString('utf8');
      const allowed = ALLOW.test(text);
      if (allowed && mayAllow) continue;
      const name = relative(root, file);
      if (allowed) problems.push(`${name}: "check-hermetic: allow" is accepted in scripts/ only, not in ${sub}/`);
      text.split('\n').forEach((line, i) => {
        for (const [pattern, what] of PATTERNS) {
          if (pattern.test(line)) {
            problems.push(`${name}:${i + 1}: refers to ${what} outside the repository: ${line.trim().slice(0, 160)}`);
            break;
          }
        }
      });
    }
  }
  const pkgFile = join(dir, 'package.json');
  if (existsSync(pkgFile)) {
    const files = JSON.parse(readFileSync(pkgFile, 'utf8')).files ?? [];
    for (const entry of files) {
      if (!entry.startsWith('!') && /(^|\/)test-fixtures(\/|$)/.test(entry)) {
        problems.push(`${relative(root, pkgFile)}: "files" publishes ${entry}; test fixtures are for the tests only`);
      }
    }
  }
  return problems;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const dirs = process.argv.length > 2 ? process.argv.slice(2) : [process.cwd()];
  const problems = dirs.flatMap((d) => checkHermetic(d));
  if (problems.length > 0) {
    for (const p of problems) console.error(`check-hermetic: ${p}`);
    console.error('check-hermetic: tests must read only files in the repository (see test-fixtures/SOURCE.md in data, eval, convert-llama2c)');
    process.exit(1);
  }
  console.log(`check-hermetic: ${dirs.map((d) => relative(root, resolve(d)) || '.').join(', ')} ok`);
}
