// Versions recorded in every report: Node, platform, engine, backend and the packages.
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
  '@layerprune/engine-onnx',
  '@tensorflow/tfjs',
  // The onnx engine's runtime: found when installed beside @layerprune/engine-onnx (hoisted), left out otherwise.
  'onnxruntime-node',
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

/** `engine`: the engine the analysis ran on ("onnx", "tfjs"); `backend`: its device or TensorFlow.js backend. */
export async function collectEnvironment(
  engine: string,
  backend: string,
): Promise<{ node: string; platform: string; engine: string; backend: string; packages: Record<string, string> }> {
  const packages: Record<string, string> = {};
  for (const name of PACKAGES) {
    const version = await versionOf(name);
    if (version !== null) packages[name] = version;
  }
  return { node: process.version, platform: `${process.platform} ${process.arch}`, engine, backend, packages };
}
