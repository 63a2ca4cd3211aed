// The public model object: validates token batches, pads them to the right,
// and delegates to an Engine. Results are plain Float32Arrays.
import type { ArchitectureConfig } from '@layerprune/architectures';
import type { Engine, PositionSelection, TokenBatch } from './engine.js';
import { ModelError } from './errors.js';
import { generateTokens } from './generate/generate-tokens.js';
import type { GenerateOptions } from './generate/generate-tokens.js';

export interface ForwardOptions {
  /** Default 'last'. */
  logits?: PositionSelection;
  /** Residual-stream inputs x(0..L) of every block; x(L) is the last block's output BEFORE the final norm. Default 'none'. */
  hidden?: PositionSelection;
  /** Run as if these blocks were removed; x(l + 1) = x(l) for a skipped block l. */
  skipLayers?: number[];
}

export interface ForwardResult {
  batch: number;
  maxLength: number;
  lengths: number[];
  vocabSize: number;
  hiddenSize: number;
  /** 'last': [B, V] at each sequence's last real token; 'all': [B, maxLength, V] (padded rows are meaningless). */
  logits?: Float32Array;
  /** L + 1 arrays; 'last': each [B, H]; 'all': each [B, maxLength, H]. */
  hidden?: Float32Array[];
}

export interface LlamaModel {
  readonly config: ArchitectureConfig;
  readonly dir: string;
  /** The TensorFlow.js backend in use ("wasm", "tensorflow", ...). */
  readonly backend: string;
  readonly mode: 'resident' | 'streaming';
  readonly engine: Engine;
  forward(batch: number[][], options?: ForwardOptions): Promise<ForwardResult>;
  /** Per sequence i, log p(tokens[i][t + 1] | tokens[i][..t]) for t in [0, len_i - 1). */
  tokenLogProbs(batch: number[][]): Promise<Float32Array[]>;
  /** Generated ids only (not the prompt); stops before an EOS id when stopAtEos. */
  generate(prompt: number[], options?: GenerateOptions): Promise<number[]>;
  dispose(): void;
}

const SELECTIONS: readonly PositionSelection[] = ['none', 'last', 'all'];

function checkSelection(field: string, value: PositionSelection): PositionSelection {
  if (!SELECTIONS.includes(value)) {
    throw new ModelError('INVALID_OPTION', `forward: ${field} must be one of ${SELECTIONS.join(', ')}, got ${JSON.stringify(value)}`, { field, limit: SELECTIONS.join(', ') });
  }
  return value;
}

export function padBatch(batch: number[][], vocabSize: number, source: string): TokenBatch {
  if (!Array.isArray(batch) || batch.length === 0) throw new ModelError('INVALID_TOKENS', `${source}: a batch needs at least one sequence`, { file: source });
  const lengths = batch.map((seq, b) => {
    if (!Array.isArray(seq) || seq.length === 0) throw new ModelError('INVALID_TOKENS', `${source}: sequence ${b} is empty`, { file: source });
    return seq.length;
  });
  const maxLength = Math.max(...lengths);
  // Padding id 0: with right padding and causal attention no real position ever attends to it.
  const ids = new Int32Array(batch.length * maxLength);
  batch.forEach((seq, b) => {
    seq.forEach((id, t) => {
      if (!Number.isInteger(id) || id < 0 || id >= vocabSize) {
        throw new ModelError('INVALID_TOKENS', `${source}: token ${JSON.stringify(id)} at sequence ${b}, position ${t} is outside [0, ${vocabSize})`, {
          file: source,
          limit: vocabSize,
        });
      }
      ids[b * maxLength + t] = id;
    });
  });
  return { ids, batch: batch.length, maxLength, lengths };
}

export function checkSkipLayers(skipLayers: number[], numLayers: number, source: string): Set<number> {
  for (const layer of skipLayers) {
    if (!Number.isInteger(layer) || layer < 0 || layer >= numLayers) {
      throw new ModelError('LAYER_OUT_OF_RANGE', `${source}: skipLayers entry ${layer} is outside [0, ${numLayers})`, { file: source, field: 'skipLayers', limit: numLayers });
    }
  }
  return new Set(skipLayers);
}

export interface LlamaModelInit {
  engine: Engine;
  dir: string;
  eosIds: ReadonlySet<number>;
}

export function createLlamaModel({ engine, dir, eosIds }: LlamaModelInit): LlamaModel {
  const arch = engine.architecture;
  const config = arch.config;
  const source = dir;
  return {
    config,
    dir,
    backend: engine.backend,
    mode: engine.mode,
    engine,
    async forward(batch, options = {}) {
      const tokens = padBatch(batch, config.vocabSize, source);
      const logits = checkSelection('logits', options.logits ?? 'last');
      const hidden = checkSelection('hidden', options.hidden ?? 'none');
      const skipLayers = checkSkipLayers(options.skipLayers ?? [], arch.numLayers, source);
      const out = await engine.forward({ tokens, logits, hidden, skipLayers, targetLogProbs: false });
      return {
        batch: tokens.batch,
        maxLength: tokens.maxLength,
        lengths: tokens.lengths,
        vocabSize: config.vocabSize,
        hiddenSize: config.hiddenSize,
        ...(out.logits ? { logits: out.logits } : {}),
        ...(out.hidden ? { hidden: out.hidden } : {}),
      };
    },
    async tokenLogProbs(batch) {
      const tokens = padBatch(batch, config.vocabSize, source);
      const out = await engine.forward({ tokens, logits: 'none', hidden: 'none', skipLayers: new Set(), targetLogProbs: true });
      return out.targetLogProbs ?? [];
    },
    async generate(prompt, options = {}) {
      const tokens = padBatch([prompt], config.vocabSize, source);
      const skipLayers = [...checkSkipLayers(options.skipLayers ?? [], arch.numLayers, source)];
      return generateTokens(engine, Array.from(tokens.ids), { ...options, skipLayers }, { eosIds, maxPositions: config.maxPositionEmbeddings });
    },
    dispose() {
      engine.dispose();
    },
  };
}
