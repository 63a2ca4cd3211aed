import { readFile, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { checkOutputTarget, requireReplaceable, writeOutputDirectory } from '@layerprune/safe-output';
import { writeSafetensors } from '@layerprune/tensor-io';
import { carriedNotices } from './carried-notices.js';
import { ConvertError } from './convert-error.js';
import { checkTokenizerLoads } from './check-tokenizer-loads.js';
import { hfGenerationConfig, hfModelConfig } from './hf-model-config.js';
import { hfTokenizerConfig, hfTokenizerJson, serializeTokenizerJson } from './hf-tokenizer-json.js';
import { hfWeightSources } from './hf-weight-sources.js';
import type { Llama2cHeader } from './llama2c-header.js';
import { openLlama2cCheckpoint } from './open-llama2c-checkpoint.js';
import { readTokenizerFile } from './read-tokenizer-file.js';

export interface ConvertLlama2cOptions {
  /** llama2.c checkpoint (legacy version-0 .bin, as run.c reads). */
  checkpoint: string;
  /** llama2.c tokenizer .bin or sentencepiece .model. */
  tokenizer: string;
  /** Output directory; must not exist unless `force`. */
  out: string;
  /** Stored as `_name_or_path` in config.json. */
  name?: string;
  /** Extra licence/notice files to copy (LICENSE/NOTICE/COPYING/SOURCE files next to the inputs are copied anyway). */
  notices?: string[];
  /** Replace an existing output directory. */
  force?: boolean;
  log?: (line: string) => void;
}

export interface ConvertLlama2cResult {
  out: string;
  /** Names of the files written, sorted. */
  files: string[];
  header: Llama2cHeader;
  parameters: number;
  tokenizer: { format: string; vocabSize: number; merges: number; byteFallback: boolean };
}

function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/** Converts a llama2.c checkpoint and its tokenizer into a Hugging Face Llama directory. */
export async function convertLlama2c(options: ConvertLlama2cOptions): Promise<ConvertLlama2cResult> {
  const log = options.log ?? (() => {});
  const out = resolve(options.out);
  // Before any input is read: never the inputs, never a directory layerprune did not write.
  const inputs = [resolve(options.checkpoint), resolve(options.tokenizer), ...(options.notices ?? []).map((n) => resolve(n))];
  requireReplaceable(await checkOutputTarget(out, { inputs }), options.force ?? false);
  const checkpoint = await openLlama2cCheckpoint(options.checkpoint);
  try {
    const header = checkpoint.header;
    const tokenizer = await readTokenizerFile(options.tokenizer);
    if (tokenizer.pieces.length !== header.vocabSize) {
      throw new ConvertError(
        'TOKENIZER_MISMATCH',
        `${options.tokenizer} has ${tokenizer.pieces.length} tokens but ${options.checkpoint} has vocab_size ${header.vocabSize}`,
        { file: options.tokenizer, field: 'vocab_size', limit: header.vocabSize },
      );
    }
    const tokenizerJson = hfTokenizerJson(tokenizer);
    const tokenizerConfig = hfTokenizerConfig(tokenizer, header.seqLen);
    checkTokenizerLoads(tokenizerJson, tokenizerConfig, tokenizer);
    const notices = await carriedNotices(options.checkpoint, options.tokenizer, options.notices ?? []);
    const sources = hfWeightSources(checkpoint);
    const parameters = sources.reduce((n, s) => n + s.shape.reduce((a, b) => a * b, 1), 0);
    log(
      `llama2.c checkpoint: dim ${header.dim}, hidden ${header.hiddenDim}, ${header.nLayers} layers, ${header.nHeads} heads / ${header.nKvHeads} kv, ` +
        `vocab ${header.vocabSize} (${header.sharedClassifier ? 'tied' : 'untied'} classifier), seq_len ${header.seqLen}, ${parameters} parameters`,
    );
    const merges = (tokenizerJson.model as { merges: unknown[] }).merges.length;
    log(`tokenizer: ${tokenizer.format}, ${tokenizer.pieces.length} pieces, ${merges} merges, byte_fallback ${tokenizer.byteFallback}`);

    const { result: files } = await writeOutputDirectory(out, { inputs, force: options.force, command: 'convert-llama2c' }, async (dir) => {
      const written: string[] = [];
      const put = async (name: string, data: string | Uint8Array): Promise<void> => {
        await writeFile(join(dir, name), data);
        written.push(name);
      };
      await put('config.json', json(hfModelConfig(header, options.name ?? null)));
      await put('generation_config.json', json(hfGenerationConfig()));
      await put('tokenizer.json', serializeTokenizerJson(tokenizerJson));
      await put('tokenizer_config.json', json(tokenizerConfig));
      await put(
        'special_tokens_map.json',
        json({ bos_token: tokenizerConfig.bos_token, eos_token: tokenizerConfig.eos_token, unk_token: tokenizerConfig.unk_token }),
      );
      if (tokenizer.format === 'sentencepiece-model') {
        // transformers' slow LlamaTokenizer and sentencepiece itself read this name.
        await put('tokenizer.model', await readFile(options.tokenizer));
      }
      // Copied by content: the inputs may be read-only, the output should not be.
      for (const notice of notices) await put(basename(notice), await readFile(notice));
      // No timestamps or paths in the metadata: converting twice gives identical bytes.
      await writeSafetensors(join(dir, 'model.safetensors'), sources, {
        metadata: { format: 'pt', converted_from: 'llama2.c', source_checkpoint: basename(options.checkpoint) },
      });
      written.push('model.safetensors');
      return written.sort();
    });
    log(`wrote ${out}: ${files.join(', ')}`);
    return {
      out,
      files,
      header,
      parameters,
      tokenizer: { format: tokenizer.format, vocabSize: tokenizer.pieces.length, merges, byteFallback: tokenizer.byteFallback },
    };
  } finally {
    await checkpoint.close();
  }
}
