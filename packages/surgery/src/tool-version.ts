import { readFileSync } from 'node:fs';

let cached: string | null = null;

/** This package's version, recorded in layerprune.json. Works from src/ and dist/ (both one level below). */
export function toolVersion(): string {
  if (cached === null) {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    cached = pkg.version;
  }
  return cached;
}
