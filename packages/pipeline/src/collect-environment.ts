// Versions recorded in every report: Node, platform, backend and the packages.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';

const PACKAGES = [
  '@layerprune/tensor-io',
  '@layerprune/model',
  '@layerprune/similarity',
  '@layerprune/surgery',
  '@layerprune/quant',
  '@layerprune/lora',
  '@layerprune/eval',
  '@layerprune/report',
  '@layerprune/pipeline',
  '@tensorflow/tfjs',
];

async function versionOf(name: string): Promise<string | null> {
  try {
    const require = createRequire(import.meta.url);
    // package.json is exported by every @layerprune package and by tfjs.
    const path = require.resolve(`${name}/package.json`);
    return (JSON.parse(await readFile(path, 'utf8')) as { version: string }).version;
  } catch {
    return null;
  }
}

export async function collectEnvironment(backend: string): Promise<{ node: string; platform: string; backend: string; packages: Record<string, string> }> {
  const packages: Record<string, string> = {};
  for (const name of PACKAGES) {
    const version = await versionOf(name);
    if (version !== null) packages[name] = version;
  }
  return { node: process.version, platform: `${process.platform} ${process.arch}`, backend, packages };
}
