// The ONNX Runtime engine. One session per graph kind (block, block with KV
// cache, head) serves every layer: weights are fed as inputs. Resident mode
// keeps each block's arrays after its first use (weights are read lazily, so a
// 1-token generate starts without reading every block first); streaming mode
// asks the provider for each block on every pass, holding one block at a time.
import type * as Ort from 'onnxruntime-node';
import type { Architecture, Decoder, Engine, EngineForwardRequest, EngineForwardResult, WeightMode, WeightProvider } from '@layerprune/model';
import { OnnxEngineError } from './errors.js';
import { blockFeeds, copyBlockWeights, copyPackedBlockWeights, packedBlockFeeds } from './block-feeds.js';
import type { BlockFeeds } from './block-feeds.js';
import { BNB4_BLOCK_SIZES, buildBlockGraph, fourBitSuffix } from './graph/block-graph.js';
import type { FourBitLayout } from './graph/block-graph.js';
import { buildHeadGraph } from './graph/head-graph.js';
import type { HeadGraphKind } from './graph/head-graph.js';
import { OnnxDecoder } from './onnx-decoder.js';
import type { OnnxRuntime } from './runtime/load-runtime.js';
import { runForward } from './run-forward.js';

export interface OnnxEngineCreateOptions {
  mode: WeightMode;
  runtime: OnnxRuntime;
}

/** A block's inputs: float32 weights, or 4-bit ones (`fourBit`) for the MatMulBnb4 graph. */
export interface BlockInput {
  feeds: BlockFeeds;
  fourBit?: FourBitLayout;
}

export interface HeadFeeds {
  norm: Ort.Tensor;
  lm_head: Ort.Tensor;
}

export class OnnxEngine implements Engine {
  readonly name = 'onnx';
  private readonly sessions = new Map<string, Promise<Ort.InferenceSession>>();
  private readonly resident = new Map<number, Promise<BlockInput>>();
  private head: Promise<HeadFeeds> | null = null;
  private disposed = false;

  private constructor(
    readonly architecture: Architecture,
    readonly provider: WeightProvider,
    readonly mode: WeightMode,
    readonly runtime: OnnxRuntime,
    /** [vocab, hidden]: rows are copied out in JS (a gather is cheaper than feeding the table). */
    readonly embedding: Float32Array,
  ) {}

  static async create(architecture: Architecture, provider: WeightProvider, options: OnnxEngineCreateOptions): Promise<OnnxEngine> {
    const embedding = await provider.embedding();
    const engine = new OnnxEngine(architecture, provider, options.mode, options.runtime, provider.reusesArrays ? embedding.slice() : embedding);
    // Compile the block graph now: a malformed graph fails at load, not mid-run.
    await engine.blockSession(false);
    return engine;
  }

  /** Names of the graphs compiled so far, e.g. ['block', 'head_logits'] or ['block', 'block_nf4_64', ...]. */
  get graphs(): string[] {
    return [...this.sessions.keys()];
  }

  get backend(): string {
    return this.runtime.device;
  }

  get ort() {
    return this.runtime.ort;
  }

  /** The session of a named graph, built on first use and shared afterwards. */
  private session(name: string, build: () => Uint8Array): Promise<Ort.InferenceSession> {
    this.assertLive();
    let session = this.sessions.get(name);
    if (!session) {
      session = this.runtime.createSession(build(), name);
      session.catch(() => this.sessions.delete(name));
      this.sessions.set(name, session);
    }
    return session;
  }

  /** The block graph: with a KV cache for decoding, with 4-bit weights when `fourBit`. */
  blockSession(kvCache: boolean, fourBit?: FourBitLayout): Promise<Ort.InferenceSession> {
    const name = `${kvCache ? 'block_decode' : 'block'}${fourBitSuffix(fourBit)}`;
    return this.session(name, () => buildBlockGraph(this.architecture, { kvCache, fourBit }));
  }

  headSession(kind: HeadGraphKind): Promise<Ort.InferenceSession> {
    return this.session(`head_${kind}`, () => buildHeadGraph(this.architecture, kind));
  }

