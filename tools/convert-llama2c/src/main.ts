import { parseArgs } from 'node:util';
import { convertLlama2c } from './convert-llama2c.js';

const USAGE = `Usage: convert-llama2c --checkpoint MODEL.bin --tokenizer TOK.bin|TOK.model --out DIR [--name NAME] [--notice FILE]... [--force] [--quiet]

Converts a llama2.c checkpoint (legacy format, as run.c reads) and its tokenizer
into a Hugging Face Llama directory: config.json, generation_config.json,
model.safetensors, tokenizer.json, tokenizer_config.json, special_tokens_map.json
(+ tokenizer.model for a .model input, + LICENSE/NOTICE/SOURCE files found next
to the inputs or given with --notice). The output is written to a temporary
directory and renamed when complete.`;

/** Exit code for usage errors, as most CLIs do. */
const USAGE_EXIT_CODE = 2;

/** CLI entry point; returns the process exit code. Errors are printed as one line on stderr. */
export async function main(argv: string[]): Promise<number> {
  let values: ReturnType<typeof parse>['values'];
  try {
    ({ values } = parse(argv));
  } catch (error) {
    process.stderr.write(`error [INVALID_ARGUMENT]: ${(error as Error).message}\n${USAGE}\n`);
    return USAGE_EXIT_CODE;
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const missing = (['checkpoint', 'tokenizer', 'out'] as const).filter((k) => values[k] === undefined);
  if (missing.length > 0) {
    process.stderr.write(`error [INVALID_ARGUMENT]: missing ${missing.map((m) => `--${m}`).join(', ')}\n${USAGE}\n`);
    return USAGE_EXIT_CODE;
  }
  try {
    await convertLlama2c({
      checkpoint: values.checkpoint as string,
      tokenizer: values.tokenizer as string,
      out: values.out as string,
      name: values.name,
      notices: values.notice ?? [],
      force: values.force ?? false,
      log: values.quiet ? undefined : (line) => process.stderr.write(`${line}\n`),
    });
    return 0;
  } catch (error) {
    // Our errors and other packages' typed errors (tensor-io) carry a string code.
    const code: unknown = (error as { code?: unknown } | null)?.code;
    if (error instanceof Error && typeof code === 'string') {
      process.stderr.write(`error [${code}]: ${error.message.replace(/\s*\n\s*/g, ' ')}\n`);
      return 1;
    }
    throw error;
  }
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      checkpoint: { type: 'string' },
      tokenizer: { type: 'string' },
      out: { type: 'string' },
      name: { type: 'string' },
      notice: { type: 'string', multiple: true },
      force: { type: 'boolean' },
      quiet: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}
