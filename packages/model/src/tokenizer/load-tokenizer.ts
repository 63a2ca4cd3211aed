import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Tokenizer as HfTokenizer } from '@huggingface/tokenizers';
import { SentencePieceBpeEncoder } from './sentencepiece-bpe-encoder.js';
import { sentencePieceBpeSpec } from './sentencepiece-bpe-spec.js';
import { TokenizerError } from './tokenizer-error.js';

/** A text tokenizer read from a Hugging Face model directory. */
export interface Tokenizer {
  /** Number of token ids (largest id + 1, added tokens included). */
  readonly vocabSize: number;
  readonly bosId: number | null;
  readonly eosId: number | null;
  /**
   * Token ids of `text`. `addBos` (default: the tokenizer config's `add_bos_token`,
   * true when it is absent and a BOS token exists) prepends BOS.
   */
  encode(text: string, options?: { addBos?: boolean }): number[];
  /** Text of `ids`; special tokens (BOS, EOS, <unk>) are left out unless `skipSpecialTokens: false`. */
  decode(ids: number[], options?: { skipSpecialTokens?: boolean }): string;
}

type Json = Record<string, unknown>;

async function readJson(path: string, required: boolean, invalidCode: 'TOKENIZER_INVALID' | 'TOKENIZER_CONFIG_INVALID'): Promise<Json | null> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT' && !required) return null;
    const code = (cause as NodeJS.ErrnoException).code === 'ENOENT' ? 'TOKENIZER_NOT_FOUND' : invalidCode;
    throw new TokenizerError(code, `${path}: cannot read (${(cause as Error).message})`, { file: path, cause });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new TokenizerError(invalidCode, `${path}: not valid JSON (${(cause as Error).message})`, { file: path, cause });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TokenizerError(invalidCode, `${path}: expected a JSON object`, { file: path });
  }
  return value as Json;
}

/** `bos_token` may be a string, an AddedToken object `{content: ...}`, or null. */
function tokenContent(value: unknown, file: string, field: string): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && typeof (value as { content?: unknown }).content === 'string') return (value as { content: string }).content;
  throw new TokenizerError('TOKENIZER_CONFIG_INVALID', `${file}: ${field} must be a string or {"content": string}`, { file, field });
}

/**
 * Loads `tokenizer.json` (required) and `tokenizer_config.json` (optional;
 * `special_tokens_map.json` is read for BOS/EOS when it lacks them) from `dir`
 * with @huggingface/tokenizers, the pure-JS port of Hugging Face tokenizers.
 * Sentencepiece-style BPE files (Llama-1/2, Mistral) are encoded by
 * SentencePieceBpeEncoder instead: the same ids, 10-500x faster (bench/tokenize.mjs).
 */
export async function loadTokenizer(dir: string): Promise<Tokenizer> {
  const root = resolve(dir);
  const tokenizerPath = join(root, 'tokenizer.json');
  const configPath = join(root, 'tokenizer_config.json');
  const tokenizerJson = (await readJson(tokenizerPath, true, 'TOKENIZER_INVALID')) as Json;
  const config = (await readJson(configPath, false, 'TOKENIZER_CONFIG_INVALID')) ?? {};
  const specialMap = (await readJson(join(root, 'special_tokens_map.json'), false, 'TOKENIZER_CONFIG_INVALID')) ?? {};
  let hf: HfTokenizer;
  try {
    hf = new HfTokenizer(tokenizerJson, config);
  } catch (cause) {
    throw new TokenizerError('TOKENIZER_INVALID', `${tokenizerPath}: @huggingface/tokenizers cannot load it: ${(cause as Error).message}`, { file: tokenizerPath, cause });
  }
  const idOf = (field: 'bos_token' | 'eos_token'): number | null => {
    const fromConfig = Object.hasOwn(config, field);
    const content = tokenContent(fromConfig ? config[field] : specialMap[field], fromConfig ? configPath : join(root, 'special_tokens_map.json'), field);
    if (content === null) return null;
    const id = hf.token_to_id(content);
    if (id === undefined) {
      throw new TokenizerError('TOKENIZER_CONFIG_INVALID', `${configPath}: ${field} ${JSON.stringify(content)} is not in the vocabulary of ${tokenizerPath}`, { file: configPath, field });
    }
    return id;
  };
  const bosId = idOf('bos_token');
  const eosId = idOf('eos_token');
  const addBosDefault = typeof config.add_bos_token === 'boolean' ? config.add_bos_token : bosId !== null;
  const model = (tokenizerJson.model ?? {}) as { fuse_unk?: unknown; unk_token?: unknown };
  const unkId = typeof model.unk_token === 'string' ? (hf.token_to_id(model.unk_token) ?? null) : null;
  const fastSpec = sentencePieceBpeSpec(tokenizerJson, config).spec;
  const fast = fastSpec === undefined ? null : new SentencePieceBpeEncoder(fastSpec);
  return new HfBackedTokenizer(hf, fast, bosId, eosId, addBosDefault, model.fuse_unk === true ? unkId : null, tokenizerPath);
}

class HfBackedTokenizer implements Tokenizer {
  readonly vocabSize: number;

  constructor(
    private readonly hf: HfTokenizer,
    /** Same ids as `hf` for the files it accepts, much faster; null for other files. */
    private readonly fast: SentencePieceBpeEncoder | null,
    readonly bosId: number | null,
    readonly eosId: number | null,
    private readonly addBosDefault: boolean,
    /** The <unk> id when the BPE model says fuse_unk (tokenizers.js does not fuse; Rust tokenizers and sentencepiece do). */
    private readonly fusedUnkId: number | null,
    private readonly file: string,
  ) {
    let max = -1;
    for (const id of hf.get_vocab(true).values()) max = Math.max(max, id);
    this.vocabSize = max + 1;
  }

  encode(text: string, options: { addBos?: boolean } = {}): number[] {
    // Special tokens are added here rather than by the post-processor, so that
    // "BOS or not" means the same for every model family.
    const ids = this.fast !== null ? this.fast.encode(text) : this.hf.encode(text, { add_special_tokens: false }).ids;
    const out: number[] = [];
    if ((options.addBos ?? this.addBosDefault) && this.bosId !== null) out.push(this.bosId);
    for (const id of ids) {
      if (id === this.fusedUnkId && out.length > 0 && out[out.length - 1] === id) continue;
      out.push(id);
    }
    return out;
  }

  decode(ids: number[], options: { skipSpecialTokens?: boolean } = {}): string {
    if (ids.length === 0) return '';
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i];
      if (!Number.isInteger(id) || id < 0 || id >= this.vocabSize) {
        throw new TokenizerError('TOKEN_ID_OUT_OF_RANGE', `token id ${id} at position ${i} is outside [0, ${this.vocabSize}) of ${this.file}`, { file: this.file });
      }
    }
    return this.hf.decode(ids, { skip_special_tokens: options.skipSpecialTokens ?? true });
  }
}
