#!/usr/bin/env node
// Enforces honest dependencies and the one-way dependency graph of the monorepo.
// Run from a package directory (the `lint` target does) or with package names as
// arguments (`--tool NAME` for tools/*).
//
// Rules:
// - Layers: a package depends (dependencies / peerDependencies) only on
//   @layerprune packages in a strictly lower layer (LAYERS); nothing depends on
//   the CLI, not even as a devDependency.
// - Every import is declared, for @layerprune/* and external packages alike
//   (node: and other built-in modules excepted; `import type` counts too, since
//   the emitted .d.ts files keep it):
//     build files (what tsconfig.json compiles, and bin/) -> dependencies or
//       peerDependencies;
//     test-side files (*.test.ts, src/testing/**, anything else in src/ that
//       tsconfig.json leaves out, bench/, vitest.config.*) -> dependencies,
//       peerDependencies or devDependencies.
// - Every declaration is used:
//     a dependency is imported by a build file (only by tests: it belongs in
//       devDependencies);
//     a devDependency is imported by a test-side file, and is not also a
//       dependency or peer dependency;
//     a peer dependency is imported by a build file, or named in a string
//       literal of one (a backend loaded by name at run time, like the model's
//       optional tfjs-node), or is a peer dependency of one of the package's
//       @layerprune dependencies that the package passes on to its user;
//     @types/x counts as used when x is imported.
// - peerDependenciesMeta names only declared peer dependencies.
// - No file in src/ or bin/ imports by a relative path that leaves its package
//   (at any depth): other packages are imported by name, their test kits as
//   `@layerprune/<name>/testing` (resolved by the repository's vitest and
//   tsconfig set-up only), and build files never import a test kit.
import { readFileSync, readdirSync, statSync, existsSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { join, resolve, basename, relative, dirname, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = resolve(fileURLToPath(new URL('.', import.meta.url)), '..');

// Lower number = closer to the bottom. A package may import only strictly lower layers.
export const LAYERS = {
  'safe-output': 0,
  'tensor-io': 1,
  assets: 1,
  similarity: 1,
  data: 1,
  figures: 1,
  // What each model family is (config, tensor names and shapes) on top of tensor-io's files.
  architectures: 2,
  quant: 3,
  model: 4,
  surgery: 5,
  lora: 5,
  eval: 5,
  // The onnx engine implements lora's TrainerFactory besides model's EngineFactory.
  'engine-onnx': 6,
  report: 6,
  pipeline: 7,
  cli: 8,
};

const SOURCE = /\.(ts|mts|cts|js|mjs|cjs)$/;

function sourceFiles(dir) {
  if (!existsSync(dir)) return [];
  const out = [];
  for (const entry of readdirSync(dir)) {
    if (entry === 'node_modules' || entry === 'dist') continue;
    const full = join(dir, entry);
    if (statSync(full).isDirectory()) out.push(...sourceFiles(full));
    else if (SOURCE.test(entry) && !entry.endsWith('.d.ts')) out.push(full);
  }
  return out;
}

/** The files tsconfig.json compiles (absolute paths); null when the package has no tsconfig.json. */
function buildFiles(dir) {
  const path = join(dir, 'tsconfig.json');
  if (!existsSync(path)) return null;
  const host = { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => { throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n')); } };
  const parsed = ts.getParsedCommandLineOfConfigFile(path, {}, host);
  return new Set(parsed.fileNames.map((f) => resolve(f)));
}

/** The package a module specifier names (`@scope/name` or `name`), or null for relative paths and built-ins. */
function packageOf(specifier) {
  if (specifier.startsWith('.') || specifier.startsWith('/') || specifier.startsWith('#')) return null;
  if (specifier.startsWith('node:') || isBuiltin(specifier)) return null;
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/** Module specifiers a file imports (static, type-only, re-exports, import(), require(), import('x').T) and its string literals. */
function scan(file) {
  const text = readFileSync(file, 'utf8');
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const specifiers = [];
  const literals = new Set();
  const visit = (node) => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      specifiers.push(node.moduleSpecifier.text);
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference) && ts.isStringLiteral(node.moduleReference.expression)) {
      specifiers.push(node.moduleReference.expression.text);
    } else if (ts.isCallExpression(node) && node.arguments.length >= 1 && ts.isStringLiteralLike(node.arguments[0])) {
      const callee = node.expression;
      const isImport = callee.kind === ts.SyntaxKind.ImportKeyword;
      const isRequire = ts.isIdentifier(callee) && callee.text === 'require';
      const isResolve = ts.isPropertyAccessExpression(callee) && ts.isIdentifier(callee.expression) && callee.expression.text === 'require' && callee.name.text === 'resolve';
      if (isImport || isRequire || isResolve) specifiers.push(node.arguments[0].text);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      specifiers.push(node.argument.literal.text);
    } else if (ts.isStringLiteralLike(node)) {
      literals.add(node.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return { specifiers, literals };
}

function workspacePackages() {
  const byName = new Map();
  for (const kind of ['packages', 'tools']) {
    for (const entry of readdirSync(join(root, kind))) {
      const path = join(root, kind, entry, 'package.json');
      if (existsSync(path)) byName.set(JSON.parse(readFileSync(path, 'utf8')).name, JSON.parse(readFileSync(path, 'utf8')));
    }
  }
  return byName;
}

function check(name, kind = 'packages') {
  const dir = join(root, kind, name);
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const problems = [];
  const rel = (file) => relative(root, file);
  if (kind === 'tools') LAYERS[name] = 100; // tools sit above every package but still may not import the CLI
  if (!(name in LAYERS)) problems.push(`package "${name}" has no layer in tools/check-deps.mjs`);
  const deps = new Set(Object.keys(pkg.dependencies ?? {}));
  const peers = new Set(Object.keys(pkg.peerDependencies ?? {}));
  const devDeps = new Set(Object.keys(pkg.devDependencies ?? {}));
  const optional = new Set(Object.keys(pkg.optionalDependencies ?? {}));
  const runtime = new Set([...deps, ...peers, ...optional]);

  // Layers.
  for (const dep of [...runtime, ...devDeps]) {
    if (!dep.startsWith('@layerprune/')) continue;
    const target = dep.slice('@layerprune/'.length);
    if (target === 'cli') problems.push(`${pkg.name} depends on the CLI`);
    // Tests may use a higher-level package only as a devDependency, never the CLI.
    if (runtime.has(dep) && !(LAYERS[target] < LAYERS[name])) {
      problems.push(`${pkg.name} (layer ${LAYERS[name]}) may not depend on ${dep} (layer ${LAYERS[target]})`);
    }
  }
  for (const dep of Object.keys(pkg.peerDependenciesMeta ?? {})) {
    if (!peers.has(dep)) problems.push(`${pkg.name}: peerDependenciesMeta names ${dep}, which is not in peerDependencies`);
  }
  for (const dep of devDeps) {
    if (runtime.has(dep)) problems.push(`${pkg.name} declares ${dep} both as a devDependency and in dependencies/peerDependencies: keep one`);
  }

  // Imports.
  const build = buildFiles(dir) ?? new Set();
  const files = [
    ...sourceFiles(join(dir, 'src')).map((f) => ({ file: f, isBuild: build.has(resolve(f)) })),
    ...sourceFiles(join(dir, 'bin')).map((f) => ({ file: f, isBuild: true })),
    // Bench scripts and the vitest config run in the repository only: they may reach its shared set-up and a
    // sibling package's bench model by path.
    ...sourceFiles(join(dir, 'bench')).map((f) => ({ file: f, isBuild: false, inRepository: true })),
    ...readdirSync(dir).filter((f) => /^vitest\.config\./.test(f)).map((f) => ({ file: join(dir, f), isBuild: false, inRepository: true })),
  ];
  const usedAtRuntime = new Map(); // package -> build files importing it
  const usedInTests = new Map(); // package -> test-side files importing it
  const runtimeLiterals = new Set();
  for (const { file, isBuild, inRepository } of files) {
    const { specifiers, literals } = scan(file);
    if (isBuild) for (const l of literals) runtimeLiterals.add(l);
    for (const specifier of specifiers) {
      if (specifier.startsWith('.') && !inRepository && !resolve(dirname(file), specifier).startsWith(dir + sep)) {
        problems.push(`${rel(file)} imports ${specifier}, a path outside ${pkg.name}: import other packages by name (their test kits as @layerprune/<name>/testing)`);
      }
      if (isBuild && /^@layerprune\/[^/]+\/testing$/.test(specifier)) {
        problems.push(`${rel(file)} imports ${specifier}: test kits are for tests only (not exported, never published)`);
      }
      const dep = packageOf(specifier);
      if (dep === null || dep === pkg.name) continue;
      const used = isBuild ? usedAtRuntime : usedInTests;
      if (!used.has(dep)) used.set(dep, new Set());
      used.get(dep).add(rel(file));
    }
  }
  const where = (fileSet) => {
    const list = [...fileSet];
    return list.length === 1 ? list[0] : `${list[0]} (and ${list.length - 1} more file${list.length > 2 ? 's' : ''})`;
  };
  for (const [dep, fileSet] of usedAtRuntime) {
    if (runtime.has(dep)) continue;
    problems.push(devDeps.has(dep)
      ? `${where(fileSet)} imports ${dep}, which ${pkg.name} declares only as a devDependency (build files need dependencies or peerDependencies)`
      : `${where(fileSet)} imports ${dep}, which ${pkg.name} does not declare (add it to dependencies or peerDependencies)`);
  }
  for (const [dep, fileSet] of usedInTests) {
    if (runtime.has(dep) || devDeps.has(dep)) continue;
    problems.push(`${where(fileSet)} imports ${dep}, which ${pkg.name} does not declare (test-side files: add it to devDependencies)`);
  }

  // Declarations.
  const imported = (dep, used) => used.has(dep) || (dep.startsWith('@types/') && [...used.keys()].some((d) => `@types/${d.replace(/^@/, '').replace('/', '__')}` === dep));
  const workspace = workspacePackages();
  const passedOn = new Set();
  for (const dep of runtime) {
    if (!dep.startsWith('@layerprune/')) continue;
    for (const peer of Object.keys(workspace.get(dep)?.peerDependencies ?? {})) passedOn.add(peer);
  }
  for (const dep of [...deps, ...optional]) {
    if (imported(dep, usedAtRuntime)) continue;
    const field = deps.has(dep) ? 'dependencies' : 'optionalDependencies';
    problems.push(imported(dep, usedInTests)
      ? `${pkg.name} declares ${dep} in ${field}, but only test-side files import it (${where(usedInTests.get(dep) ?? new Set([rel(dir)]))}): move it to devDependencies`
      : `${pkg.name} declares ${dep} in ${field}, but no file imports it: remove it`);
  }
  for (const dep of peers) {
    if (imported(dep, usedAtRuntime) || runtimeLiterals.has(dep) || passedOn.has(dep)) continue;
    problems.push(`${pkg.name} declares ${dep} in peerDependencies, but no build file imports or names it and no @layerprune dependency has it as a peer: remove it`);
  }
  for (const dep of devDeps) {
    if (runtime.has(dep) || imported(dep, usedInTests)) continue;
    problems.push(`${pkg.name} declares ${dep} in devDependencies, but no test-side file imports it: remove it`);
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
