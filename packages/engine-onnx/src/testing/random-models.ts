// Test helper: the same random Llama-family model (from @layerprune/model's
// test kit) loaded on the tfjs engine and on the ONNX engine.
import { createModelFromProvider, HfWeightProvider, tfjsEngineFactory } from '@layerprune/model';
import type { BlockWeights, LinearModule, LlamaModel, WeightMode, WeightProvider } from '@layerprune/model';
import { randomModel, readerFromMap, type RandomModel, type RandomModelSpec } from '@layerprune/model/testing';
import { onnxEngineFactory } from '../onnx-engine-factory.js';

export { maxAbsDiff, referenceForward, writeRandomModelDir } from '@layerprune/model/testing';
export { randomModel };
export type { RandomModel, RandomModelSpec };

export const quietLog = (): void => {};

export function randomProvider(random: RandomModel): WeightProvider {
  const provider = new HfWeightProvider(random.config, readerFromMap(random.tensors), { cache: true });
  provider.validate();
  return provider;
}

/**
 * `provider` as a 4-bit-style provider would behave: every block is copied into the SAME
 * buffers, so an engine that kept the arrays without copying would run every layer with the
 * last block read.
 */
export function refillingProvider(provider: WeightProvider): WeightProvider {
  let shared: BlockWeights | null = null;
  const refill = (target: Float32Array | undefined, source: Float32Array): Float32Array => {
    const out = target ?? new Float32Array(source.length);
    out.set(source);
    return out;
  };
  return {
    config: provider.config,
    reusesArrays: true,
    embedding: () => provider.embedding(),
    finalNorm: () => provider.finalNorm(),
    lmHead: () => provider.lmHead(),
    async getBlockWeights(layer) {
      const w = await provider.getBlockWeights(layer);
      const linear = Object.fromEntries(Object.entries(w.linear).map(([m, a]) => [m, refill(shared?.linear[m as LinearModule], a)])) as BlockWeights['linear'];
      const bias = Object.fromEntries(Object.entries(w.bias).map(([m, a]) => [m, refill(shared?.bias[m as LinearModule], a as Float32Array)])) as BlockWeights['bias'];
      shared = {
        inputLayernorm: refill(shared?.inputLayernorm, w.inputLayernorm),
        postAttentionLayernorm: refill(shared?.postAttentionLayernorm, w.postAttentionLayernorm),
        linear,
        bias,
        ...(w.qNorm ? { qNorm: refill(shared?.qNorm, w.qNorm) } : {}),
        ...(w.kNorm ? { kNorm: refill(shared?.kNorm, w.kNorm) } : {}),
        ...(w.preFeedforwardLayernorm ? { preFeedforwardLayernorm: refill(shared?.preFeedforwardLayernorm, w.preFeedforwardLayernorm) } : {}),
        ...(w.postFeedforwardLayernorm ? { postFeedforwardLayernorm: refill(shared?.postFeedforwardLayernorm, w.postFeedforwardLayernorm) } : {}),
      };
      return shared;
    },
    close: () => provider.close(),
  };
}

export interface EnginePair {
  tfjs: LlamaModel;
  onnx: LlamaModel;
  random: RandomModel;
  dispose(): void;
}

export async function randomModelOnBothEngines(spec: RandomModelSpec, options: { mode?: WeightMode; onnxMode?: WeightMode; onnxRefills?: boolean } = {}): Promise<EnginePair> {
  const random = randomModel(spec);
  const common = { rawConfig: random.rawConfig, log: quietLog };
  const tfjs = await createModelFromProvider(randomProvider(random), { ...common, engine: tfjsEngineFactory('wasm'), mode: options.mode ?? 'resident' });
  const onnxProvider = options.onnxRefills ? refillingProvider(randomProvider(random)) : randomProvider(random);
  const onnx = await createModelFromProvider(onnxProvider, { ...common, engine: onnxEngineFactory({ threads: 2 }), mode: options.onnxMode ?? options.mode ?? 'resident' });
  return {
    tfjs,
    onnx,
    random,
    dispose() {
      tfjs.dispose();
      onnx.dispose();
    },
  };
}