  /**
   * Inputs of block `layer`: its linear weights 4-bit as stored when the provider has them so
   * (and MatMulBnb4 supports the block size), else float32. Resident: read once, kept.
   * Streaming: read now and dropped by the caller after its run (the provider may cache them).
   */
  blockFeeds(layer: number): Promise<BlockInput> {
    this.assertLive();
    const read = async (): Promise<BlockInput> => {
      const packed = this.provider.getPackedBlockWeights ? await this.provider.getPackedBlockWeights(layer) : null;
      if (packed && BNB4_BLOCK_SIZES.includes(packed.linear.q_proj.blockSize)) {
        const kept = this.mode === 'resident' && this.provider.reusesArrays ? copyPackedBlockWeights(packed) : packed;
        const { quantType, blockSize } = packed.linear.q_proj;
        return { feeds: packedBlockFeeds(this.ort, this.architecture, kept), fourBit: { quantType, blockSize } };
      }
      const weights = await this.provider.getBlockWeights(layer);
      const kept = this.mode === 'resident' && this.provider.reusesArrays ? copyBlockWeights(weights) : weights;
      return { feeds: blockFeeds(this.ort, this.architecture, kept) };
    };
    if (this.mode === 'streaming') return read();
    let feeds = this.resident.get(layer);
    if (!feeds) {
      feeds = read();
      feeds.catch(() => this.resident.delete(layer));
      this.resident.set(layer, feeds);
    }
    return feeds;
  }

  /** Final norm and lm_head (resident: kept after the first use). */
  headFeeds(): Promise<HeadFeeds> {
    this.assertLive();
    const read = async (): Promise<HeadFeeds> => {
      const { hiddenSize: H, vocabSize: V } = this.architecture;
      const keep = this.provider.reusesArrays ? (a: Float32Array) => a.slice() : (a: Float32Array) => a;
      const norm = keep(await this.provider.finalNorm());
      const lmHead = keep(await this.provider.lmHead());
      return { norm: new this.ort.Tensor('float32', norm, [H]), lm_head: new this.ort.Tensor('float32', lmHead, [V, H]) };
    };
    if (this.mode === 'streaming') return read();
    if (!this.head) {
      this.head = read();
      this.head.catch(() => (this.head = null));
    }
    return this.head;
  }

  /**
   * Runs a session, turning onnxruntime failures into typed errors naming the graph. `fetches`:
   * output names, or output tensors to write into (preallocated: no fresh memory per call).
   */
  async run(session: Promise<Ort.InferenceSession>, feeds: Record<string, Ort.Tensor>, fetches: Ort.InferenceSession.FetchesType): Promise<Record<string, Ort.Tensor>> {
    const ready = await session;
    try {
      return await ready.run(feeds, fetches);
    } catch (cause) {
      const graph = [...this.sessions.entries()].find(([, s]) => s === session)?.[0] ?? 'a';
      throw new OnnxEngineError('RUNTIME_FAILED', `${this.architecture.source}: onnxruntime failed running the ${graph} graph: ${(cause as Error).message.split('\n')[0]}`, { file: this.architecture.source, cause });
    }
  }

  /** Embedding rows of `ids` as [ids.length, hidden], times the config's embeddingScale (Gemma: sqrt(hidden)). */
  embed(ids: ArrayLike<number>): Float32Array {
    const H = this.architecture.hiddenSize;
    const out = new Float32Array(ids.length * H);
    for (let i = 0; i < ids.length; i++) out.set(this.embedding.subarray(ids[i] * H, ids[i] * H + H), i * H);
    // Scaled in the copy, never in the table: a tied lm_head is the same array.
    const scale = this.architecture.embeddingScale;
    if (scale !== 1) for (let i = 0; i < out.length; i++) out[i] *= scale;
    return out;
  }

  forward(request: EngineForwardRequest): Promise<EngineForwardResult> {
    this.assertLive();
    return runForward(this, request);
  }

  createDecoder(options: { skipLayers?: ReadonlySet<number> } = {}): Decoder {
    this.assertLive();
    return new OnnxDecoder(this, options.skipLayers ?? new Set());
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const session of this.sessions.values()) session.then((s) => s.release()).catch(() => undefined);
    this.sessions.clear();
    this.resident.clear();
    this.head = null;
  }

  assertLive(): void {
    if (this.disposed) throw new OnnxEngineError('DISPOSED', `${this.architecture.source}: the model was disposed`, { file: this.architecture.source });
  }
}
