// Autoregressive generation over an engine's KV-cache decoder.
import { randomInt } from 'node:crypto';
import type { Engine } from '../engine.js';
import { ModelError } from '../errors.js';
import { createRng } from './create-rng.js';
import { sampleToken } from './sample-token.js';

export interface GenerateOptions {
  /** New tokens to generate at most (default 256). */
  maxTokens?: number;
  /** 0 = greedy; default 1. */
  temperature?: number;
  /** Nucleus sampling threshold in (0, 1]; default 0.9 (1 disables it). */
  topP?: number;
  /** Seed of the sampling PRNG; default a random one. */
  seed?: number;
  /** Stop when an end-of-sequence id is generated (default true); the EOS id is not returned. */
  stopAtEos?: boolean;
  /** Called with each new token as soon as it is chosen. */
  onToken?: (id: number) => void;
  /** Blocks to run as identity while generating. */
  skipLayers?: number[];
}

export interface GenerationLimits {
  eosIds: ReadonlySet<number>;
  maxPositions: number;
}

function checkNumber(name: string, value: number, ok: boolean, limit: string): void {
  if (!ok) throw new ModelError('INVALID_OPTION', `generate: ${name} ${value} is out of range (${limit})`, { field: name, limit });
}

/** Returns only the generated ids (not the prompt). */
export async function generateTokens(engine: Engine, prompt: number[], options: GenerateOptions, limits: GenerationLimits): Promise<number[]> {
  const maxTokens = options.maxTokens ?? 256;
  const temperature = options.temperature ?? 1;
  const topP = options.topP ?? 0.9;
  const seed = options.seed ?? randomInt(0, 2 ** 47);
  checkNumber('maxTokens', maxTokens, Number.isInteger(maxTokens) && maxTokens >= 0, 'a non-negative integer');
  checkNumber('temperature', temperature, Number.isFinite(temperature) && temperature >= 0, '>= 0');
  checkNumber('topP', topP, topP > 0 && topP <= 1, '(0, 1]');
  checkNumber('seed', seed, Number.isSafeInteger(seed) && seed >= 0, 'a non-negative integer');
  if (prompt.length + 1 > limits.maxPositions) {
    throw new ModelError('SEQUENCE_TOO_LONG', `generate: prompt of ${prompt.length} tokens leaves no room below max_position_embeddings ${limits.maxPositions}`, {
      field: 'prompt',
      limit: limits.maxPositions,
    });
  }
  const random = createRng(seed);
  const stopAtEos = options.stopAtEos ?? true;
  const decoder = engine.createDecoder({ skipLayers: new Set(options.skipLayers ?? []) });
  const out: number[] = [];
  try {
    if (maxTokens === 0) return out;
    let logits = await decoder.append(prompt);
    for (;;) {
      const next = sampleToken(logits, { temperature, topP }, random);
      if (stopAtEos && limits.eosIds.has(next)) break;
      out.push(next);
      options.onToken?.(next);
      // Like transformers' max_length: prompt plus generated tokens stay within the position table.
      if (out.length >= maxTokens || prompt.length + out.length >= limits.maxPositions) break;
      logits = await decoder.append([next]);
    }
    return out;
  } finally {
    decoder.dispose();
  }
}
