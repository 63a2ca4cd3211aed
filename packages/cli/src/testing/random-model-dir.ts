// A random model directory of any family layerprune knows, for CLI tests: every
// tensor @layerprune/architectures' expectedModelTensors names for `raw` (so the
// checkpoint holds exactly what the family's spec describes), float32, seeded,
// with the bundled model's tokenizer (vocab_size must be its 512).
import { cp, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expectedModelTensors, parseArchitectureConfig } from '@layerprune/architectures';
import { defaultModelDir } from '@layerprune/assets';
import { createRandom } from '@layerprune/data';
import { writeSafetensors, type TensorSource } from '@layerprune/tensor-io';

export async function writeRandomModelDir(dir: string, raw: Record<string, unknown>, seed: number): Promise<void> {
  await mkdir(dir, { recursive: true });
  const random = createRandom(seed);
  const config = parseArchitectureConfig(raw, `${dir}/config.json`);
  const offset = config.normWeightOffset;
  const tensors: TensorSource[] = expectedModelTensors(config)
    .filter((t) => t.required)
    .map((t) => {
      // Norms around 1 (Gemma stores w of (1 + w): around 0); linear and embedding weights ~ 1/sqrt(fan-in).
      const norm = t.shape.length === 1;
      const center = norm ? 1 - offset : 0;
      const scale = norm ? 0.1 : t.name.includes('embed_tokens') ? 1 : 1 / Math.sqrt(t.shape[1]);
      const values = Float32Array.from({ length: t.shape.reduce((a, b) => a * b, 1) }, () => center + (2 * random() - 1) * scale);
      return { name: t.name, dtype: 'F32' as const, shape: t.shape, read: () => values };
    });
  await writeSafetensors(join(dir, 'model.safetensors'), tensors, { metadata: { format: 'pt' } });
  await writeFile(join(dir, 'config.json'), JSON.stringify(raw, null, 2));
  for (const file of ['tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json', 'generation_config.json']) {
    await cp(join(defaultModelDir(), file), join(dir, file));
  }
}
