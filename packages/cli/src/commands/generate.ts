// `layerprune generate`: continue a prompt with a model (a sanity check after
// pruning or healing). Greedy at --temperature 0, otherwise seeded sampling
// with nucleus (top-p) truncation; stops at EOS, --max-tokens or the context.
// Options and help: ./generate-options.ts.
import { resolve } from 'node:path';
import { defaultModelDir } from '@layerprune/assets';
import { loadModel, loadTokenizer, type BackendName } from '@layerprune/model';
import type { CommandContext } from '../cli/command-context.js';
import { checkOption, COUNT_RULE, SEED_RULE } from '../cli/check-option.js';
import { checkSeqLen } from '../cli/check-seq-len.js';
import { CliError, USAGE_EXIT_CODE } from '../cli/errors.js';
import type { EngineArgs } from '../cli/engine-option.js';
import { describeEngine, engineFactoriesFrom } from '../cli/engine-factories.js';
import { DEFAULT_MAX_TOKENS, DEFAULT_TEMPERATURE, DEFAULT_TOP_P } from './generate-options.js';

export type GenerateModeOption = 'auto' | 'resident' | 'streaming';

export interface GenerateOptions extends EngineArgs {
  /** Model directory; default the bundled stories260K. */
  model?: string;
  prompt: string;
  maxTokens?: number;
  temperature?: number;
  topP?: number;
  /** Default: a random seed (reported in the result). */
  seed?: number;
  backend?: BackendName;
  mode?: GenerateModeOption;
}

export interface GenerateResult {
  model: string;
  /** The engine the model ran on ("onnx", "tfjs") and its device or TensorFlow.js backend. */
  engine: string;
  backend: string;
  prompt: string;
  /** Prompt and generated text, decoded together (special tokens left out). */
  text: string;
  promptTokens: number[];
  /** Generated ids only. */
  tokens: number[];
  finishReason: 'eos' | 'max-tokens' | 'context';
  temperature: number;
  topP: number;
  seed: number;
  seconds: number;
  tokensPerSecond: number;
}


function invalid(message: string): CliError {
  return new CliError('INVALID_OPTION', message, USAGE_EXIT_CODE);
}

function checkOptions(options: GenerateOptions): { maxTokens: number; temperature: number; topP: number; seed: number } {
  const maxTokens = options.maxTokens ?? DEFAULT_MAX_TOKENS;
  const temperature = options.temperature ?? DEFAULT_TEMPERATURE;
  const topP = options.topP ?? DEFAULT_TOP_P;
  const seed = options.seed ?? Math.floor(Math.random() * 2 ** 31);
  checkOption('--max-tokens', maxTokens, COUNT_RULE);
  checkOption('--temperature', temperature, { min: 0 });
  if (!(topP > 0 && topP <= 1)) throw invalid(`--top-p must be in (0, 1], got ${String(options.topP)}`);
  checkOption('--seed', seed, SEED_RULE);
  return { maxTokens, temperature, topP, seed };
}

export async function runGenerate(options: GenerateOptions, ctx: CommandContext): Promise<GenerateResult> {
  if (typeof options.prompt !== 'string' || options.prompt.length === 0) throw invalid('--prompt must be a non-empty text');
  const { maxTokens, temperature, topP, seed } = checkOptions(options);
  const engine = await engineFactoriesFrom(options, ctx);
  const modelDir = resolve(options.model ?? defaultModelDir());
  const tokenizer = await loadTokenizer(modelDir);
  const promptTokens = tokenizer.encode(options.prompt);
  const model = await loadModel(modelDir, { engine, mode: options.mode ?? 'auto', log: (line) => ctx.log(line) });
  let tokens: number[];
  const start = performance.now();
  try {
    // The default (256) stops at the context like any generation; asking for more
    // new tokens than the model has positions is refused rather than cut short.
    if (options.maxTokens !== undefined) checkSeqLen('--max-tokens', options.maxTokens, model.config.maxPositionEmbeddings, modelDir);
    tokens = await model.generate(promptTokens, { maxTokens, temperature, topP, seed });
  } finally {
    model.dispose();
  }
  const seconds = (performance.now() - start) / 1000;
  const context = model.config.maxPositionEmbeddings;
  const finishReason = tokens.length >= maxTokens ? 'max-tokens' : promptTokens.length + tokens.length >= context ? 'context' : 'eos';
  return {
    model: modelDir,
    engine: model.engine.name,
    backend: model.backend,
    prompt: options.prompt,
    text: tokenizer.decode([...promptTokens, ...tokens]),
    promptTokens,
    tokens,
    finishReason,
    temperature,
    topP,
    seed,
    seconds,
    tokensPerSecond: tokens.length / Math.max(seconds, 1e-9),
  };
}

export function renderGenerate(result: GenerateResult): string {
  const sampling = result.temperature === 0 ? 'greedy' : `temperature ${result.temperature}, top-p ${result.topP}, seed ${result.seed}`;
  return [
    result.text,
    '',
    `(${result.tokens.length} tokens, ${sampling}, stopped at ${result.finishReason}; ${result.tokensPerSecond.toFixed(1)} tokens/s, ${describeEngine(result)})`,
  ].join('\n');
}
