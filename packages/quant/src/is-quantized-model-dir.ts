import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * True when `dir/config.json` declares a bitsandbytes quantization_config (what
 * quantizeModelDir and transformers write). Missing or unreadable config: false.
 */
export async function isQuantizedModelDir(dir: string): Promise<boolean> {
  try {
    const config = JSON.parse(await readFile(join(dir, 'config.json'), 'utf8')) as Record<string, unknown>;
    const q = config.quantization_config as Record<string, unknown> | undefined;
    return typeof q === 'object' && q !== null && q.quant_method === 'bitsandbytes';
  } catch {
    return false;
  }
}
