// Incremental decoding of one sequence on the ONNX engine: each block keeps its
// rotated keys and values [1, nKV, positions, headDim] (the present_key /
// present_value outputs of the previous step), and a step runs only the new tokens.
import type * as Ort from 'onnxruntime-node';
import type { Decoder } from '@layerprune/model';
import { createCallContext } from './call-context.js';
import { OnnxEngineError } from './errors.js';
import type { OnnxEngine } from './onnx-engine.js';
import { prefetchingBlocks, runBlock } from './run-forward.js';

interface KvEntry {
  key: Ort.Tensor;
  value: Ort.Tensor;
}

export class OnnxDecoder implements Decoder {
  private readonly cache: (KvEntry | null)[];
  private position = 0;
  private disposed = false;

  constructor(
    private readonly engine: OnnxEngine,
    private readonly skipLayers: ReadonlySet<number>,
  ) {
    this.cache = new Array<KvEntry | null>(engine.architecture.numLayers).fill(null);
  }

  get length(): number {
    return this.position;
  }

  async append(tokens: number[]): Promise<Float32Array> {
    if (this.disposed) throw new OnnxEngineError('DISPOSED', `${this.engine.architecture.source}: the decoder was disposed`, { file: this.engine.architecture.source });
    if (tokens.length === 0) throw new RangeError('append needs at least one token');
    const arch = this.engine.architecture;
    const { ort } = this.engine;
    const H = arch.hiddenSize;
    const ctx = createCallContext(ort, arch, { batch: 1, tokens: tokens.length, past: this.position });
    const empty = (): Ort.Tensor => new ort.Tensor('float32', new Float32Array(0), [1, arch.numKvHeads, 0, arch.headDim]);
    try {
      let x = this.engine.embed(tokens);
      const blocks = prefetchingBlocks(this.engine, this.skipLayers);
      for (let layer = 0; layer < arch.numLayers; layer++) {
        if (this.skipLayers.has(layer)) continue;
        const past = this.cache[layer] ?? { key: empty(), value: empty() };
        const out = await runBlock(this.engine, layer, x, ctx, { past, weights: blocks.next(layer) });
        x = out.y.data as Float32Array;
        this.cache[layer] = { key: out.present_key, value: out.present_value };
      }
      const head = await this.engine.headFeeds();
      const last = x.subarray((tokens.length - 1) * H, tokens.length * H);
      const out = await this.engine.run(this.engine.headSession('logits'), { ...head, x: new ort.Tensor('float32', last, [1, H]) }, ['logits']);
      this.position += tokens.length;
      return out.logits.data as Float32Array;
    } catch (error) {
      // Some blocks' caches may already hold the new tokens: the decoder cannot continue.
      this.dispose();
      throw error;
    }
  }

  dispose(): void {
    this.disposed = true;
    this.cache.fill(null);
  }
}
