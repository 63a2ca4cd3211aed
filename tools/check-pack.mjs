#!/usr/bin/env node
// The install check (issue 16): what a user gets from `npm install @layerprune/x`.
//  1. builds every publishable package (tsc -b) and `npm pack`s it into a temp dir;
//  2. checks each tarball: LICENSE, README.md and package.json present, no test
//     files, no tsbuildinfo, every source map's sources shipped or inlined;
//  3. for each package, a fresh temp project installs its tarball (every
//     @layerprune/* package comes from the local tarballs through `overrides`,
//     third-party packages from the registry; --ignore-scripts), imports the main
//     entry with node, and prints `npm ls --all`; the CLI's bin runs `--version`;
//  4. fails if the projects of the packages in NO_TFJS contain any @tensorflow/*.
// Usage: node tools/check-pack.mjs [--clean] [--keep] [package ...]   (npm run check:pack)
//   --clean  delete every publishable package's dist/ first (a local tree may hold
//            outputs of deleted or now-excluded sources, which npm pack would ship);
//            a fresh clone after `npm ci` needs no --clean
//   --keep   keep the temp dir (tarballs, extracted contents, projects)
import { spawnSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, posix, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = resolve(fileURLToPath(new URL('.', import.meta.url)), '..');
/** Packages a user must be able to install without TensorFlow.js. */
const NO_TFJS = ['@layerprune/eval', '@layerprune/tensor-io', '@layerprune/similarity', '@layerprune/surgery'];
const CONCURRENCY = 3; // installs wait on the network more than on the 2 cores

const args = process.argv.slice(2);
const keep = args.includes('--keep');
const clean = args.includes('--clean');
const only = args.filter((a) => !a.startsWith('--')).map((a) => (a.startsWith('@') ? a : `@layerprune/${a}`));
const started = Date.now();
const seconds = (since) => `${((Date.now() - since) / 1000).toFixed(1)} s`;
const failures = [];
const fail = (message) => {
  failures.push(message);
  console.log(`FAIL ${message}`);
};

function run(command, argv, options = {}) {
  const result = spawnSync(command, argv, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, ...options });
  if (result.error) throw result.error;
  return result;
}

function runAsync(command, argv, options = {}) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, argv, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (status) => resolvePromise({ status, stdout, stderr }));
  });
}

// 1. Publishable packages, built and packed.
const publishable = readdirSync(join(root, 'packages'))
  .map((name) => join(root, 'packages', name))
  .filter((dir) => existsSync(join(dir, 'package.json')))
  .map((dir) => ({ dir, pkg: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) }))
  .filter(({ pkg }) => pkg.private !== true);
const byName = new Map(publishable.map((p) => [p.pkg.name, p]));
for (const name of only) if (!byName.has(name)) throw new Error(`check-pack: no publishable package ${name}`);
const targets = only.length > 0 ? only : [...byName.keys()];

const work = mkdtempSync(join(tmpdir(), 'check-pack-'));
const tarballs = join(work, 'tarballs');
mkdirSync(tarballs);
console.log(`check-pack: ${publishable.length} publishable packages, work dir ${work}`);

let phase = Date.now();
if (clean) {
  // tsc -b --clean forgets outputs of deleted sources: remove dist/ itself.
  for (const { dir } of publishable) rmSync(join(dir, 'dist'), { recursive: true, force: true });
  console.log('check-pack: removed every publishable package\'s dist/ (--clean)');
}
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
const build = run(process.execPath, [tsc, '-b', ...publishable.map(({ dir }) => join(dir, 'tsconfig.json'))], { cwd: root });
if (build.status !== 0) {
  console.log(build.stdout, build.stderr);
  console.log('check-pack: FAILED: the packages do not build');
  process.exit(1);
}
console.log(`check-pack: built (${seconds(phase)})`);

phase = Date.now();
const pack = run('npm', ['pack', '--json', '--ignore-scripts', `--pack-destination=${tarballs}`, ...publishable.map(({ dir }) => `--workspace=${dir}`)], { cwd: root });
if (pack.status !== 0) {
  console.log(pack.stdout, pack.stderr);
  console.log('check-pack: FAILED: npm pack');
  process.exit(1);
}
const packed = new Map(JSON.parse(pack.stdout).map((entry) => [entry.name, entry]));
console.log(`check-pack: packed ${packed.size} tarballs (${seconds(phase)})`);

