// How loadModel obtains an engine without knowing every runtime: a factory says
// which architectures it can run, loads its runtime (prepare), and builds an
// engine over a weight provider. @layerprune/model ships the TensorFlow.js
// factory; other packages (e.g. @layerprune/engine-onnx) provide their own.
import type { Architecture } from '../config/resolve-architecture.js';
import type { Engine, WeightMode } from '../engine.js';
import type { WeightProvider } from '../weights/block-weights.js';

export interface EngineFactory {
  /** "tfjs", "onnx"... */
  readonly name: string;
  /** Why this engine cannot run `arch` exactly (a sentence naming the config field), or null when it can. Called before any weight is read. */
  unsupportedReason(arch: Architecture): string | null;
  /** Loads the runtime (tfjs: selects the backend; onnx: loads onnxruntime-node). Throws when it is not installed or cannot start. */
  prepare(log: (line: string) => void): Promise<PreparedEngine>;
}

export interface PreparedEngine {
  readonly name: string;
  /** Device / backend the engine computes on, e.g. "wasm", "cpu", "cuda". */
  readonly backend: string;
  /** Largest float32 weight total this runtime keeps resident when the mode is 'auto' (beyond it: streaming). */
  residentLimitBytes(memoryBytes: number): number;
  /** Most float32 weight bytes a resident load may hold before it fails hard (wasm: the 4 GiB heap); null when only memory limits it. */
  readonly hardResidentLimitBytes: number | null;
  /**
   * Resident engines normally read every weight in create(), after which loadModel closes the
   * model's files. An engine that reads blocks on first use (fast start) sets this: the files
   * then stay open until the model is disposed.
   */
  readonly readsWeightsLazily?: boolean;
  create(arch: Architecture, provider: WeightProvider, options: { mode: WeightMode }): Promise<Engine>;
}
