// Whether onnxruntime-node's CUDA execution provider is installed. The CPU
// build bundles only libonnxruntime; the CUDA provider libraries are fetched by
// the package's install script (`--onnxruntime-node-install=cuda12`). Checking
// for the file first gives a clean typed error instead of onnxruntime's own
// stderr lines about a library it could not open.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export const CUDA_PROVIDER_LIBRARY = 'libonnxruntime_providers_cuda.so';

/** The directory holding onnxruntime-node's native binding for this platform. */
export function bindingDir(): string {
  const entry = createRequire(import.meta.url).resolve('onnxruntime-node');
  return join(dirname(entry), '..', 'bin', 'napi-v6', process.platform, process.arch);
}

/** Where the CUDA provider library is expected, and whether it is there. */
export function cudaProvider(dir: string = bindingDir()): { path: string; present: boolean } {
  const path = join(dir, CUDA_PROVIDER_LIBRARY);
  return { path, present: existsSync(path) };
}