// 2. Tarball contents.
/** The outDir and the files tsc -b writes there for the package's tsconfig.json (relative to the package). */
function buildOutputs(dir) {
  const parsed = ts.getParsedCommandLineOfConfigFile(join(dir, 'tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} });
  const rel = (p) => relative(dir, p).split('\\').join('/');
  const outDir = rel(parsed.options.outDir);
  const expected = new Set();
  for (const source of parsed.fileNames) {
    const stem = posix.join(outDir, rel(source).slice(rel(parsed.options.rootDir).length + 1).replace(/\.[mc]?ts$/, ''));
    for (const ext of ['.js', '.js.map', '.d.ts', '.d.ts.map']) expected.add(`${stem}${ext}`);
  }
  return { outDir, expected };
}
function walk(dir) {
  return readdirSync(dir).flatMap((entry) => {
    const full = join(dir, entry);
    return statSync(full).isDirectory() ? walk(full) : [full];
  });
}
for (const [name, entry] of packed) {
  const into = join(work, 'contents', entry.filename.replace(/\.tgz$/, ''));
  mkdirSync(into, { recursive: true });
  const untar = run('tar', ['-xzf', join(tarballs, entry.filename), '-C', into]);
  if (untar.status !== 0) fail(`${name}: cannot extract ${entry.filename}: ${untar.stderr}`);
  const base = join(into, 'package');
  const files = new Set(walk(base).map((f) => f.slice(base.length + 1).split('\\').join('/')));
  const { outDir, expected } = buildOutputs(byName.get(name).dir);
  const stale = [];
  for (const required of ['package.json', 'README.md', 'LICENSE']) if (!files.has(required)) fail(`${name}: the tarball has no ${required}`);
  for (const file of files) {
    if (file.startsWith(`${outDir}/`) && !expected.has(file) && !file.endsWith('.tsbuildinfo')) {
      stale.push(file);
      continue;
    }
    if (/\.test\.|(^|\/)testing\/|\.tsbuildinfo$/.test(file)) fail(`${name}: the tarball ships ${file}`);
    if (!file.endsWith('.map')) continue;
    const map = JSON.parse(readFileSync(join(base, file), 'utf8'));
    const sourceRoot = map.sourceRoot ?? '';
    map.sources.forEach((source, i) => {
      const target = posix.normalize(posix.join(posix.dirname(file), sourceRoot, source));
      if (typeof map.sourcesContent?.[i] !== 'string' && !files.has(target)) fail(`${name}: ${file} points to ${target}, which the tarball does not ship (and the map has no sourcesContent)`);
    });
  }
  if (stale.length > 0) {
    fail(`${name}: the tarball ships ${stale.length} file${stale.length === 1 ? '' : 's'} that tsconfig.json does not build (outputs of deleted or excluded sources: rerun with --clean): ${stale.join(', ')}`);
  }
  if (!files.has(`${(byName.get(name).pkg.main ?? './index.js').replace(/^\.\//, '')}`)) fail(`${name}: the tarball has no main entry ${byName.get(name).pkg.main}`);
}

// 3. One fresh project per package.
const overrides = Object.fromEntries([...packed].map(([name, entry]) => [name, `file:${join(tarballs, entry.filename)}`]));

function tensorflowIn(tree) {
  const found = [];
  const visit = (node, path) => {
    for (const [dep, child] of Object.entries(node.dependencies ?? {})) {
      if (child.version === undefined || child.missing) continue; // an optional peer nobody installed
      const here = [...path, `${dep}@${child.version ?? '?'}`];
      if (dep.startsWith('@tensorflow/')) found.push(here.join(' > '));
      if (!child.deduped) visit(child, here);
    }
  };
  visit(tree, []);
  return found;
}

async function checkProject(name) {
  const t0 = Date.now();
  const project = join(work, 'projects', name.replace('/', '__'));
  mkdirSync(project, { recursive: true });
  const { [name]: self, ...others } = overrides;
  writeFileSync(join(project, 'package.json'), `${JSON.stringify({ name: 'check-pack-project', version: '0.0.0', private: true, type: 'module', dependencies: { [name]: self }, overrides: others }, null, 2)}\n`);
  const lines = [`--- ${name}`];
  const problems = [];
  const install = await runAsync('npm', ['install', '--ignore-scripts', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'], { cwd: project });
  const installTime = seconds(t0);
  if (install.status !== 0) {
    problems.push(`${name}: npm install failed:\n${install.stdout}${install.stderr}`);
    return { name, lines, problems, installTime, tf: [] };
  }
  const importRun = await runAsync(process.execPath, ['-e', `import('${name}').then((m) => console.log(Object.keys(m).length + ' exports'))`], { cwd: project });
  if (importRun.status !== 0) problems.push(`${name}: import('${name}') failed:\n${importRun.stderr}`);
  lines.push(`import('${name}'): ${importRun.status === 0 ? importRun.stdout.trim() : 'FAILED'}`);
  const bins = Object.keys(byName.get(name).pkg.bin ?? {});
  for (const bin of bins) {
    const binRun = await runAsync(join(project, 'node_modules', '.bin', bin), ['--version'], { cwd: project });
    if (binRun.status !== 0) problems.push(`${name}: \`${bin} --version\` failed:\n${binRun.stdout}${binRun.stderr}`);
    lines.push(`${bin} --version: ${binRun.status === 0 ? binRun.stdout.trim() : 'FAILED'}`);
  }
  const ls = await runAsync('npm', ['ls', '--all'], { cwd: project });
  lines.push(ls.stdout.trimEnd());
  if (ls.status !== 0) problems.push(`${name}: npm ls --all reports problems:\n${ls.stderr}`);
  const lsJson = await runAsync('npm', ['ls', '--all', '--json'], { cwd: project });
  const tf = tensorflowIn(JSON.parse(lsJson.stdout || '{}'));
  if (existsSync(join(project, 'node_modules', '@tensorflow')) && tf.length === 0) tf.push('node_modules/@tensorflow exists');
  if (NO_TFJS.includes(name) && tf.length > 0) problems.push(`${name} must install without TensorFlow.js, but brings:\n  ${tf.join('\n  ')}`);
  const size = (await runAsync('du', ['-sk', join(project, 'node_modules')])).stdout.split('\t')[0];
  return { name, lines, problems, installTime, tf, sizeMb: (Number(size) / 1024).toFixed(1) };
}

phase = Date.now();
const queue = [...targets];
const results = [];
await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
  while (queue.length > 0) {
    const name = queue.shift();
    const result = await checkProject(name);
    results.push(result);
    console.log(result.lines.join('\n'));
    for (const p of result.problems) fail(p);
  }
}));
console.log(`check-pack: installed and imported ${results.length} packages (${seconds(phase)})`);

// 4. Summary.
console.log('\npackage                  tarball    files  install  node_modules  @tensorflow/* in the tree');
for (const name of targets) {
  const r = results.find((x) => x.name === name);
  const entry = packed.get(name);
  const tfNames = [...new Set(r.tf.map((p) => p.split(' > ').pop().replace(/^@tensorflow\/|@[^@]*$/g, '')))].sort();
  const tf = tfNames.length === 0 ? 'none' : `${tfNames.length}: ${tfNames.join(', ')}`;
  console.log(`${name.padEnd(24)} ${`${(entry.size / 1024).toFixed(0)} kB`.padStart(8)} ${String(entry.entryCount).padStart(6)} ${r.installTime.padStart(8)} ${`${r.sizeMb ?? '?'} MB`.padStart(13)}  ${tf}${NO_TFJS.includes(name) ? ' (must be none)' : ''}`);
}
if (keep) console.log(`check-pack: kept ${work}`);
else rmSync(work, { recursive: true, force: true });
if (failures.length > 0) {
  console.log(`\ncheck-pack: FAILED (${failures.length} problem${failures.length === 1 ? '' : 's'}, ${seconds(started)})`);
  process.exit(1);
}
console.log(`\ncheck-pack: ok (${seconds(started)})`);
