// The name and version of the package a module belongs to, for provenance and
// model cards: read from the package.json one directory above the module, which
// holds for a package's src/ and dist/ files alike.
import { readFileSync } from 'node:fs';

export interface PackageInfo {
  name: string;
  version: string;
}

const cache = new Map<string, PackageInfo>();

/** `{ name, version }` of `../package.json` relative to `moduleUrl` (pass `import.meta.url`). */
export function packageInfo(moduleUrl: string | URL): PackageInfo {
  const url = new URL('../package.json', moduleUrl).href;
  let info = cache.get(url);
  if (info === undefined) {
    const pkg = JSON.parse(readFileSync(new URL(url), 'utf8')) as { name?: unknown; version?: unknown };
    info = { name: String(pkg.name), version: String(pkg.version) };
    cache.set(url, info);
  }
  return info;
}
