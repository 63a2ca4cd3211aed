// Saves and loads LoRA adapters in PEFT's on-disk format: adapter_config.json
// plus adapter_model.safetensors with keys
// `base_model.model.model.layers.{i}.mlp.down_proj.lora_A.weight` ([r, in]) and
// `...lora_B.weight` ([out, r]), float32 (PEFT keeps adapters in float32).
import { mkdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { openSafetensors, writeFileAtomic, writeSafetensors, type TensorSource } from '@layerprune/tensor-io';
import { LoraAdapters, peftKey, type LinearShapes, type LoraPair } from './lora-adapters.js';
import { LoraError } from './lora-error.js';
import { ADAPTER_CONFIG_NAME, ADAPTER_WEIGHTS_NAME, formatPeftAdapterConfig, parsePeftAdapterConfig } from './peft-adapter-config.js';
import { modulePath } from './target-modules.js';

/** Writes `dir/adapter_config.json` and `dir/adapter_model.safetensors` (each atomically). */
export async function saveLoraAdapter(dir: string, adapters: LoraAdapters): Promise<{ configPath: string; weightsPath: string }> {
  await mkdir(dir, { recursive: true });
  const r = adapters.config.rank;
  const sources: TensorSource[] = adapters.pairs.flatMap((p) => [
    { name: peftKey(p.path, 'A'), dtype: 'F32' as const, shape: [r, p.inFeatures], read: () => p.a },
    { name: peftKey(p.path, 'B'), dtype: 'F32' as const, shape: [p.outFeatures, r], read: () => p.b },
  ]);
  const weightsPath = join(dir, ADAPTER_WEIGHTS_NAME);
  const configPath = join(dir, ADAPTER_CONFIG_NAME);
  await writeSafetensors(weightsPath, sources);
  await writeFileAtomic(configPath, formatPeftAdapterConfig(adapters.config));
  return { configPath, weightsPath };
}

/**
 * Loads a PEFT LoRA adapter directory. With `shapes`, every expected module
 * must be present with the model's shapes (ADAPTER_MISMATCH otherwise).
 */
export async function loadLoraAdapter(dir: string, shapes?: LinearShapes): Promise<LoraAdapters> {
  const configPath = join(dir, ADAPTER_CONFIG_NAME);
  const weightsPath = join(dir, ADAPTER_WEIGHTS_NAME);
  for (const file of [configPath, weightsPath]) {
    try {
      await stat(file);
    } catch (cause) {
      throw new LoraError('ADAPTER_NOT_FOUND', `${file} not found: an adapter directory holds ${ADAPTER_CONFIG_NAME} and ${ADAPTER_WEIGHTS_NAME}`, { file, cause });
    }
  }
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(configPath, 'utf8'));
  } catch (cause) {
    throw new LoraError('ADAPTER_INVALID', `${configPath} is not valid JSON`, { file: configPath, cause });
  }
  const config = parsePeftAdapterConfig(raw, configPath);
  const reader = await openSafetensors(weightsPath);
  try {
    const pattern = /^base_model\.model\.(model\.layers\.(\d+)\.(?:self_attn|mlp)\.([a-z_]+))\.lora_A\.weight$/;
    const pairs: LoraPair[] = [];
    for (const name of reader.tensors.keys()) {
      const m = pattern.exec(name);
      if (!m) continue;
      const [, path, layerText, module] = m;
      const layer = Number(layerText);
      if (!config.targetModules.includes(module as never)) continue;
      if (path !== modulePath(layer, module as never)) {
        throw new LoraError('ADAPTER_INVALID', `${weightsPath}: tensor "${name}" is not at the expected path of ${module}`, { file: weightsPath, module: path });
      }
      const bName = peftKey(path, 'B');
      const aInfo = reader.info(name);
      if (!reader.tensors.has(bName)) {
        throw new LoraError('ADAPTER_INVALID', `${weightsPath}: "${name}" has no matching "${bName}"`, { file: weightsPath, module: path });
      }
      const bInfo = reader.info(bName);
      const [ar, inF] = aInfo.shape;
      const [outF, br] = bInfo.shape;
      if (aInfo.shape.length !== 2 || bInfo.shape.length !== 2 || ar !== config.rank || br !== config.rank) {
        throw new LoraError(
          'ADAPTER_INVALID',
          `${weightsPath}: "${name}" ${JSON.stringify(aInfo.shape)} / "${bName}" ${JSON.stringify(bInfo.shape)} do not match rank r=${config.rank} ([r, in] and [out, r])`,
          { file: weightsPath, module: path, field: 'r', limit: config.rank },
        );
      }
      if (shapes) {
        const [eo, ei] = shapes.shape(module as never);
        if (eo !== outF || ei !== inF) {
          throw new LoraError('ADAPTER_MISMATCH', `${weightsPath}: ${path} is [out ${outF}, in ${inF}] but the model's is [${eo}, ${ei}]`, {
            file: weightsPath,
            module: path,
          });
        }
      }
      pairs.push({
        path,
        layer,
        module: module as never,
        inFeatures: inF,
        outFeatures: outF,
        a: await reader.readFloat32(name),
        b: await reader.readFloat32(bName),
      });
    }
    pairs.sort((x, y) => x.layer - y.layer || config.targetModules.indexOf(x.module) - config.targetModules.indexOf(y.module));
    if (pairs.length === 0) {
      throw new LoraError('ADAPTER_INVALID', `${weightsPath}: no lora_A/lora_B tensors for target modules ${config.targetModules.join(', ')}`, {
        file: weightsPath,
      });
    }
    if (shapes) {
      const expected = (config.layersToTransform ?? Array.from({ length: shapes.numLayers }, (_, l) => l)).length * config.targetModules.length;
      const beyond = pairs.find((p) => p.layer >= shapes.numLayers);
      if (beyond || pairs.length !== expected) {
        throw new LoraError(
          'ADAPTER_MISMATCH',
          `${weightsPath}: adapter has ${pairs.length} modules${beyond ? ` (one at block ${beyond.layer})` : ''}, the model with ${shapes.numLayers} blocks expects ${expected}`,
          { file: weightsPath, limit: expected },
        );
      }
    }
    return new LoraAdapters(config, pairs);
  } finally {
    await reader.close();
  }
}
