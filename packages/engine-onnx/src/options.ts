// Options of the ONNX engine, validated as data before the runtime is loaded.
import { availableParallelism } from 'node:os';
import { OnnxEngineError } from './errors.js';

export const ONNX_DEVICES = ['cpu', 'cuda'] as const;
export type OnnxDevice = (typeof ONNX_DEVICES)[number];

/** Most intra-op threads accepted: far above any machine's cores, below a typo like 10000. */
export const MAX_THREADS = 1024;

export interface OnnxEngineOptions {
  /** Intra-op threads of onnxruntime's CPU provider. Default: all cores (os.availableParallelism()). */
  threads?: number;
  /** Execution provider: 'cpu' (bundled) or 'cuda' (needs onnxruntime-node's CUDA files, see README). Default 'cpu'. */
  device?: OnnxDevice;
}

export interface ResolvedOnnxOptions {
  threads: number;
  device: OnnxDevice;
}

export function resolveOnnxOptions(options: OnnxEngineOptions = {}): ResolvedOnnxOptions {
  const threads = options.threads ?? availableParallelism();
  if (!Number.isInteger(threads) || threads < 1 || threads > MAX_THREADS) {
    throw new OnnxEngineError('INVALID_OPTION', `threads must be an integer in [1, ${MAX_THREADS}], got ${JSON.stringify(options.threads)}`, { field: 'threads', limit: MAX_THREADS });
  }
  const device = options.device ?? 'cpu';
  if (!(ONNX_DEVICES as readonly string[]).includes(device)) {
    throw new OnnxEngineError('INVALID_OPTION', `device must be one of ${ONNX_DEVICES.join(', ')}, got ${JSON.stringify(device)}`, { field: 'device', limit: ONNX_DEVICES.join(', ') });
  }
  return { threads, device };
}
