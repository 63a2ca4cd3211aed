// Incremental decoding of one sequence: each block keeps its rotated keys and
// values [positions, nKV * headDim]; a call runs only the new tokens.
import * as tf from '@tensorflow/tfjs';
import type { Decoder } from '../engine.js';
import type { KvEntry } from './block.js';
import { readFloat32 } from './read-tensor.js';
import type { TfjsEngine } from './tfjs-engine.js';

export class TfjsDecoder implements Decoder {
  private readonly cache: (KvEntry | null)[];
  private position = 0;
  private disposed = false;

  constructor(
    private readonly engine: TfjsEngine,
    private readonly skipLayers: ReadonlySet<number>,
  ) {
    this.cache = new Array<KvEntry | null>(engine.architecture.numLayers).fill(null);
  }

  get length(): number {
    return this.position;
  }

  async append(tokens: number[]): Promise<Float32Array> {
    if (this.disposed) throw new Error('decoder disposed');
    if (tokens.length === 0) throw new RangeError('append needs at least one token');
    const arch = this.engine.architecture;
    const ctx = this.engine.createContext({ batch: 1, queryLength: tokens.length, pastLength: this.position });
    let x = this.engine.embed(tokens);
    const layers = Array.from({ length: arch.numLayers }, (_, l) => l).filter((l) => !this.skipLayers.has(l));
    const blocks = this.engine.blocks(layers);
    try {
      for await (const block of blocks) {
        const layer = block.layer;
        let present: KvEntry | null = null;
        const input = x;
        x = tf.tidy(() =>
          this.engine.runBlock(block, input, ctx, {
            past: this.cache[layer],
            onPresent: (p) => (present = { keys: tf.keep(p.keys), values: tf.keep(p.values) }),
          }),
        );
        input.dispose();
        this.release(layer);
        this.cache[layer] = present;
      }
      const head = await this.engine.acquireHead();
      try {
        const last = tf.tensor1d([tokens.length - 1], 'int32');
        const logits = tf.tidy(() => readFloat32(this.engine.logits(tf.gather(x, last), head)));
        last.dispose();
        this.position += tokens.length;
        return logits;
      } finally {
        head.release();
      }
    } catch (error) {
      // Some blocks' caches may already hold the new tokens: the decoder cannot continue.
      this.dispose();
      throw error;
    } finally {
      x.dispose();
      ctx.dispose();
    }
  }

  dispose(): void {
    this.disposed = true;
    for (let layer = 0; layer < this.cache.length; layer++) this.release(layer);
  }

  private release(layer: number): void {
    const entry = this.cache[layer];
    if (entry) {
      entry.keys.dispose();
      entry.values.dispose();
    }
    this.cache[layer] = null;
  }
}
