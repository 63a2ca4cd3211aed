// Writes a copy of a model directory with block `drop` removed and the later
// blocks renumbered (what `layerprune prune --drop` does), for healing tests.
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { writeSafetensors, type TensorSource } from '@layerprune/tensor-io';
import { openModelDir, parseLayerTensorName } from '@layerprune/architectures';

export async function dropBlockDir(source: string, drop: number, out: string): Promise<string> {
  const model = await openModelDir(source);
  await mkdir(out, { recursive: true });
  const tensors: TensorSource[] = [];
  for (const name of model.weights.names()) {
    const parsed = parseLayerTensorName(name);
    if (parsed && parsed.layer === drop) continue;
    const newName = parsed && parsed.layer > drop ? `model.layers.${parsed.layer - 1}.${parsed.suffix}` : name;
    const info = model.weights.info(name);
    tensors.push({ name: newName, dtype: info.dtype, shape: info.shape, read: () => model.weights.readRaw(name) });
  }
  await writeSafetensors(join(out, 'model.safetensors'), tensors);
  await writeFile(join(out, 'config.json'), JSON.stringify({ ...model.rawConfig, num_hidden_layers: model.config.numHiddenLayers - 1 }, null, 2));
  for (const file of [model.files.tokenizer, model.files.tokenizerConfig, model.files.generationConfig]) {
    if (file) await copyFile(file, join(out, basename(file)));
  }
  await model.close();
  return out;
}
