// The narrow slice of @layerprune/model that evaluation needs. Written as
// structural types so that a LlamaModel / Tokenizer from @layerprune/model fits
// without an adapter, and so the scoring logic can be tested against any causal
// LM that honours the same contract (see src/testing/toy-causal-lm.ts).

export interface EvalForwardResult {
  batch: number;
  /** Padded sequence length of the batch (sequences are right-padded). */
  maxLength: number;
  lengths: number[];
  vocabSize: number;
  /** 'last': [B, V] at each sequence's last real token; 'all': [B, maxLength, V]. */
  logits?: Float32Array;
}

export interface EvalModel {
  readonly config: {
    readonly vocabSize: number;
    readonly maxPositionEmbeddings: number;
  };
  forward(batch: number[][], options?: { logits?: 'none' | 'last' | 'all' }): Promise<EvalForwardResult>;
}

export interface EvalTokenizer {
  readonly vocabSize: number;
  readonly bosId: number | null;
  readonly eosId: number | null;
  encode(text: string, options?: { addBos?: boolean }): number[];
}
