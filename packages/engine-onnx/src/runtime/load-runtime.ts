// Loads onnxruntime-node on demand (importing this package never loads the
// native binary) and checks, with a one-node session, that the binary runs and
// that the requested execution provider exists: `auto` engine selection can then
// fall back to tfjs with the reason instead of failing mid-run.
import type * as Ort from 'onnxruntime-node';
import { OnnxEngineError } from '../errors.js';
import type { ResolvedOnnxOptions } from '../options.js';
import { GraphBuilder } from '../graph/graph-builder.js';
import { cudaProvider } from './cuda-provider.js';

export type OrtModule = typeof Ort;

export interface OnnxRuntime {
  readonly ort: OrtModule;
  readonly threads: number;
  readonly device: ResolvedOnnxOptions['device'];
  /** onnxruntime-node's version, e.g. "1.30.0". */
  readonly version: string;
  createSession(graph: Uint8Array, name: string): Promise<Ort.InferenceSession>;
}

export type OrtImporter = () => Promise<OrtModule>;

export interface RuntimeDeps {
  importer: OrtImporter;
  /** Where the CUDA provider library should be and whether it is installed. */
  cudaProvider: () => { path: string; present: boolean };
}

const defaultImporter: OrtImporter = async () => {
  const mod = (await import('onnxruntime-node')) as OrtModule & { default?: OrtModule };
  return mod.InferenceSession ? mod : (mod.default as OrtModule);
};

export const CUDA_INSTALL_HINT =
  "install onnxruntime-node's CUDA 12 provider on a Linux x64 machine with an NVIDIA driver: `npm rebuild onnxruntime-node --onnxruntime-node-install=cuda12` (its install script must be allowed: `npm install-scripts approve onnxruntime-node`)";

function sessionOptions(options: ResolvedOnnxOptions): Ort.InferenceSession.SessionOptions {
  return {
    executionProviders: options.device === 'cuda' ? ['cuda'] : ['cpu'],
    intraOpNumThreads: options.threads,
    // Blocks run one after another; inter-op parallelism would only add threads competing for cores.
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
    // Warnings (e.g. about weights given as inputs) are expected and not actionable by users.
    logSeverityLevel: 3,
  };
}

function probeGraph(): Uint8Array {
  const g = new GraphBuilder('probe');
  const x = g.input('x', 'float32', [1]);
  g.output('y', g.op('Relu', [x]), 'float32', [1]);
  return g.encode();
}

export async function loadRuntime(options: ResolvedOnnxOptions, deps: Partial<RuntimeDeps> = {}): Promise<OnnxRuntime> {
  let ort: OrtModule;
  try {
    ort = await (deps.importer ?? defaultImporter)();
  } catch (cause) {
    throw new OnnxEngineError('ENGINE_UNAVAILABLE', `onnxruntime-node could not be loaded (${(cause as Error).message.split('\n')[0]}); install it with \`npm install onnxruntime-node\` or use the tfjs engine`, {
      field: 'engine',
      cause,
    });
  }
  if (options.device === 'cuda') {
    const cuda = (deps.cudaProvider ?? cudaProvider)();
    if (!cuda.present) {
      throw new OnnxEngineError('DEVICE_UNAVAILABLE', `device cuda: onnxruntime-node's CUDA execution provider is not installed (${cuda.path} is missing); ${CUDA_INSTALL_HINT}, or use --device cpu`, {
        file: cuda.path,
        field: 'device',
        limit: 'cpu',
      });
    }
  }
  const opts = sessionOptions(options);
  const createSession = async (graph: Uint8Array, name: string): Promise<Ort.InferenceSession> => {
    try {
      return await ort.InferenceSession.create(graph, opts);
    } catch (cause) {
      const message = (cause as Error).message.split('\n')[0];
      if (options.device === 'cuda') {
        throw new OnnxEngineError('DEVICE_UNAVAILABLE', `device cuda: onnxruntime-node could not start its CUDA execution provider (${message}); ${CUDA_INSTALL_HINT}, or use --device cpu`, {
          field: 'device',
          limit: 'cpu',
          cause,
        });
      }
      throw new OnnxEngineError('RUNTIME_FAILED', `onnxruntime-node could not load the ${name} graph: ${message}`, { field: 'engine', cause });
    }
  };
  const probe = await createSession(probeGraph(), 'probe');
  await probe.release();
  return { ort, threads: options.threads, device: options.device, version: ort.env?.versions?.node ?? 'unknown', createSession };
}
